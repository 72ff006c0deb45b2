"""Einladung mit Tagesordnung: the letter with the town's letterhead, the meeting's
date, time and place and the agenda in its public and non-public part.

The public variant (a notice for residents) holds the public items only and says
nothing about the non-public part, not even that it exists; it names the chair
only when the public people rule lets us (``common.meeting_role_holder``).
"""

from django.utils import translation
from django.utils.translation import gettext

from integration.documents.rendering import PDF_LANGUAGE, letterhead, pdf_render

from ..models import Meeting
from .common import MEMBERS, PUBLIC, meeting_role_holder, meeting_title
from .selection import DocumentItem, document_items


def invitation_context(*, meeting: Meeting, variant: str, items: list[DocumentItem]) -> dict:
    """What ``_invitation_body.html`` shows, for ``items`` of ``document_items``."""
    return {
        "meeting": meeting,
        "variant": variant,
        "letterhead": letterhead(),
        "header": meeting_title(meeting),
        "marker": "" if variant == PUBLIC else gettext("version for the members"),
        "public_items": [entry for entry in items if entry.is_public],
        "nonpublic_items": [entry for entry in items if not entry.is_public]
        if variant == MEMBERS
        else [],
        "chair": meeting_role_holder(meeting, variant=variant),
    }


def invitation_pdf(meeting: Meeting, *, variant: str) -> bytes:
    """The invitation of ``meeting`` as a tagged PDF; ``variant`` "public" or
    "members". Raises ``DocumentUnavailableError`` for the public variant of a
    meeting the public may not see."""
    with translation.override(PDF_LANGUAGE):
        meeting = Meeting.objects.select_related("body", "location").get(pk=meeting.pk)
        items = document_items(meeting=meeting, variant=variant)
        context = invitation_context(meeting=meeting, variant=variant, items=items)
        context["document_title"] = gettext("Invitation %(body)s %(date)s") % {
            "body": meeting.body.name,
            "date": f"{meeting.date:%d.%m.%Y}",
        }
        context["footer"] = context["letterhead"]["name"]
        return pdf_render(template="minutes/documents/invitation.html", context=context)
