"""The outbox of survey mails: enqueue due rows, claim, send, record the outcome.

Every invitation and reminder is a ``Mail`` row (``queued → sending → sent |
failed | cancelled``); Celery only carries row ids, in batches. The claiming,
sending, retrying and giving up are the shared outbox (``integration.core.outbox``,
see its docstring); this module says what a survey mail is: which rows may
still go (survey running, not opted out, not answered for reminders, consent
for surveys) and how the mail is made. So a task that runs twice
(``acks_late``), a double click or a sweep enqueuing a row again sends nothing
twice.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from actors.models import Consent
from actors.selectors import consent_check
from integration.core import outbox as core
from integration.core.outbox import (  # noqa: F401 (re-exported for the lifecycle and tests)
    BACKOFF_MAX,
    ENQUEUE_STALE,
    ERROR_MAX_LENGTH,
    SendSummary,
    german,
    sending_timeout,
)

from ...models import Mail, Survey
from .mails import mail_context, mail_deliver

# How often a batch being sent looks again whether its mails may still go
# (read at every check, so tests can set it to 0).
CLAIM_RECHECK_SECONDS = 1.0


def enqueue_after_commit(task_name: str, *args) -> None:
    """Enqueue a task once the transaction commits; a broker that is down fails nothing.

    ``robust``: if Redis is down the request still succeeds, and the sweep
    sends the rows once the broker is back.
    """

    def enqueue() -> None:
        from ... import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(enqueue, robust=True)


def sending_start(survey: Survey) -> datetime:
    """When the invitations go out: at the launch, or on the opening day if that is later."""
    return max(survey.launched_at, survey.opens_at)


def invitation_mails_create(survey: Survey) -> int:
    """Make the invitation mail of every invitation that has none yet; returns how many."""
    has_mail = Mail.objects.filter(invitation=OuterRef("pk"), kind=Mail.Kind.INVITATION)
    missing = survey.invitations.exclude(Exists(has_mail)).values_list("pk", flat=True)
    due_at = sending_start(survey)
    mails = [Mail(invitation_id=pk, kind=Mail.Kind.INVITATION, due_at=due_at) for pk in missing]
    # The unique constraint keeps one invitation mail per invitation when two
    # dispatches race; the loser's rows are dropped.
    Mail.objects.bulk_create(mails, batch_size=1000, ignore_conflicts=True)
    return len(mails)


class SurveyOutbox(core.Outbox):
    """Survey invitations and reminders as an outbox."""

    model = Mail
    label = "Survey mail"

    @property
    def claim_recheck_seconds(self) -> float:
        return CLAIM_RECHECK_SECONDS

    def max_attempts(self) -> int:
        return settings.SURVEY_MAIL_MAX_ATTEMPTS

    def batch_size(self) -> int:
        return settings.SURVEY_BATCH_SIZE

    def enqueue(self, ids: list[int]) -> None:
        from ... import tasks

        tasks.mails_send_task.delay(ids)

    def load(self, ids: list[int]) -> QuerySet[Mail]:
        """The batch's rows with what the rules and the mail need, in two queries."""
        return (
            Mail.objects.filter(pk__in=ids)
            .select_related("invitation__survey", "invitation__person")
            .prefetch_related("invitation__person__consents")
        )

    def obstacle(self, mail: Mail, now: datetime) -> str:
        """Survey closed, opted out, answered (reminders), no consent for surveys."""
        invitation = mail.invitation
        survey = invitation.survey
        if survey.status != Survey.Status.RUNNING or now >= survey.closes_at:
            return _("Survey closed")
        if invitation.opted_out_at is not None:
            return _("Opted out")
        if mail.kind == Mail.Kind.REMINDER and invitation.has_responded:
            return _("Already answered")
        check = consent_check(person=invitation.person, purpose=Consent.Purpose.SURVEYS)
        return "" if check.allowed else check.reason

    def still_sendable(self, rows: QuerySet[Mail]) -> QuerySet[Mail]:
        valid_consent = Consent.objects.filter(
            person=OuterRef("invitation__person"),
            purpose=Consent.Purpose.SURVEYS,
            withdrawn_at__isnull=True,
        )
        return rows.filter(
            Exists(valid_consent),
            Q(kind=Mail.Kind.INVITATION) | Q(invitation__has_responded=False),
            invitation__survey__status=Survey.Status.RUNNING,
            invitation__opted_out_at__isnull=True,
        )

    def context(self, mail: Mail) -> dict:
        # LookupError: the key that made this link was removed from SECRET_KEY_FALLBACKS.
        return mail_context(mail)

    def context_error(self) -> str:
        return _("The personal link cannot be made any more (server key changed).")

    def deliver(self, mail: Mail, context: dict, connection) -> None:
        mail_deliver(mail, context, connection)


OUTBOX = SurveyOutbox()


def mails_enqueue(mails: QuerySet[Mail], *, now: datetime) -> int:
    """Hand the due rows of ``mails`` to ``mails_send_task`` in batches; returns how many."""
    return OUTBOX.rows_enqueue(mails, now=now)


def mails_interrupted_fail(now: datetime) -> int:
    """Give up rows whose every attempt ended with a dead worker."""
    return OUTBOX.interrupted_fail(now)


def mails_send(*, mail_ids: list[int]) -> SendSummary:
    """Send the given outbox rows through one SMTP connection; the body of ``mails_send_task``.

    See ``integration.core.outbox.Outbox.send``: rows final, being sent by
    another worker or not due are skipped; rows are cancelled with the German
    reason when the survey ended, the person opted out, answered (reminders) or
    may no longer be mailed for surveys. Harmless to run twice.
    """
    return OUTBOX.send(ids=mail_ids)
