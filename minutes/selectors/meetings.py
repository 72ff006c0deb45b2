"""Reads of meetings, their agenda and attendance, scoped by ``minutes.selectors.access``.

Every function keeps its page at a constant number of queries, whatever the
number of meetings, items or attendees.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from actors.models import Person
from measures.models import Measure

from ..models import AgendaItem, Attachment, Attendance, Meeting, Membership, Paper
from .access import (
    agenda_items_visible_to,
    attachments_visible_to,
    current_membership_q,
    meetings_visible_to,
    minutes_visible,
    papers_visible_to,
)


def meeting_list(
    *, user, body_id: int | None = None, year: int | None = None, upcoming: bool
) -> QuerySet[Meeting]:
    """Visible meetings from today on (soonest first) or before today (latest first),
    optionally of one body and one year, with the number of visible items."""
    today = timezone.localdate()
    meetings = meetings_visible_to(user).select_related("body", "location")
    if body_id:
        meetings = meetings.filter(body_id=body_id)
    if year:
        meetings = meetings.filter(date__year=year)
    items = agenda_items_visible_to(user).values("pk")
    meetings = meetings.annotate(
        item_count=Count("agenda_items", filter=Q(agenda_items__in=items), distinct=True)
    )
    if upcoming:
        return meetings.filter(date__gte=today).order_by("date", "start_time", "pk")
    return meetings.filter(date__lt=today).order_by("-date", "-start_time", "-pk")


def meeting_years(*, user) -> list[int]:
    return sorted(
        {day.year for day in meetings_visible_to(user).dates("date", "year")}, reverse=True
    )


def meeting_get_queryset(*, user) -> QuerySet[Meeting]:
    return meetings_visible_to(user).select_related("body", "location", "minutes_approved_in__body")


@dataclass
class Agenda:
    public: list[AgendaItem]
    nonpublic: list[AgendaItem]

    @property
    def items(self) -> list[AgendaItem]:
        return sorted(self.public + self.nonpublic, key=lambda item: item.position)


def agenda_items_for(*, user, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The items of ``meeting`` that ``user`` may see, with paper, resolution (with
    measures), speakers and the number of tasks."""
    return (
        agenda_items_visible_to(user)
        .filter(meeting=meeting)
        .select_related("paper", "resolution__referred_to")
        .prefetch_related(
            "speakers",
            Prefetch("resolution__measures", queryset=Measure.objects.select_related("goal")),
        )
        .annotate(task_count=Count("tasks", distinct=True))
        .order_by("position")
    )


def speakers_in_order(item: AgendaItem) -> list:
    """The item's speakers in the order the minutes text first names them (the
    order they spoke in); those it does not name follow alphabetically. Uses the
    prefetched speakers."""
    text = item.minutes_text

    def first_mention(person) -> tuple[int, str, str]:
        found = text.find(person.last_name) if person.last_name else -1
        return (found if found >= 0 else len(text) + 1, person.last_name, person.first_name)

    return sorted(item.speakers.all(), key=first_mention)


def meeting_agenda(*, user, meeting: Meeting) -> Agenda:
    """The visible items in their two parts. ``item.paper_visible`` says whether the
    user may see the item's paper (a visible item may treat a paper they may not)."""
    items = list(agenda_items_for(user=user, meeting=meeting))
    paper_ids = {item.paper_id for item in items if item.paper_id}
    visible = (
        set(papers_visible_to(user).filter(pk__in=paper_ids).values_list("pk", flat=True))
        if paper_ids
        else set()
    )
    for item in items:
        item.paper_visible = item.paper_id in visible
        item.resolution_or_none = getattr(item, "resolution", None)
        item.speakers_in_order = speakers_in_order(item)
    return Agenda(
        public=[item for item in items if item.is_public],
        nonpublic=[item for item in items if not item.is_public],
    )


def meeting_attachments(*, user, meeting: Meeting) -> list[Attachment]:
    return list(attachments_visible_to(user).filter(meeting=meeting).order_by("position", "pk"))


def meeting_attendance(*, meeting: Meeting) -> dict[str, list[Attendance]]:
    """Who attended: members present, excused, absent; guests."""
    groups: dict[str, list[Attendance]] = {
        "present": [],
        "excused": [],
        "absent": [],
        "guests": [],
    }
    for row in meeting.attendances.select_related("person"):
        key = "guests" if row.is_guest else row.status
        groups[key].append(row)
    return groups


def approval_meetings(*, user, meeting: Meeting) -> QuerySet[Meeting]:
    """Later meetings of the same body, at which the minutes may have been approved."""
    return (
        meetings_visible_to(user)
        .filter(body_id=meeting.body_id, date__gt=meeting.date)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("body")
        .order_by("date")
    )


def meeting_detail(*, user, meeting: Meeting) -> dict:
    """The context of the preparation hub."""
    return {
        "agenda": meeting_agenda(user=user, meeting=meeting),
        "attachments": meeting_attachments(user=user, meeting=meeting),
        "attendance": meeting_attendance(meeting=meeting),
        "minutes_visible": minutes_visible(user, meeting),
    }


# Forms


def agenda_papers(*, user) -> QuerySet[Paper]:
    """Papers an item may treat: those visible to ``user``, newest first."""
    return papers_visible_to(user).order_by("-year", "-serial", "supplement")


@dataclass
class MemberRow:
    membership: Membership
    attendance: Attendance | None

    @property
    def person(self) -> Person:
        return self.membership.person


def attendance_members(*, meeting: Meeting) -> list[MemberRow]:
    """The members of the body on the day of the meeting, each with its recorded
    attendance (if any); one row per person (their first membership)."""
    recorded = {row.person_id: row for row in meeting.attendances.filter(is_guest=False)}
    rows: dict[int, MemberRow] = {}
    memberships = (
        Membership.objects.filter(current_membership_q(today=meeting.date), body=meeting.body)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    for membership in memberships:
        if membership.person_id not in rows:
            rows[membership.person_id] = MemberRow(
                membership, recorded.pop(membership.person_id, None)
            )
    # People recorded as members who no longer hold a membership stay listed.
    for person_id, row in recorded.items():
        rows[person_id] = MemberRow(
            Membership(body=meeting.body, person=row.person, role=Membership.Role.MEMBER), row
        )
    return list(rows.values())


def attendance_guests(*, meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendances.filter(is_guest=True).select_related("person"))


def people_choices() -> QuerySet[Person]:
    """Network people who may attend as guests or speak."""
    return Person.objects.active().order_by("last_name", "first_name", "pk")


def attendee_ids(*, meeting: Meeting) -> list[int]:
    """Members present and guests, in the order of the attendance list."""
    return list(
        meeting.attendances.filter(status=Attendance.Status.PRESENT).values_list(
            "person_id", flat=True
        )
    )


def item_neighbours(*, user, item: AgendaItem) -> tuple[AgendaItem | None, AgendaItem | None]:
    """The visible items before and after ``item`` on its agenda."""
    items = agenda_items_visible_to(user).filter(meeting_id=item.meeting_id)
    previous = items.filter(position__lt=item.position).order_by("-position").first()
    following = items.filter(position__gt=item.position).order_by("position").first()
    return previous, following


def is_resolution_day(meeting: Meeting, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return meeting.status == Meeting.Status.HELD or meeting.date == today


def voting_present(*, meeting: Meeting) -> dict[str, int]:
    """How many were present, and how many of them with a vote (for the vote form)."""
    present = Q(status=Attendance.Status.PRESENT)
    return meeting.attendances.aggregate(
        present=Count("pk", filter=present),
        voting=Count("pk", filter=present & Q(has_vote=True)),
    )
