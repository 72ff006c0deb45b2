"""Reads of the Beschlusskontrolle: the overview per body, traffic lights, and
why a task's owner cannot be reminded."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Consent, Organisation
from actors.selectors import consent_check

from ..models import Body, FollowUpTask, Resolution
from .access import resolutions_visible_to, tasks_visible_to

ACTIVE = (FollowUpTask.Status.OPEN, FollowUpTask.Status.IN_PROGRESS)

RED, YELLOW, GREEN = "red", "yellow", "green"


def reminder_days() -> int:
    return settings.MINUTES_TASK_REMINDER_DAYS_BEFORE


def traffic_light(task: FollowUpTask, *, today: date | None = None) -> str:
    """``red``: overdue; ``yellow``: due within ``MINUTES_TASK_REMINDER_DAYS_BEFORE``
    days (today included); ``green``: due later, done or cancelled."""
    if task.status not in ACTIVE:
        return GREEN
    today = today or timezone.localdate()
    if task.due_on < today:
        return RED
    if task.due_on <= today + timedelta(days=reminder_days()):
        return YELLOW
    return GREEN


def organisation_reminder_problem(organisation: Organisation) -> str:
    """Why an organisation cannot be reminded (German), or ``""``. Organisations
    are not people: no consent is needed, only an address."""
    if organisation.is_archived:
        return _("The organisation is archived.")
    if not organisation.email:
        return _("The organisation has no email address.")
    return ""


def reminder_problem(task: FollowUpTask) -> str:
    """Why the owner of ``task`` cannot be reminded by mail (German), or ``""``."""
    if task.owner_person_id:
        check = consent_check(person=task.owner_person, purpose=Consent.Purpose.TASKS)
        return "" if check.allowed else check.reason
    return organisation_reminder_problem(task.owner_organisation)


def tasks_list(*, user, queryset: QuerySet[FollowUpTask] | None = None) -> QuerySet:
    """The tasks ``user`` may see with what the overview shows, in three queries."""
    tasks = tasks_visible_to(user) if queryset is None else queryset
    return tasks.select_related(
        "agenda_item__meeting__body",
        "resolution",
        "owner_person",
        "owner_organisation",
        "measure__goal",
    ).prefetch_related("owner_person__consents")


@dataclass
class TaskRow:
    task: FollowUpTask
    light: str
    problem: str
    # The resolution it came from, if the user may read those minutes.
    resolution: Resolution | None = None


@dataclass
class BodyGroup:
    body: Body
    rows: list[TaskRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.light == RED for row in self.rows)

    @property
    def due_soon(self) -> int:
        return sum(row.light == YELLOW for row in self.rows)


def tasks_by_body(
    tasks: QuerySet[FollowUpTask], *, user, today: date | None = None
) -> list[BodyGroup]:
    """``tasks`` (from ``tasks_list``) grouped by the body of their meeting, bodies by
    name, tasks by due date; each with its traffic light, reminder problem and the
    resolution it came from where ``user`` may read it."""
    today = today or timezone.localdate()
    groups: dict[int, BodyGroup] = {}
    ordered = list(tasks.order_by("agenda_item__meeting__body__name", "due_on", "pk"))
    resolution_ids = [task.resolution_id for task in ordered if task.resolution_id]
    readable = (
        set(resolutions_visible_to(user).filter(pk__in=resolution_ids).values_list("pk", flat=True))
        if resolution_ids
        else set()
    )
    for task in ordered:
        body = task.agenda_item.meeting.body
        group = groups.setdefault(body.pk, BodyGroup(body=body))
        active = task.status in ACTIVE
        group.rows.append(
            TaskRow(
                task=task,
                light=traffic_light(task, today=today),
                problem=reminder_problem(task) if active else "",
                resolution=task.resolution if task.resolution_id in readable else None,
            )
        )
    return list(groups.values())
