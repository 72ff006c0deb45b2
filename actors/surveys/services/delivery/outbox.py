"""The outbox of survey mails: enqueue due rows, claim, send, record the outcome.

Every invitation and reminder is a ``Mail`` row (``queued → sending → sent |
failed | cancelled``); Celery only carries row ids, in batches. A mail is sent
by whoever claims its row: the claim (a conditional UPDATE, which locks the row
and checks its state at once) skips final rows, rows another worker is sending
and rows not yet due, cancels rows whose person may no longer be mailed, and
marks the others ``sending``; each mail then goes to the server outside any
transaction, and its row is marked ``sent`` only if it still carries that
claim. So a task that runs twice (``acks_late``), a double click or a sweep
enqueuing a row again sends nothing twice.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from actors.models import Consent
from actors.selectors import consent_check
from integration.core.smtp_errors import breaks_connection, is_permanent, smtp_text

from ...models import Mail, Survey
from .mails import mail_context, mail_deliver

logger = logging.getLogger(__name__)

# A row enqueued this long ago and still queued lost its task (a broker that
# lost its data, a purged queue): the sweep enqueues it again.
ENQUEUE_STALE = timedelta(minutes=10)
# The longest wait between two attempts of a mail.
BACKOFF_MAX = timedelta(hours=1)
# The error text kept on a row (the server's message can be long).
ERROR_MAX_LENGTH = 1000


def sending_timeout() -> timedelta:
    """How long a row may stay ``sending`` before it counts as left by a dead worker.

    A batch is claimed when its task starts and a task is killed at Celery's
    hard time limit, so a live worker never holds a row longer than that. Only
    the prefork pool (Celery's default, as in docker-compose.yml) enforces the
    limit; with ``--pool solo`` or threads a hung task could hold its rows
    longer, and the sweep would send them a second time.
    """
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def enqueue_after_commit(task_name: str, *args) -> None:
    """Enqueue a task once the transaction commits; a broker that is down fails nothing.

    ``robust``: if Redis is down the request still succeeds, and the sweep
    sends the rows once the broker is back.
    """

    def enqueue() -> None:
        from ... import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(enqueue, robust=True)


def german(message) -> str:
    """A reason stored on a row: always German, whoever triggered it."""
    with translation.override("de"):
        return str(message)


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


def _due_q(now: datetime) -> Q:
    """Rows a worker should be given now: queued and due, or left ``sending`` by a dead worker."""
    queued = (
        Q(status=Mail.Status.QUEUED, due_at__lte=now)
        & (Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        # Not enqueued yet, its task lost, or waiting for a retry since it was enqueued.
        & (
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=now - ENQUEUE_STALE)
            | Q(enqueued_at__lt=F("retry_after"))
        )
    )
    return queued | Q(status=Mail.Status.SENDING, sending_since__lt=now - sending_timeout())


def mails_enqueue(mails: QuerySet[Mail], *, now: datetime) -> int:
    """Hand the due rows of ``mails`` to ``mails_send_task`` in batches; returns how many."""
    from ... import tasks

    ids = list(mails.filter(_due_q(now)).order_by("due_at", "pk").values_list("pk", flat=True))
    size = settings.SURVEY_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        tasks.mails_send_task.delay(batch)
        # After delay(): if the broker refuses, the rows stay "never enqueued"
        # and the next sweep takes them at once.
        Mail.objects.filter(pk__in=batch, status=Mail.Status.QUEUED).update(
            enqueued_at=timezone.now()
        )
    return len(ids)


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0


def _mail_obstacle(mail: Mail, now: datetime) -> str:
    """Why this mail must not go out any more (German), or ``""``."""
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


def _claimable_q(now: datetime) -> Q:
    """Rows a worker may take now: queued and due, or left ``sending`` by a dead worker."""
    return (
        Q(status=Mail.Status.QUEUED, due_at__lte=now)
        & (Q(retry_after__isnull=True) | Q(retry_after__lte=now))
    ) | Q(
        status=Mail.Status.SENDING,
        sending_since__lt=now - sending_timeout(),
        attempts__lt=settings.SURVEY_MAIL_MAX_ATTEMPTS,
    )


def _batch_load(mail_ids: list[int]) -> dict[int, Mail]:
    """The batch's rows with what the rules and the mail need, in two queries."""
    mails = (
        Mail.objects.filter(pk__in=mail_ids)
        .select_related("invitation__survey", "invitation__person")
        .prefetch_related("invitation__person__consents")
    )
    return {mail.pk: mail for mail in mails}


def _batch_claim(mails: list[Mail], summary: SendSummary) -> list[Mail]:
    """Mark the batch's rows ``sending`` that are this worker's to send now; returns them.

    The claim is one conditional UPDATE: it locks each row and checks its
    current state in the same statement (PostgreSQL re-reads a row once it
    holds its lock), so of two workers claiming a row only one succeeds, and a
    row that is final, being sent by a live worker or not due is left alone.
    ``sending_since`` is this claim's mark: the outcome is stored only while
    the row still carries it. Rows that may not be sent any more are cancelled
    with the German reason (survey closed, opted out, answered for reminders,
    no consent for surveys), checked on the data read at the start of the
    batch; whoever closes a survey or opts out cancels the queued rows, which
    makes their claim fail.
    """
    now = timezone.now()
    sendable = []
    with translation.override("de"):
        for mail in mails:
            reason = _mail_obstacle(mail, now)
            if not reason:
                sendable.append(mail)
            elif Mail.objects.filter(_claimable_q(now), pk=mail.pk).update(
                status=Mail.Status.CANCELLED, error=reason, sending_since=None, updated_at=now
            ):
                summary.cancelled += 1
            else:
                summary.skipped += 1
    ids = [mail.pk for mail in sendable]
    Mail.objects.filter(_claimable_q(now), pk__in=ids).update(
        status=Mail.Status.SENDING, sending_since=now, attempts=F("attempts") + 1, updated_at=now
    )
    claimed_ids = set(
        Mail.objects.filter(pk__in=ids, status=Mail.Status.SENDING, sending_since=now).values_list(
            "pk", flat=True
        )
    )
    claimed = []
    for mail in sendable:
        if mail.pk in claimed_ids:
            mail.status = Mail.Status.SENDING
            mail.sending_since = now
            claimed.append(mail)
        else:
            summary.skipped += 1  # sent, being sent or not due
    return claimed


def _mails_release(mails: list[Mail], *, until: datetime) -> None:
    """Give claimed rows that were not tried back to the queue, without using up an
    attempt; the sweep enqueues them from ``until`` on."""
    if not mails:
        return
    Mail.objects.filter(
        pk__in=[mail.pk for mail in mails],
        status=Mail.Status.SENDING,
        sending_since=mails[0].sending_since,
    ).update(
        status=Mail.Status.QUEUED,
        sending_since=None,
        attempts=F("attempts") - 1,
        retry_after=until,
        updated_at=timezone.now(),
    )


def mails_interrupted_fail(now: datetime) -> int:
    """Give up rows whose every attempt ended with a dead worker, none with an answer of
    the server (``sending`` beyond the timeout with all attempts used)."""
    return Mail.objects.filter(
        status=Mail.Status.SENDING,
        sending_since__lt=now - sending_timeout(),
        attempts__gte=settings.SURVEY_MAIL_MAX_ATTEMPTS,
    ).update(
        status=Mail.Status.FAILED,
        failed_at=now,
        sending_since=None,
        error=german(_("Sending was interrupted too often.")),
        updated_at=now,
    )


def _mail_finish(mail: Mail, **changes) -> bool:
    """Store the outcome, but only of this claim: after the timeout another worker may
    have taken the row over, and its outcome wins."""
    return bool(
        Mail.objects.filter(
            pk=mail.pk, status=Mail.Status.SENDING, sending_since=mail.sending_since
        ).update(sending_since=None, updated_at=timezone.now(), **changes)
    )


# How often a batch being sent looks again whether its mails may still go.
CLAIM_RECHECK_SECONDS = 1.0


class _ClaimCheck:
    """Whether the claimed rows of a batch may still be sent, looked at again every second.

    The batch was checked when it was claimed; since then the survey may have
    been closed, the person may have opted out, answered (reminders) or lost
    the consent. One query for the rest of the batch, at most once every
    ``CLAIM_RECHECK_SECONDS`` (a query per mail would cost a third of the
    throughput); a mail that may no longer go is cancelled with the reason.
    So a mail can still go out up to a second after the survey was closed.
    """

    def __init__(self, claimed: list[Mail]):
        self.claimed = claimed
        self.valid = {mail.pk for mail in claimed}  # checked at the claim
        self.checked_at = time.monotonic()

    def allows(self, mail: Mail, index: int) -> bool:
        if time.monotonic() - self.checked_at >= CLAIM_RECHECK_SECONDS:
            self._refresh(self.claimed[index:])
        if mail.pk in self.valid:
            return True
        current = (
            Mail.objects.filter(
                pk=mail.pk, status=Mail.Status.SENDING, sending_since=mail.sending_since
            )
            .select_related("invitation__survey", "invitation__person")
            .first()
        )
        if current is not None:  # still ours, but a rule says no
            with translation.override("de"):
                reason = _mail_obstacle(current, timezone.now()) or _("Not to be sent any more")
            _mail_finish(mail, status=Mail.Status.CANCELLED, error=reason)
        return False

    def _refresh(self, rest: list[Mail]) -> None:
        valid_consent = Consent.objects.filter(
            person=OuterRef("invitation__person"),
            purpose=Consent.Purpose.SURVEYS,
            withdrawn_at__isnull=True,
        )
        still_ours = Q()
        for since in {mail.sending_since for mail in rest}:
            still_ours |= Q(sending_since=since)
        self.valid = set(
            Mail.objects.filter(
                still_ours,
                Exists(valid_consent),
                Q(kind=Mail.Kind.INVITATION) | Q(invitation__has_responded=False),
                pk__in=[mail.pk for mail in rest],
                status=Mail.Status.SENDING,
                invitation__survey__status=Survey.Status.RUNNING,
                invitation__opted_out_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        self.checked_at = time.monotonic()


def _mail_not_sent(
    mail: Mail, error: Exception, summary: SendSummary, *, transient: bool = False
) -> None:
    """Record an SMTP error: back to the queue with backoff, or failed with the reason.

    ``transient``: the connection could not be opened, which says nothing about this mail.
    """
    detail = smtp_text(error)
    permanent = not transient and is_permanent(error)
    attempts = Mail.objects.filter(pk=mail.pk).values_list("attempts", flat=True).first() or 0
    given_up = attempts >= settings.SURVEY_MAIL_MAX_ATTEMPTS
    with translation.override("de"):
        if permanent:
            text = _("Refused by the mail server: %(detail)s") % {"detail": detail}
        elif given_up:
            text = _("Given up after %(count)d attempts: %(detail)s") % {
                "count": attempts,
                "detail": detail,
            }
        else:
            text = _("Mail server not reachable, will try again: %(detail)s") % {"detail": detail}
    text = text[:ERROR_MAX_LENGTH]
    logger.warning("Survey mail %s not sent: %s", mail.pk, detail)
    now = timezone.now()
    if permanent or given_up:
        if _mail_finish(mail, status=Mail.Status.FAILED, failed_at=now, error=text):
            summary.failed += 1
        return
    # 1, 2, 4, 8, 16 … minutes after the first, second … attempt.
    backoff = min(timedelta(minutes=2 ** (max(attempts, 1) - 1)), BACKOFF_MAX)
    if _mail_finish(mail, status=Mail.Status.QUEUED, retry_after=now + backoff, error=text):
        summary.retrying += 1


class _Batch:
    """One SMTP connection for a batch of mails, opened on the first mail to send."""

    def __init__(self):
        self.connection = get_connection()
        self.is_open = False

    def send(self, mail: Mail, summary: SendSummary, *, allowed: bool = True) -> bool:
        """Send one claimed mail and record the outcome; False when the server is unreachable."""
        if not allowed:
            summary.cancelled += 1
            return True
        try:
            return self._send(mail, summary)
        except (smtplib.SMTPException, OSError):
            raise
        except Exception as error:
            # A bug in rendering or an address Django cannot encode must not
            # hold up the other mails of the batch: this one fails, with a
            # report for the operators (logged with the traceback).
            logger.exception("Survey mail %s could not be built", mail.pk)
            reason = german(_("Internal error while preparing the mail: %(error)s"))
            reason = reason % {"error": type(error).__name__}
            if _mail_finish(
                mail, status=Mail.Status.FAILED, failed_at=timezone.now(), error=reason
            ):
                summary.failed += 1
            self.close()
            return True

    def _send(self, mail: Mail, summary: SendSummary) -> bool:
        try:
            context = mail_context(mail)
        except LookupError:
            # The key that made this link was removed from SECRET_KEY_FALLBACKS.
            reason = german(_("The personal link cannot be made any more (server key changed)."))
            if _mail_finish(
                mail, status=Mail.Status.FAILED, failed_at=timezone.now(), error=reason
            ):
                summary.failed += 1
            return True
        try:
            if not self.is_open:
                try:
                    self.connection.open()
                except OSError as error:
                    _mail_not_sent(mail, error, summary, transient=True)
                    return False
                self.is_open = True
            mail_deliver(mail, context, self.connection)
        except OSError as error:  # smtplib.SMTPException is an OSError
            _mail_not_sent(mail, error, summary)
            if breaks_connection(error):
                self.close()
            return True
        # The window that remains: a worker killed between the server's "250 OK"
        # and this commit leaves the row "sending", and the sweep sends it again.
        if _mail_finish(mail, status=Mail.Status.SENT, sent_at=timezone.now(), error=""):
            summary.sent += 1
        return True

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.connection.close()
        except OSError:
            # Closing a connection the server already dropped: nothing left to close.
            logger.info("SMTP connection closed with an error", exc_info=True)


def mails_send(*, mail_ids: list[int]) -> SendSummary:
    """Send the given outbox rows through one SMTP connection; the body of ``mails_send_task``.

    The batch is claimed (``_batch_claim``: rows final, being sent by another
    worker or not due are skipped; cancelled with the German reason when the
    survey ended, the person opted out, answered (reminders) or may no longer
    be mailed for surveys); each mail is then sent outside any transaction and
    marked sent. A transient
    SMTP error (connection, timeout, 4xx) puts it back in the queue with a
    backoff of 1, 2, 4, 8, 16 minutes; after ``SURVEY_MAIL_MAX_ATTEMPTS`` or a
    permanent error (refused address, 5xx) it is failed with the reason. A
    broken connection is reopened for the rest of the batch; a mail server that
    cannot be reached leaves the rest to the sweep a minute later. Harmless to
    run twice: a row is sent by one claim only.
    """
    summary = SendSummary()
    mail_ids = list(dict.fromkeys(mail_ids))
    loaded = _batch_load(mail_ids)
    summary.skipped += len(mail_ids) - len(loaded)
    claimed = _batch_claim([loaded[pk] for pk in mail_ids if pk in loaded], summary)
    batch = _Batch()
    # Stop well before the soft time limit: the rest go back to the queue for the sweep.
    deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    tried = 0
    check = _ClaimCheck(claimed)
    try:
        for index, mail in enumerate(claimed):
            if time.monotonic() > deadline:
                break
            tried += 1
            if not batch.send(mail, summary, allowed=check.allows(mail, index)):
                # The server cannot be reached: one attempt per batch is enough.
                _mails_release(claimed[tried:], until=timezone.now() + timedelta(minutes=1))
                tried = len(claimed)
                break
    finally:
        batch.close()
        # Whatever ends the loop early (the deadline, an error in the database)
        # gives the rows not tried back to the queue at once.
        _mails_release(claimed[tried:], until=timezone.now())
    return summary
