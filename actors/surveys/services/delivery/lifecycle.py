"""A survey's delivery over its life: launch, dispatch, the sweep, reminders, closing.

The mails themselves go through the outbox (``outbox``): these services make
the rows and enqueue them; the sweep (every minute) and the reminder job
(hourly) are the beat's entry points.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.core.models import User

from ...models import Invitation, Mail, ReminderRound, Survey
from .outbox import (
    enqueue_after_commit,
    german,
    invitation_mails_create,
    mails_enqueue,
    mails_interrupted_fail,
    sending_start,
)

# --------------------------------------------------------------------------
# Launch, dispatch, sweep
# --------------------------------------------------------------------------


@transaction.atomic
def survey_launch(*, by: User, survey: Survey) -> Survey:
    """Start a draft: RUNNING, and its invitations are sent by Celery after the commit.

    Refused (German ``ValidationError``) without questions, without recipients,
    or with a closing date in the past. Launching a running survey again (a
    double click, a second tab) changes nothing and sends nothing. The request
    makes no mail rows: ``survey_dispatch_task`` does, after the commit, so the
    request costs the same few queries for 5 or 5,000 recipients; if the broker
    is down the launch still succeeds and the sweep dispatches it later.
    Permission: ``surveys.change_survey`` (view).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.RUNNING:
        return survey
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("This survey is closed and cannot be launched again."))
    errors = []
    if not survey.questions.exists():
        errors.append(_("Add at least one question before launching the survey."))
    if not survey.invitations.exists():
        errors.append(_("Choose at least one recipient before launching the survey."))
    if survey.closes_on < timezone.localdate():
        errors.append(_("The closing date has passed; set a later one before launching."))
    if errors:
        raise ValidationError(errors)
    survey.status = Survey.Status.RUNNING
    survey.launched_at = timezone.now()
    survey.launched_by = by
    survey.save(update_fields=["status", "launched_at", "launched_by", "updated_at"])
    enqueue_after_commit("survey_dispatch_task", survey.pk)
    return survey


def survey_dispatch(*, survey_id: int) -> int:
    """Make the missing invitation mails of a running survey and enqueue those due.

    The body of ``survey_dispatch_task``; idempotent. Invitation mails are due
    at the launch, or on the opening day if that is later (the sweep sends them
    then). Returns how many rows were enqueued.
    """
    survey = Survey.objects.filter(pk=survey_id, status=Survey.Status.RUNNING).first()
    if survey is None:
        return 0
    invitation_mails_create(survey)
    return mails_enqueue(Mail.objects.filter(invitation__survey_id=survey_id), now=timezone.now())


@dataclass
class SweepSummary:
    closed: int = 0
    given_up: int = 0
    created: int = 0
    enqueued: int = 0


def mails_sweep(*, now: datetime | None = None) -> SweepSummary:
    """The periodic sweep (every minute): close due surveys, make missing invitation mails,
    enqueue every row that is due and has no live task.

    Enqueued are queued rows that are due (opening day reached, ``retry_after``
    passed) and were never enqueued, lost their task (``ENQUEUE_STALE``) or wait
    for a retry, and rows left ``sending`` beyond ``sending_timeout()`` by a
    dead worker (those whose every attempt ended so are failed instead). This is
    what makes a launch while Redis was down, a lost task or a killed worker end
    with every mail sent. Honestly, one window remains:
    a worker killed in the milliseconds between the server accepting a mail and
    the commit that marks it sent leaves the row ``sending``; after the timeout
    that one mail is sent again. Idempotent; a row enqueued twice is sent once.
    """
    now = now or timezone.now()
    summary = SweepSummary(closed=surveys_close_due(now=now))
    summary.given_up = mails_interrupted_fail(now)
    for survey in Survey.objects.filter(status=Survey.Status.RUNNING):
        summary.created += invitation_mails_create(survey)
    summary.enqueued = mails_enqueue(Mail.objects.all(), now=now)
    return summary


# --------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------


