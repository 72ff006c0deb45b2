"""What the content of a meeting packet depends on, as text for a fingerprint.

Cheap: a handful of queries, no file read and no rendering. An attachment's
content enters through its sha256 (set on upload), a paper, item or meeting
through its ``updated_at``; the template version covers changes of the layout
(the document machinery adds the letterhead to every fingerprint).
"""

from ..models import Meeting, Membership
from .common import TEMPLATE_VERSION, check_variant, meeting_role_holder
from .selection import document_items


def _stamp(row) -> str:
    return f"{row.pk}@{row.updated_at.isoformat()}" if row is not None else "-"


def packet_fingerprint_inputs(meeting: Meeting, variant: str) -> str:
    """One line per input of ``meeting``'s packet in ``variant``: template version,
    meeting, body, location, chair, and per shown item its paper (with
    the lead department) and files. Raises ``DocumentUnavailableError`` like
    ``packet_pdf`` when the variant does not exist for the meeting."""
    check_variant(variant)
    meeting = Meeting.objects.select_related("body", "location").get(pk=meeting.pk)
    entries = document_items(meeting=meeting, variant=variant, with_attachments=True)
    chair = meeting_role_holder(meeting, Membership.Role.CHAIR, variant=variant)
    lines = [
        f"template {TEMPLATE_VERSION}",
        f"variant {variant}",
        f"meeting {_stamp(meeting)}",
        f"body {_stamp(meeting.body)}",
        f"location {_stamp(meeting.location)}",
        f"chair {_stamp(chair)}",
    ]
    for entry in entries:
        lines.append(f"item {_stamp(entry.item)} {entry.item.position}")
        if entry.paper is not None:
            lines.append(f"  paper {_stamp(entry.paper)}")
            lines.append(f"  lead {_stamp(entry.paper.lead_department)}")
        for attachment in entry.attachments:
            lines.append(f"  file {_stamp(attachment)} {attachment.position} {attachment.sha256}")
    return "\n".join(lines)
