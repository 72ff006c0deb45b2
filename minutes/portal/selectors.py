"""Reads of the public portal (Bürgerinfo), scoped by ``minutes.selectors.access``.

Every queryset starts from one of the ``*_visible_to`` functions for the visitor
(anonymous visitors get the public scope), so a page cannot show what they do not
return. Each function keeps its page at a constant number of queries, however many
meetings, items, papers or tasks there are.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import AgendaItem, Attachment, Body, Meeting, Membership, Paper, Resolution
from ..selectors import meetings as meeting_selectors
from ..selectors import papers as paper_selectors
from ..selectors.access import (
    agenda_items_visible_to,
    attachments_visible_to,
    bodies_visible_to,
    current_membership_q,
    meetings_visible_to,
    minutes_items_visible_to,
    papers_visible_to,
    person_is_public,
    public_people_q,
    tasks_visible_to,
)
from ..selectors.bodies import ROLE_ORDER
from ..selectors.tasks import ACTIVE, BodyGroup, TaskRow, traffic_light

# How many meetings the start page and a body's page list.
INDEX_MEETINGS = 8
INDEX_MINUTES = 5
BODY_PAST_MEETINGS = 10


def public_bodies() -> QuerySet[Body]:
    """The bodies anyone may see (their calendar feeds exist)."""
    return bodies_visible_to(AnonymousUser())


# Start page


def upcoming_meetings(*, user, limit: int = INDEX_MEETINGS) -> list[Meeting]:
    """The next visible meetings from today on, soonest first."""
    today = timezone.localdate()
    return list(
        meetings_visible_to(user)
        .filter(date__gte=today)
        .select_related("body", "location")
        .order_by("date", "start_time", "pk")[:limit]
    )


def recent_minutes(*, user, limit: int = INDEX_MINUTES) -> list[Meeting]:
    """Visible meetings whose minutes were published most recently."""
    return list(
        meetings_visible_to(user)
        .filter(minutes_status=Meeting.MinutesStatus.PUBLISHED)
        .select_related("body")
        .order_by("-minutes_published_at", "-date", "-pk")[:limit]
    )


# Bodies


def body_list(*, user) -> list[Body]:
    """The bodies ``user`` may see, by name, each with the date of its next meeting."""
    today = timezone.localdate()
    next_meeting = (
        meetings_visible_to(user)
        .filter(body=OuterRef("pk"), date__gte=today)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("date", "start_time")
    )
    return list(
        bodies_visible_to(user)
        .annotate(
            next_meeting_date=Subquery(next_meeting.values("date")[:1]),
            next_meeting_id=Subquery(next_meeting.values("pk")[:1]),
        )
        .order_by("name")
    )


def body_get_queryset(*, user) -> QuerySet[Body]:
    return bodies_visible_to(user)


def body_members(*, body: Body) -> list[Membership]:
    """The current members of ``body`` whose names may be published, by role and name."""
    memberships = list(
        Membership.objects.filter(
            current_membership_q(), public_people_q("person__"), body=body
        ).select_related("person")
    )
    memberships.sort(
        key=lambda m: (ROLE_ORDER.index(m.role), m.person.last_name, m.person.first_name, m.pk)
    )
    return memberships


def body_meetings(*, user, body: Body) -> dict[str, list[Meeting]]:
    """The body's upcoming meetings (soonest first) and its latest past ones."""
    today = timezone.localdate()
    meetings = meetings_visible_to(user).filter(body=body).select_related("location")
    return {
        "upcoming": list(meetings.filter(date__gte=today).order_by("date", "start_time", "pk")),
        "past": list(
            meetings.filter(date__lt=today).order_by("-date", "-start_time", "-pk")[
                :BODY_PAST_MEETINGS
            ]
        ),
    }


def body_has_public_feed(body: Body) -> bool:
    """Whether the public calendar feed of ``body`` exists (public bodies only)."""
    return public_bodies().filter(pk=body.pk).exists()


# The meeting calendar


def month_start(value: str | None, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month "2026-11" (the current month when missing or malformed)."""
    today = today or timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    # The previous and next month must exist too (years 1 to 9999).
    if not datetime.date(1, 2, 1) <= first <= datetime.date(9999, 11, 1):
        return today.replace(day=1)
    return first


def month_shift(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Day:
    date: datetime.date
    meetings: list[Meeting] = field(default_factory=list)


def month_meetings(*, user, first: datetime.date, body: Body | None = None) -> list[Day]:
    """The visible meetings of the month starting ``first`` (of ``body`` only, if
    given), grouped by day (days without meetings left out)."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    meetings = (
        meetings_visible_to(user)
        .filter(date__range=(first, last))
        .select_related("body", "location")
        .order_by("date", "start_time", "body__name", "pk")
    )
    if body is not None:
        meetings = meetings.filter(body=body)
    days: dict[datetime.date, Day] = {}
    for meeting in meetings:
        days.setdefault(meeting.date, Day(date=meeting.date)).meetings.append(meeting)
    return list(days.values())


# A meeting and its agenda


def meeting_get_queryset(*, user) -> QuerySet[Meeting]:
    return meetings_visible_to(user).select_related("body", "location")


def meeting_agenda(*, user, meeting: Meeting) -> meeting_selectors.Agenda:
    """The items ``user`` may see in their two parts (``meetings.meeting_agenda``);
    ``item.outcome`` is the resolution where ``user`` may read the minutes."""
    agenda = meeting_selectors.meeting_agenda(user=user, meeting=meeting)
    readable = set(
        minutes_items_visible_to(user).filter(meeting=meeting).values_list("pk", flat=True)
    )
    for item in agenda.items:
        item.outcome = item.resolution_or_none if item.pk in readable else None
    return agenda


