"""The agenda of a meeting: add, change, move and delete items, and their numbers.

``position`` orders the whole agenda (1..n, contiguous); ``number`` is the
printed number within its part: public items "Ö 1".."Ö n" and non-public items
"N 1".."N m", each in position order. Every change renumbers the agenda. The
public part always comes first (as in the invitation): an item whose public
flag changes goes to its new part in the order of its position, a new item to
the end of its part, and an item moves only within its part.

Two coordinators may reorder the same agenda at once: every write locks the
meeting row first, so the second waits and then works on the first one's
result. Positions are unique per meeting and the database checks that per
row, so new positions are written in two steps: first every item moves out of
the way (position + OFFSET), then each gets its final position.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integration.core.models import User

from ..models import AgendaItem, Meeting, Paper
from .meetings import meeting_locked, minutes_editable_check
from .oparl import publication_watch
from .papers import consultation_link, consultation_unlink

# Larger than any agenda, small enough for a PositiveSmallIntegerField (≤ 32767).
OFFSET = 10_000
ITEM_FIELDS = {"title", "is_public", "paper"}


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))


def _apply_order(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    """Give ``ordered`` (all items of the locked ``meeting``) positions 1..n and
    numbers per part; written in two steps because of the unique position."""
    public = nonpublic = 0
    changed = []
    # Stable: within each part the given order stays.
    ordered = sorted(ordered, key=lambda item: not item.is_public)
    for position, item in enumerate(ordered, start=1):
        if item.is_public:
            public += 1
            number = public
        else:
            nonpublic += 1
            number = nonpublic
        if item.position != position or item.number != number:
            item.position, item.number = position, number
            changed.append(item)
    if not changed:
        return
    AgendaItem.objects.filter(pk__in=[item.pk for item in changed]).update(
        position=F("position") + OFFSET
    )
    AgendaItem.objects.bulk_update(changed, ["position", "number"])


def _editable_meeting(meeting: Meeting) -> Meeting:
    meeting = meeting_locked(meeting)
    minutes_editable_check(meeting)
    return meeting


@transaction.atomic
def item_create(
    *, by: User, meeting: Meeting, title: str, is_public: bool = True, paper: Paper | None = None
) -> AgendaItem:
    """Add an item at the end of its part of the agenda (public or non-public). A
    paper treated is linked to its consultation in this body."""
    meeting = _editable_meeting(meeting)
    ordered = _items(meeting)
    item = AgendaItem(
        meeting=meeting,
        title=title.strip(),
        is_public=is_public,
        paper=paper,
        position=2 * OFFSET + len(ordered) + 1,  # temporary; _apply_order sets it
        number=0,
    )
    item.full_clean(validate_constraints=False)
    item.save()
    ordered.append(item)
    _apply_order(meeting, ordered)
    if paper is not None:
        consultation_link(paper=paper, agenda_item=item)
    return item


@transaction.atomic
@publication_watch()
def item_update(*, by: User, item: AgendaItem, **changes) -> AgendaItem:
    """Change title, public flag or paper; the agenda is renumbered when the flag changes."""
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} on AgendaItem")
    meeting = _editable_meeting(item.meeting)
    item = AgendaItem.objects.get(pk=item.pk)
    old_paper_id = item.paper_id
    for name, value in changes.items():
        setattr(item, name, value.strip() if name == "title" else value)
    item.full_clean(validate_constraints=False)
    item.save()
    ordered = [item if other.pk == item.pk else other for other in _items(meeting)]
    _apply_order(meeting, ordered)
    if item.paper_id != old_paper_id:
        # The consultation of the paper no longer treated here waits for another meeting.
        consultation_unlink(agenda_item=item)
        if item.paper is not None:
            consultation_link(paper=item.paper, agenda_item=item)
    return item


@transaction.atomic
def item_move(*, by: User, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item one place up or down within its part; at either end of the part
    nothing happens."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    meeting = _editable_meeting(item.meeting)
    # Positions are read again under the lock: another coordinator may have moved items.
    ordered = _items(meeting)
    index = next((i for i, other in enumerate(ordered) if other.pk == item.pk), None)
    if index is None:
        raise ValidationError(_("This agenda item no longer exists."))
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered) and ordered[target].is_public == ordered[index].is_public:
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _apply_order(meeting, ordered)
    return next(other for other in ordered if other.pk == item.pk)


def item_delete_refusal(item: AgendaItem) -> str:
    """Why ``item`` cannot be deleted ("" when it can)."""
    if hasattr(item, "resolution"):
        return _("The item has a resolution and cannot be deleted.")
    if item.tasks.exists():
        return _("The item has follow-up tasks and cannot be deleted.")
    return ""


@transaction.atomic
def item_delete(*, by: User, item: AgendaItem) -> None:
    """Delete an item without resolution or tasks; the others close the gap."""
    meeting = _editable_meeting(item.meeting)
    item = AgendaItem.objects.get(pk=item.pk)
    refusal = item_delete_refusal(item)
    if refusal:
        raise ValidationError(refusal)
    with publication_watch():
        item.delete()
    _apply_order(meeting, _items(meeting))