def _reminder_recipients(survey: Survey) -> QuerySet[Invitation]:
    """Invitations to remind: invited (mail sent), not answered, not opted out, and fewer
    than ``max_reminders`` reminders sent, on their way or failed (a failed one may have
    arrived after all, and "send again" must not make it one more)."""
    reminders = (
        Mail.objects.filter(invitation=OuterRef("pk"), kind=Mail.Kind.REMINDER)
        .exclude(status=Mail.Status.CANCELLED)
        .order_by()
        .values("invitation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    invited = Mail.objects.filter(
        invitation=OuterRef("pk"), kind=Mail.Kind.INVITATION, status=Mail.Status.SENT
    )
    return (
        survey.invitations.filter(has_responded=False, opted_out_at__isnull=True)
        .filter(Exists(invited))
        .annotate(reminders=Coalesce(Subquery(reminders), Value(0)))
        .filter(reminders__lt=survey.max_reminders)
    )


def _round_create(survey: Survey, *, day: int | None, by: User | None) -> ReminderRound:
    """A new reminder round with its mails, sent after the commit; the survey is locked."""
    number = (survey.reminder_rounds.aggregate(newest=Max("number"))["newest"] or 0) + 1
    round_ = ReminderRound.objects.create(survey=survey, number=number, day=day, created_by=by)
    now = timezone.now()
    ids = _reminder_recipients(survey).values_list("pk", flat=True)
    Mail.objects.bulk_create(
        [
            Mail(invitation_id=pk, kind=Mail.Kind.REMINDER, reminder_round=round_, due_at=now)
            for pk in ids
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    enqueue_after_commit("survey_dispatch_task", survey.pk)
    return round_


@transaction.atomic
def _round_plan(*, survey_id: int, day: int) -> ReminderRound | None:
    # The survey's lock makes a second beat run wait and then find the round.
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey.status != Survey.Status.RUNNING or survey.reminder_rounds.filter(day=day).exists():
        return None
    return _round_create(survey, day=day, by=None)


def reminders_plan(*, now: datetime | None = None) -> int:
    """The hourly reminder job: plan each running survey's reminder day once it is reached.

    Day ``d`` of ``reminder_days`` counts from when the invitations went out
    (the launch, or the opening day if later). Only the latest day reached is
    planned: after an outage nobody gets two reminders at once. A round is made
    once per day (``ReminderRound``'s unique day), with a mail for everyone
    ``_reminder_recipients`` finds. Returns the number of new rounds; idempotent.
    """
    now = now or timezone.now()
    planned = 0
    running = Survey.objects.filter(status=Survey.Status.RUNNING, launched_at__isnull=False)
    for survey in running:
        start = sending_start(survey)
        reached = [day for day in survey.reminder_days if start + timedelta(days=day) <= now]
        if (
            reached
            and now < survey.closes_at
            and _round_plan(survey_id=survey.pk, day=max(reached))
        ):
            planned += 1
    return planned


@transaction.atomic
def survey_remind(*, by: User, survey: Survey, last_round_number: int) -> ReminderRound | None:
    """Remind now ("Jetzt erinnern"): a new round for those ``_reminder_recipients`` finds.

    ``last_round_number`` is the newest round the coordinator saw; if another
    round was made meanwhile (double click, second tab) nothing happens and
    None is returned. Refused (German) when the survey does not take answers
    or nobody is left to remind. Permission: ``surveys.change_survey`` (view).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.accepts_answers():
        raise ValidationError(_("Reminders can only be sent while the survey takes answers."))
    newest = survey.reminder_rounds.aggregate(newest=Max("number"))["newest"] or 0
    if newest != last_round_number:
        return None
    if not _reminder_recipients(survey).exists():
        raise ValidationError(
            _(
                "Nobody is left to remind: everyone invited has answered, opted out "
                "or received the most reminders allowed."
            )
        )
    return _round_create(survey, day=None, by=by)


# --------------------------------------------------------------------------
# Closing
# --------------------------------------------------------------------------


@transaction.atomic
def survey_close(*, by: User | None = None, survey: Survey) -> Survey:
    """Close a running survey: CLOSED, and its queued mails are cancelled ("Umfrage beendet").

    Idempotent: closing a closed survey changes nothing. Drafts are refused
    (delete them instead). ``by`` is None when the closing date closed it.
    Permission: ``surveys.change_survey`` (view).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        return survey
    if survey.status != Survey.Status.RUNNING:
        raise ValidationError(_("A draft has not been launched and cannot be closed."))
    now = timezone.now()
    survey.status = Survey.Status.CLOSED
    survey.closed_at = now
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    # Rows a worker has claimed are left to it: it checks the survey right
    # before each mail and cancels the rest, while one already on its way ends "sent".
    Mail.objects.filter(invitation__survey=survey, status=Mail.Status.QUEUED).update(
        status=Mail.Status.CANCELLED, error=german(_("Survey closed")), updated_at=now
    )
    return survey


def surveys_close_due(*, now: datetime | None = None) -> int:
    """Close the running surveys whose closing day has ended; returns how many."""
    today = timezone.localdate(now or timezone.now())
    due = Survey.objects.filter(status=Survey.Status.RUNNING, closes_on__lt=today)
    closed = 0
    for survey in due:
        survey_close(survey=survey)
        closed += 1
    return closed


@transaction.atomic
def mail_retry(*, by: User, mail: Mail) -> Mail:
    """Queue a failed mail again with fresh attempts, and enqueue it after the commit.

    Only failed mails of running surveys (German ``ValidationError`` otherwise).
    Permission: ``surveys.change_survey`` (view).
    """
    mail = (
        Mail.objects.select_for_update(of=("self",))
        .select_related("invitation__survey")
        .get(pk=mail.pk)
    )
    if mail.status != Mail.Status.FAILED:
        raise ValidationError(_("Only a failed mail can be sent again."))
    if mail.invitation.survey.status != Survey.Status.RUNNING:
        raise ValidationError(_("The survey is no longer running."))
    mail.status = Mail.Status.QUEUED
    mail.attempts = 0
    mail.retry_after = mail.failed_at = mail.enqueued_at = mail.sending_since = None
    mail.error = ""
    mail.save(
        update_fields=[
            "status",
            "attempts",
            "retry_after",
            "failed_at",
            "enqueued_at",
            "sending_since",
            "error",
            "updated_at",
        ]
    )
    enqueue_after_commit("mails_send_task", [mail.pk])
    return mail