def meeting_files(*, user, meeting: Meeting) -> list[Attachment]:
    return list(
        attachments_visible_to(user)
        .filter(meeting=meeting)
        .defer("text")
        .order_by("position", "pk")
    )


# An agenda item


def item_get_queryset(*, user) -> QuerySet[AgendaItem]:
    return agenda_items_visible_to(user).select_related(
        "meeting__body", "meeting__location", "paper"
    )


@dataclass
class ItemMinutes:
    """What the minutes say about an item, for those who may read them."""

    resolution: object | None
    speakers: list
    tasks: list[TaskRow]


def item_minutes(*, user, item: AgendaItem) -> ItemMinutes | None:
    """Minutes text aside (on the item), the resolution, the speakers whose names
    may be published and the follow-up tasks of ``item``; None when ``user`` may
    not read its minutes."""
    if not minutes_items_visible_to(user).filter(pk=item.pk).exists():
        return None
    resolution = Resolution.objects.filter(agenda_item=item).select_related("referred_to").first()
    speakers = [
        person for person in meeting_selectors.speakers_in_order(item) if person_is_public(person)
    ]
    today = timezone.localdate()
    tasks = [
        TaskRow(task=task, light=traffic_light(task, today=today), problem="")
        for task in tasks_visible_to(user)
        .filter(agenda_item=item)
        .select_related("owner_organisation")
        .order_by("due_on", "pk")
    ]
    return ItemMinutes(resolution=resolution, speakers=speakers, tasks=tasks)


def paper_if_visible(*, user, paper_id: int | None) -> Paper | None:
    if paper_id is None:
        return None
    return papers_visible_to(user).filter(pk=paper_id).first()


# Papers


def paper_list(
    *, user, body: Body | None = None, year: int | None = None, kind: str = ""
) -> QuerySet[Paper]:
    """The papers ``user`` may see, newest first, filtered by the body consulting
    them (Beratungsfolge or agenda), year and kind."""
    papers = papers_visible_to(user).select_related("lead_department")
    if body is not None:
        papers = papers.filter(
            pk__in=Paper.objects.filter(
                Q(consultations__body=body) | Q(agenda_items__meeting__body=body)
            ).values("pk")
        )
    if year:
        papers = papers.filter(year=year)
    if kind:
        papers = papers.filter(kind=kind)
    return papers.order_by("-date", "-year", "-serial", "supplement")


def paper_years(*, user) -> list[int]:
    return paper_selectors.paper_years(user=user)


def paper_get_queryset(*, user) -> QuerySet[Paper]:
    return papers_visible_to(user).select_related("lead_department", "author", "main_paper")


def _consultations_in_visible_bodies(*, user, paper: Paper) -> list:
    """The Beratungsfolge (``papers.paper_consultations``) without the steps in bodies
    ``user`` may not see: a public paper must not name a non-public body."""
    rows = paper_selectors.paper_consultations(user=user, paper=paper)
    body_ids = {row.consultation.body_id for row in rows}
    visible = (
        set(bodies_visible_to(user).filter(pk__in=body_ids).values_list("pk", flat=True))
        if body_ids
        else set()
    )
    return [row for row in rows if row.consultation.body_id in visible]


def paper_detail(*, user, paper: Paper) -> dict:
    """What a paper's page shows beyond the paper itself, scoped to ``user``."""
    author = paper.author if person_is_public(paper.author) else None
    return {
        "author_name": paper_selectors.person_name(author),
        "main_paper": paper_selectors.paper_main_visible(user=user, paper=paper),
        "supplements": paper_selectors.paper_supplements(user=user, paper=paper),
        "related": paper_selectors.paper_related(user=user, paper=paper),
        "referenced_by": paper_selectors.paper_referenced_by(user=user, paper=paper),
        "consultations": _consultations_in_visible_bodies(user=user, paper=paper),
        "attachments": paper_selectors.paper_attachments(user=user, paper=paper),
    }


# The Beschlusskontrolle


def task_groups(*, user, body: Body | None = None) -> list[BodyGroup]:
    """The follow-up tasks of items whose minutes ``user`` may read (so the tasks of
    unpublished minutes stay hidden from the public), grouped by body, tasks by due
    date, each with its traffic light and the resolution it came from."""
    tasks = (
        tasks_visible_to(user)
        .filter(agenda_item__in=minutes_items_visible_to(user))
        .select_related("agenda_item__meeting__body", "resolution", "owner_organisation")
        .order_by("agenda_item__meeting__body__name", "due_on", "pk")
    )
    if body is not None:
        tasks = tasks.filter(agenda_item__meeting__body=body)
    today = timezone.localdate()
    groups: dict[int, BodyGroup] = {}
    for task in tasks:
        meeting_body = task.agenda_item.meeting.body
        group = groups.setdefault(meeting_body.pk, BodyGroup(body=meeting_body))
        # The item's minutes are readable, and with them its resolution.
        group.rows.append(
            TaskRow(
                task=task,
                light=traffic_light(task, today=today),
                problem="",
                resolution=task.resolution,
            )
        )
    return list(groups.values())


def task_counts(groups: list[BodyGroup]) -> dict[str, int]:
    rows = [row for group in groups for row in group.rows]
    return {
        "total": len(rows),
        "active": sum(row.task.status in ACTIVE for row in rows),
        "overdue": sum(group.overdue for group in groups),
    }
