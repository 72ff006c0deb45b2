"""Follow-up tasks (Beschlusskontrolle): create, edit, close, and the reminders.

A task comes from an agenda item (and its resolution, if one was taken). When
it is closed as done with a ``measure_status``, the linked measure's status is
moved by a measures ``StatusUpdate`` in the same transaction.

Reminders (``task_reminders_send``, daily from the beat): the owner is mailed
``MINUTES_TASK_REMINDER_DAYS_BEFORE`` days before the due date and once after
it, each once per due date (``reminded_before_for`` / ``reminded_after_for``
hold the due date a reminder was sent for, so a changed due date gets new
reminders). A person is mailed only where ``consent_check`` allows reminders
of follow-up tasks; an organisation at its address (no consent needed), and
not at all without one. A task from a NON-PUBLIC agenda item is reminded with
its title, the body, the meeting's date and the item's number only: neither
the item's title, nor the task's description, nor any minutes text, because
an organisation's address is read by whoever reads that mailbox.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from actors.models import Organisation, Person
from integration.core.emails import email_send
from integration.core.models import User
from measures.models import Measure
from measures.selectors.updates import current_version_ids
from measures.services.updates import statusupdate_record

from ..models import AgendaItem, FollowUpTask
from ..selectors.tasks import ACTIVE, reminder_days, reminder_problem

logger = logging.getLogger(__name__)

CLOSED = (FollowUpTask.Status.DONE, FollowUpTask.Status.CANCELLED)


def _owner_check(owner_person: Person | None, owner_organisation: Organisation | None) -> None:
    if owner_person and owner_organisation:
        message = _("Please choose either a person or an organisation as owner, not both.")
    elif not owner_person and not owner_organisation:
        message = _("Please choose a person or an organisation as owner.")
    else:
        return
    raise ValidationError({"owner_person": message, "owner_organisation": message})


def _measure_check(measure: Measure | None, measure_status: str) -> None:
    if measure_status and measure is None:
        raise ValidationError(
            {"measure": _("Please choose the measure whose status the task sets when done.")}
        )
    if measure is not None and measure.goal.version_id not in current_version_ids():
        raise ValidationError(
            {"measure": _("Only measures of the current version of the concept can be linked.")}
        )


@transaction.atomic
def task_create(
    *,
    by: User,
    agenda_item: AgendaItem,
    title: str,
    due_on: date,
    owner_person: Person | None = None,
    owner_organisation: Organisation | None = None,
    description: str = "",
) -> FollowUpTask:
    """A new open task from ``agenda_item``, linked to its resolution if there is one.

    Exactly one owner (a person or an organisation of the network), German
    ``ValidationError`` otherwise. Permission: ``minutes.add_followuptask`` (view).
    """
    _owner_check(owner_person, owner_organisation)
    task = FollowUpTask(
        agenda_item=agenda_item,
        resolution=getattr(agenda_item, "resolution", None),
        title=(title or "").strip(),
        description=description or "",
        owner_person=owner_person,
        owner_organisation=owner_organisation,
        due_on=due_on,
        created_by=by,
    )
    task.full_clean()
    task.save()
    return task


def _done_note(task: FollowUpTask) -> str:
    meeting = task.agenda_item.meeting
    return _("Follow-up task done: %(title)s (%(body)s %(date)s, TOP %(number)s)") % {
        "title": task.title,
        "body": meeting.body.name,
        "date": formats.date_format(meeting.date, "d.m.Y"),
        "number": task.agenda_item.printed_number,
    }


@transaction.atomic
def task_update(*, by: User, task: FollowUpTask, **changes) -> FollowUpTask:
    """Change a task: title, description, owner, due date, status, closing note,
    measure and the status it sets when done.

    Done and cancelled need a closing note; ``closed_on`` is set to today when
    the task is closed and cleared when it is opened again. When the task
    becomes done with a ``measure_status``, a ``StatusUpdate`` of the measure is
    recorded through ``measures.services.updates.statusupdate_record`` in the
    same transaction: that checks ``can_update(by)`` (a coordinator may; a login
    without it gets its German error and nothing is saved). A changed due date
    gets new reminders. Permission: ``minutes.change_followuptask`` (view).
    """
    task = (
        FollowUpTask.objects.select_for_update(of=("self",))
        .select_related("agenda_item__meeting__body")
        .get(pk=task.pk)
    )
    was_status = task.status
    for name, value in changes.items():
        setattr(task, name, value)
    task.title = (task.title or "").strip()
    task.closing_note = (task.closing_note or "").strip()
    _owner_check(task.owner_person, task.owner_organisation)
    _measure_check(task.measure, task.measure_status)
    if task.status in CLOSED:
        if not task.closing_note:
            raise ValidationError(
                {"closing_note": _("Please describe in a closing note how the task ended.")}
            )
        if was_status not in CLOSED or task.closed_on is None:
            task.closed_on = timezone.localdate()
    else:
        task.closed_on = None
    task.full_clean()
    task.save()
    done = FollowUpTask.Status.DONE
    became_done = was_status != done and task.status == done
    if became_done and task.measure_status:
        statusupdate_record(
            by=by,
            measure=task.measure,
            date=timezone.localdate(),
            status=task.measure_status,
            note=_done_note(task),
        )
    return task


# --------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------

BEFORE, AFTER = "before", "after"
FIELDS = {BEFORE: "reminded_before_for", AFTER: "reminded_after_for"}


@dataclass
class ReminderSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # no consent, no address
    taken: int = 0  # another worker claimed it first


def _due_for(kind: str, today: date):
    """The active tasks whose ``kind`` reminder is due today and not sent for their due date."""
    tasks = FollowUpTask.objects.filter(status__in=ACTIVE)
    if kind == BEFORE:
        tasks = tasks.filter(due_on__gte=today, due_on__lte=today + timedelta(days=reminder_days()))
    else:
        tasks = tasks.filter(due_on__lt=today)
    return (
        tasks.exclude(**{FIELDS[kind]: F("due_on")})
        .select_related(
            "agenda_item__meeting__body", "owner_person", "owner_organisation", "resolution"
        )
        .prefetch_related("owner_person__consents")
        .order_by("due_on", "pk")
    )


def _claim(task: FollowUpTask, kind: str) -> bool:
    """Mark the reminder sent for the task's due date by a conditional UPDATE: of two
    workers only one succeeds; a task closed or moved meanwhile is left alone.

    At most once: the claim is committed before the mail goes out, so a worker
    killed between the two loses that one reminder rather than sending it twice
    (the task list still shows the task as due or overdue)."""
    return bool(
        FollowUpTask.objects.filter(pk=task.pk, due_on=task.due_on, status__in=ACTIVE)
        .exclude(**{FIELDS[kind]: task.due_on})
        .update(**{FIELDS[kind]: task.due_on})
    )


def _release(task: FollowUpTask, kind: str, previous: date | None) -> None:
    """The mail was not sent: give the claim back, so the next run tries again."""
    FollowUpTask.objects.filter(pk=task.pk, **{FIELDS[kind]: task.due_on}).update(
        **{FIELDS[kind]: previous}
    )


def reminder_context(task: FollowUpTask, kind: str) -> dict:
    """What the reminder shows; for a non-public item the task's title only (see above)."""
    item = task.agenda_item
    return {
        "task": task,
        "is_after": kind == AFTER,
        "meeting": item.meeting,
        "body": item.meeting.body,
        "item_number": item.printed_number,
        "is_public": item.is_public,
        "item_title": item.title if item.is_public else "",
        "description": task.description if item.is_public else "",
        "owner": task.owner,
        "salutation": task.owner_person.letter_salutation if task.owner_person_id else "",
    }


def _address(task: FollowUpTask) -> str:
    return task.owner_person.email if task.owner_person_id else task.owner_organisation.email


def task_reminders_send(*, today: date | None = None) -> ReminderSummary:
    """The daily reminder job: before and after the due date, each once per due date.

    Each reminder is claimed before it is sent (``_claim``) and released when
    the mail server refuses or cannot be reached, so the next run tries again;
    two workers send it once. Idempotent.
    """
    today = today or timezone.localdate()
    summary = ReminderSummary()
    connection = get_connection()
    for kind in (BEFORE, AFTER):
        for task in _due_for(kind, today):
            if reminder_problem(task):
                summary.skipped += 1
                continue
            previous = getattr(task, FIELDS[kind])
            if not _claim(task, kind):
                summary.taken += 1
                continue
            try:
                email_send(
                    template="minutes/emails/task_reminder",
                    context=reminder_context(task, kind),
                    to=[_address(task)],
                    connection=connection,
                )
            except OSError as error:  # smtplib.SMTPException is an OSError
                logger.warning("Reminder of task %s not sent: %s", task.pk, error)
                _release(task, kind, previous)
                summary.failed += 1
            else:
                summary.sent += 1
    return summary
