"""Niederschrift: who attended, per agenda item the minutes text, the resolution
with its vote and the follow-up tasks it created, and a signature block.

The public variant holds what the public portal shows (``minutes_items_visible_to``
with an anonymous reader): only published minutes, only public items, a paper's
reference only where the paper is public, task owners only when they are
organisations, and attendance, chair and minute taker only for people the public
people rule (``access.public_people_q``) lets us name. The members' variant holds
every item, also of draft minutes, marked as such on the first page, with every
person.
"""

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext

from actors.models import Person
from integration.documents.rendering import PDF_LANGUAGE, letterhead, pdf_render

from ..models import Attendance, FollowUpTask, Meeting, Membership
from ..selectors.access import minutes_visible, public_people_q, tasks_visible_to
from .common import (
    MEMBERS,
    PUBLIC,
    DocumentUnavailableError,
    check_variant,
    meeting_check_public,
    meeting_role_holder,
    meeting_title,
    public_reader,
)
from .selection import document_items


def minutes_tasks(variant: str) -> QuerySet[FollowUpTask]:
    """The follow-up tasks the minutes in ``variant`` may show (of every meeting)."""
    return tasks_visible_to(public_reader()) if variant == PUBLIC else FollowUpTask.objects.all()


def minutes_attendances(variant: str) -> QuerySet[Attendance]:
    """The attendance rows the minutes in ``variant`` list (of every meeting): in the
    public variant only of people the public people rule lets us name."""
    rows = Attendance.objects.all()
    return rows.filter(public_people_q("person__")) if variant == PUBLIC else rows


def minutes_attendees(variant: str) -> QuerySet[Person]:
    """The people of ``minutes_attendances`` (for the fingerprint: a changed name)."""
    people = Person.objects.all()
    return people.filter(public_people_q()) if variant == PUBLIC else people


def _attendance(meeting: Meeting, variant: str) -> dict[str, list[Attendance]]:
    """Who attended, as ``selectors.meetings.meeting_attendance`` groups it (members
    present, excused, absent; guests), from ``minutes_attendances``."""
    groups: dict[str, list[Attendance]] = {"present": [], "excused": [], "absent": [], "guests": []}
    rows = minutes_attendances(variant).filter(meeting=meeting).select_related("person")
    for row in rows:
        groups["guests" if row.is_guest else row.status].append(row)
    return groups


def _tasks(item_ids: list[int], variant: str) -> dict[int, list[FollowUpTask]]:
    grouped: dict[int, list[FollowUpTask]] = {}
    owners = ["owner_organisation"] if variant == PUBLIC else ["owner_organisation", "owner_person"]
    rows = (
        minutes_tasks(variant)
        .filter(agenda_item_id__in=item_ids)
        .select_related(*owners)
        .order_by("due_on", "pk")
    )
    for task in rows:
        grouped.setdefault(task.agenda_item_id, []).append(task)
    return grouped


def minutes_context(*, meeting: Meeting, variant: str) -> dict:
    check_variant(variant)
    if variant == PUBLIC:
        meeting_check_public(meeting)
        if not minutes_visible(public_reader(), meeting):
            raise DocumentUnavailableError(f"The minutes of meeting {meeting.pk} are not public")
    entries = document_items(meeting=meeting, variant=variant, minutes=True)
    tasks = _tasks([entry.item.pk for entry in entries], variant)
    for entry in entries:
        entry.resolution = getattr(entry.item, "resolution", None)
        entry.tasks = tasks.get(entry.item.pk, [])
    published = meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED
    return {
        "meeting": meeting,
        "variant": variant,
        "letterhead": letterhead(),
        "header": meeting_title(meeting),
        "marker": "" if variant == PUBLIC else gettext("version for the members"),
        "footer": letterhead()["name"],
        "document_title": gettext("Minutes %(body)s %(date)s")
        % {"body": meeting.body.name, "date": f"{meeting.date:%d.%m.%Y}"},
        "is_draft": not published and variant == MEMBERS,
        "public_entries": [entry for entry in entries if entry.is_public],
        "nonpublic_entries": [entry for entry in entries if not entry.is_public],
        "attendance": _attendance(meeting, variant),
        # The public variant names task owners only when they are organisations, as
        # the portal and the public Beschlusskontrolle do.
        "show_people": variant == MEMBERS,
        "chair": meeting_role_holder(meeting, Membership.Role.CHAIR, variant=variant),
        "secretary": meeting_role_holder(meeting, Membership.Role.SECRETARY, variant=variant),
    }


def minutes_pdf(meeting: Meeting, *, variant: str = PUBLIC) -> bytes:
    """The minutes of ``meeting`` as a tagged PDF (see the module docstring). Raises
    ``DocumentUnavailableError`` for the public variant of unpublished minutes or
    of a meeting the public may not see."""
    with translation.override(PDF_LANGUAGE):
        meeting = Meeting.objects.select_related("body", "location").get(pk=meeting.pk)
        context = minutes_context(meeting=meeting, variant=variant)
        return pdf_render(template="minutes/documents/minutes.html", context=context)
