"""Which agenda items, papers and files a variant of a meeting document holds.

The public variant asks the access selectors as an anonymous reader; the
members' variant takes every item of the meeting with its paper and the paper's
files. Three queries at most, whatever the length of the agenda.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from ..models import AgendaItem, Attachment, Meeting, Paper
from ..selectors.access import (
    agenda_items_visible_to,
    attachments_visible_to,
    minutes_items_visible_to,
    papers_visible_to,
)
from .common import PUBLIC, check_variant, meeting_check_public, public_reader


@dataclass
class DocumentItem:
    """An agenda item as a document shows it: ``paper`` only when the variant may
    show it (a public item may treat a non-public paper), and its files in order."""

    item: AgendaItem
    paper: Paper | None
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        return self.item.is_public


def _items(meeting: Meeting, variant: str, *, minutes: bool) -> QuerySet[AgendaItem]:
    if variant == PUBLIC:
        reader = public_reader()
        items = minutes_items_visible_to(reader) if minutes else agenda_items_visible_to(reader)
    else:
        items = AgendaItem.objects.all()
    items = items.filter(meeting=meeting).select_related("paper__lead_department")
    if minutes:
        items = items.select_related("resolution__referred_to")
    return items.order_by("position", "pk")


def _shown_paper_ids(items: list[AgendaItem], variant: str) -> set[int]:
    paper_ids = {item.paper_id for item in items if item.paper_id}
    if not paper_ids or variant != PUBLIC:
        return paper_ids
    return set(
        papers_visible_to(public_reader()).filter(pk__in=paper_ids).values_list("pk", flat=True)
    )


def _attachments(paper_ids: set[int], variant: str) -> QuerySet[Attachment]:
    files = attachments_visible_to(public_reader()) if variant == PUBLIC else Attachment.objects
    return files.filter(paper_id__in=paper_ids).order_by("paper_id", "position", "pk")


def document_items(
    *, meeting: Meeting, variant: str, with_attachments: bool = False, minutes: bool = False
) -> list[DocumentItem]:
    """The items of ``meeting`` in agenda order for ``variant`` (see the module
    docstring); with ``minutes`` the public variant holds only items whose minutes
    the public may read (``minutes_items_visible_to``). Raises
    ``DocumentUnavailableError`` for the public variant of a meeting the public may
    not see."""
    check_variant(variant)
    if variant == PUBLIC:
        meeting_check_public(meeting)
    items = list(_items(meeting, variant, minutes=minutes))
    shown = _shown_paper_ids(items, variant)
    files: dict[int, list[Attachment]] = {}
    if with_attachments and shown:
        for attachment in _attachments(shown, variant):
            files.setdefault(attachment.paper_id, []).append(attachment)
    return [
        DocumentItem(
            item=item,
            paper=item.paper if item.paper_id in shown else None,
            attachments=files.get(item.paper_id, []) if item.paper_id in shown else [],
        )
        for item in items
    ]
