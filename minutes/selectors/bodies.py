"""Reads of bodies, their members and meetings, and the overview of the committee work.

Every queryset starts from ``minutes.selectors.access``; each page runs a
constant number of queries however many bodies, members and meetings there are.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actors.models import Affiliation
from actors.selectors import current_q

from ..models import Body, FollowUpTask, Meeting, Membership
from .access import (
    bodies_visible_to,
    current_membership_q,
    meetings_visible_to,
    scope_for,
    tasks_visible_to,
)

# The order in which a body's members are listed.
ROLE_ORDER = [
    Membership.Role.CHAIR,
    Membership.Role.DEPUTY_CHAIR,
    Membership.Role.MEMBER,
    Membership.Role.CITIZEN,
    Membership.Role.ADVISORY,
    Membership.Role.SECRETARY,
]
# How many past meetings a body's page lists.
PAST_MEETINGS_SHOWN = 20
# The overview looks this far ahead.
OVERVIEW_WEEKS = 8
OPEN_TASK_STATUSES = (FollowUpTask.Status.OPEN, FollowUpTask.Status.IN_PROGRESS)


def is_current_membership(membership: Membership, today: date | None = None) -> bool:
    """``access.current_membership_q`` for a loaded row (start and end day included)."""
    today = today or timezone.localdate()
    started = membership.start_date is None or membership.start_date <= today
    return started and (membership.end_date is None or membership.end_date >= today)


def _next_meetings(user, today: date) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .filter(body=OuterRef("pk"), date__gte=today)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("date", "start_time")
    )


def body_list(*, user) -> QuerySet[Body]:
    """Bodies ``user`` may see with their number of current members and next meeting."""
    today = timezone.localdate()
    members = (
        Membership.objects.filter(current_membership_q(today=today), body=OuterRef("pk"))
        .order_by()
        .values("body")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bodies_visible_to(user).annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
        next_meeting_date=Subquery(_next_meetings(user, today).values("date")[:1]),
        next_meeting_id=Subquery(_next_meetings(user, today).values("pk")[:1]),
    )


def bodies_split(bodies) -> tuple[list[Body], list[Body]]:
    """Formal bodies and informal ones of the network, apart."""
    bodies = list(bodies)
    return [b for b in bodies if b.is_formal], [b for b in bodies if not b.is_formal]


def memberships_visible_to(user) -> QuerySet[Membership]:
    """Memberships of the bodies ``user`` may see."""
    return Membership.objects.filter(body__in=bodies_visible_to(user))


@dataclass
class RoleGroup:
    role: str
    label: str
    memberships: list[Membership] = field(default_factory=list)


@dataclass
class BodyDetail:
    current: list[RoleGroup]
    current_count: int
    former: list[Membership]
    upcoming_meetings: list[Meeting]
    past_meetings: list[Meeting]
    past_meetings_total: int


def body_detail(*, user, body: Body) -> BodyDetail:
    """Members of ``body`` by role (former ones apart) and its meetings ``user`` may see."""
    today = timezone.localdate()
    memberships = list(
        body.memberships.select_related("person__user").prefetch_related(
            Prefetch(
                "person__affiliations",
                queryset=Affiliation.objects.select_related("organisation").filter(current_q()),
                to_attr="current_affiliations",
            )
        )
    )
    groups = {role: RoleGroup(role=role, label=role.label) for role in ROLE_ORDER}
    former = []
    for membership in memberships:
        if is_current_membership(membership, today):
            groups[membership.role].memberships.append(membership)
        elif membership.start_date is not None and membership.start_date > today:
            # Not seated yet: shown with its role, the start date tells.
            groups[membership.role].memberships.append(membership)
        else:
            former.append(membership)
    former.sort(key=lambda m: m.end_date or today, reverse=True)
    meetings = meetings_visible_to(user).filter(body=body).select_related("location")
    past = meetings.filter(date__lt=today).order_by("-date", "-start_time")
    return BodyDetail(
        current=[group for group in groups.values() if group.memberships],
        current_count=sum(len(group.memberships) for group in groups.values()),
        former=former,
        upcoming_meetings=list(meetings.filter(date__gte=today).order_by("date", "start_time")),
        past_meetings=list(past[:PAST_MEETINGS_SHOWN]),
        past_meetings_total=past.count(),
    )


@dataclass
class TaskCounts:
    body: Body
    open: int
    overdue: int


@dataclass
class Overview:
    upcoming: list[Meeting]
    draft_minutes: list[Meeting]
    tasks: list[TaskCounts]
    weeks: int = OVERVIEW_WEEKS


def overview(*, user) -> Overview:
    """The start page: meetings of the next weeks, minutes still in draft, open tasks per body.

    Draft minutes are listed only where ``user`` may read them (``access.minutes_visible``:
    Koordination and the body's members).
    """
    today = timezone.localdate()
    meetings = meetings_visible_to(user).select_related("body", "location")
    upcoming = meetings.filter(
        date__gte=today, date__lte=today + timedelta(weeks=OVERVIEW_WEEKS)
    ).order_by("date", "start_time")
    scope = scope_for(user)
    drafts = meetings.filter(minutes_status=Meeting.MinutesStatus.DRAFT)
    if not scope.everything:
        drafts = drafts.filter(body_id__in=scope.body_ids)
    counts = (
        tasks_visible_to(user)
        .filter(status__in=OPEN_TASK_STATUSES)
        .order_by()
        .values("agenda_item__meeting__body")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    counts = {row["agenda_item__meeting__body"]: row for row in counts}
    bodies = Body.objects.filter(pk__in=counts).order_by("name") if counts else []
    return Overview(
        upcoming=list(upcoming),
        draft_minutes=list(drafts.order_by("-date")),
        tasks=[
            TaskCounts(body=b, open=counts[b.pk]["open"], overdue=counts[b.pk]["overdue"])
            for b in bodies
        ],
    )
