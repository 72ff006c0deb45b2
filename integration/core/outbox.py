"""The mail outbox pattern, shared by every part that mails people in bulk.

The database is the outbox: every mail is a row (``queued → sending → sent |
failed | cancelled``) and Celery only carries row ids, in batches. A mail is
sent by whoever claims its row: the claim (a conditional UPDATE, which locks
the row and checks its state at once) skips final rows, rows another worker is
sending and rows not yet due, cancels rows that may no longer be sent (with
the German reason), and marks the others ``sending``; each mail then goes to
the server outside any transaction, and its row is marked ``sent`` only if it
still carries that claim. So a task that runs twice (``acks_late``), a double
click or a sweep enqueuing a row again sends nothing twice. Transient SMTP
errors put the row back with a backoff (1, 2, 4 … minutes), permanent ones and
the last attempt fail it with the reason.

An app describes its rows with a subclass of ``Outbox`` (the model, what to
load, why a row may not go any more, the mail itself); the surveys
(``actors.surveys.services.delivery.outbox``) and the invitations to meetings
(``minutes.services.invitations``) use it. The row model needs the fields
``status`` (with QUEUED, SENDING, SENT, FAILED, CANCELLED), ``due_at``,
``enqueued_at``, ``sending_since``, ``retry_after``, ``attempts``,
``sent_at``, ``failed_at`` and ``error``.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .smtp_errors import breaks_connection, is_permanent, smtp_text

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


def german(message) -> str:
    """A reason stored on a row: always German, whoever triggered it."""
    with translation.override("de"):
        return str(message)


def on_commit_robust(function) -> None:
    """Run ``function`` (an enqueue) once the transaction commits; a broker that is
    down fails nothing: the sweep sends the rows once it is back."""
    transaction.on_commit(function, robust=True)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0


class Outbox:
    """The rows of one model as an outbox; subclasses fill in the hooks below."""

    model = None
    # Named in the log lines ("Survey mail 12 not sent").
    label = "Mail"
    # How often a batch being sent looks again whether its mails may still go.
    claim_recheck_seconds = 1.0

    # ---- hooks ------------------------------------------------------------

    def max_attempts(self) -> int:
        raise NotImplementedError

    def batch_size(self) -> int:
        raise NotImplementedError

    def enqueue(self, ids: list[int]) -> None:
        """Hand a batch of row ids to the app's send task (``.delay``)."""
        raise NotImplementedError

    def load(self, ids: list[int]) -> QuerySet:
        """The rows with what ``obstacle`` and ``context`` need (few queries)."""
        return self.model.objects.filter(pk__in=ids)

    def obstacle(self, row, now: datetime) -> str:
        """Why this row must not be sent any more (German, called in German), or ``""``."""
        return ""

    def still_sendable(self, rows: QuerySet) -> QuerySet:
        """Of ``rows`` (claimed, ``sending``), those the rules still allow, in one query."""
        return rows

    def context(self, row) -> dict:
        """What the mail shows; ``LookupError`` fails the row with ``context_error``."""
        raise NotImplementedError

    def context_error(self) -> str:
        return _("The mail cannot be made any more.")

    def deliver(self, row, context: dict, connection) -> None:
        """Hand one mail to ``connection``; raises what the mail server answers."""
        raise NotImplementedError

    # ---- enqueueing -------------------------------------------------------

    def due_q(self, now: datetime) -> Q:
        """Rows a worker should be given now: queued and due, or left ``sending`` by a
        dead worker."""
        status = self.model.Status
        queued = (
            Q(status=status.QUEUED, due_at__lte=now)
            & (Q(retry_after__isnull=True) | Q(retry_after__lte=now))
            # Not enqueued yet, its task lost, or waiting for a retry since it was enqueued.
            & (
                Q(enqueued_at__isnull=True)
                | Q(enqueued_at__lt=now - ENQUEUE_STALE)
                | Q(enqueued_at__lt=F("retry_after"))
            )
        )
        return queued | Q(status=status.SENDING, sending_since__lt=now - sending_timeout())

    def rows_enqueue(self, rows: QuerySet, *, now: datetime) -> int:
        """Hand the due rows of ``rows`` to the send task in batches; returns how many."""
        due = rows.filter(self.due_q(now)).order_by("due_at", "pk")
        ids = list(due.values_list("pk", flat=True))
        size = self.batch_size()
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            self.enqueue(batch)
            # After delay(): if the broker refuses, the rows stay "never enqueued"
            # and the next sweep takes them at once.
            self.model.objects.filter(pk__in=batch, status=self.model.Status.QUEUED).update(
                enqueued_at=timezone.now()
            )
        return len(ids)

    def interrupted_fail(self, now: datetime) -> int:
        """Give up rows whose every attempt ended with a dead worker, none with an answer
        of the server (``sending`` beyond the timeout with all attempts used)."""
        return self.model.objects.filter(
            status=self.model.Status.SENDING,
            sending_since__lt=now - sending_timeout(),
            attempts__gte=self.max_attempts(),
        ).update(
            status=self.model.Status.FAILED,
            failed_at=now,
            sending_since=None,
            error=german(_("Sending was interrupted too often.")),
            updated_at=now,
        )

    # ---- claiming ---------------------------------------------------------

    def claimable_q(self, now: datetime) -> Q:
        """Rows a worker may take now: queued and due, or left ``sending`` by a dead worker."""
        status = self.model.Status
        return (
            Q(status=status.QUEUED, due_at__lte=now)
            & (Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        ) | Q(
            status=status.SENDING,
            sending_since__lt=now - sending_timeout(),
            attempts__lt=self.max_attempts(),
        )

    def _claim(self, rows: list, summary: SendSummary) -> list:
        """Mark the batch's rows ``sending`` that are this worker's to send now.

        The claim is one conditional UPDATE: it locks each row and checks its
        current state in the same statement (PostgreSQL re-reads a row once it
        holds its lock), so of two workers claiming a row only one succeeds.
        ``sending_since`` is this claim's mark: the outcome is stored only while
        the row still carries it. Rows that may not be sent any more are
        cancelled with the German reason.
        """
        objects, status = self.model.objects, self.model.Status
        now = timezone.now()
        sendable = []
        with translation.override("de"):
            for row in rows:
                reason = self.obstacle(row, now)
                if not reason:
                    sendable.append(row)
                elif objects.filter(self.claimable_q(now), pk=row.pk).update(
                    status=status.CANCELLED, error=reason, sending_since=None, updated_at=now
                ):
                    summary.cancelled += 1
                else:
                    summary.skipped += 1
        ids = [row.pk for row in sendable]
        objects.filter(self.claimable_q(now), pk__in=ids).update(
            status=status.SENDING, sending_since=now, attempts=F("attempts") + 1, updated_at=now
        )
        claimed_ids = set(
            objects.filter(pk__in=ids, status=status.SENDING, sending_since=now).values_list(
                "pk", flat=True
            )
        )
        claimed = []
        for row in sendable:
            if row.pk in claimed_ids:
                row.status = status.SENDING
                row.sending_since = now
                claimed.append(row)
            else:
                summary.skipped += 1  # sent, being sent or not due
        return claimed

    def _release(self, rows: list, *, until: datetime) -> None:
        """Give claimed rows that were not tried back to the queue, without using up an
        attempt; the sweep enqueues them from ``until`` on."""
        if not rows:
            return
        self.model.objects.filter(
            pk__in=[row.pk for row in rows],
            status=self.model.Status.SENDING,
            sending_since=rows[0].sending_since,
        ).update(
            status=self.model.Status.QUEUED,
            sending_since=None,
            attempts=F("attempts") - 1,
            retry_after=until,
            updated_at=timezone.now(),
        )

    def finish(self, row, **changes) -> bool:
        """Store the outcome, but only of this claim: after the timeout another worker may
        have taken the row over, and its outcome wins."""
        return bool(
            self.model.objects.filter(
                pk=row.pk, status=self.model.Status.SENDING, sending_since=row.sending_since
            ).update(sending_since=None, updated_at=timezone.now(), **changes)
        )

    def not_sent(self, row, error: Exception, summary: SendSummary, *, transient=False) -> None:
        """Record an SMTP error: back to the queue with backoff, or failed with the reason.

        ``transient``: the connection could not be opened, which says nothing about this row.
        """
        detail = smtp_text(error)
        permanent = not transient and is_permanent(error)
        attempts = (
            self.model.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or 0
        )
        given_up = attempts >= self.max_attempts()
        with translation.override("de"):
            if permanent:
                text = _("Refused by the mail server: %(detail)s") % {"detail": detail}
            elif given_up:
                text = _("Given up after %(count)d attempts: %(detail)s") % {
                    "count": attempts,
                    "detail": detail,
                }
            else:
                text = _("Mail server not reachable, will try again: %(detail)s") % {
                    "detail": detail
                }
        text = text[:ERROR_MAX_LENGTH]
        logger.warning("%s %s not sent: %s", self.label, row.pk, detail)
        now = timezone.now()
        status = self.model.Status
        if permanent or given_up:
            if self.finish(row, status=status.FAILED, failed_at=now, error=text):
                summary.failed += 1
            return
        # 1, 2, 4, 8, 16 … minutes after the first, second … attempt.
        backoff = min(timedelta(minutes=2 ** (max(attempts, 1) - 1)), BACKOFF_MAX)
        if self.finish(row, status=status.QUEUED, retry_after=now + backoff, error=text):
            summary.retrying += 1

    # ---- sending ----------------------------------------------------------

    def send(self, *, ids: list[int]) -> SendSummary:
        """Send the given rows through one SMTP connection; the body of the send task.

        The batch is claimed (see ``_claim``); each mail is then sent outside any
        transaction and marked sent. A transient SMTP error (connection, timeout,
        4xx) puts it back in the queue with a backoff of 1, 2, 4, 8, 16 minutes;
        after ``max_attempts()`` or a permanent error (refused address, 5xx) it is
        failed with the reason. A broken connection is reopened for the rest of
        the batch; a mail server that cannot be reached leaves the rest to the
        sweep a minute later. Harmless to run twice: a row is sent by one claim only.
        """
        summary = SendSummary()
        ids = list(dict.fromkeys(ids))
        loaded = {row.pk: row for row in self.load(ids)}
        summary.skipped += len(ids) - len(loaded)
        claimed = self._claim([loaded[pk] for pk in ids if pk in loaded], summary)
        batch = _Batch(self)
        # Stop well before the soft time limit: the rest go back to the queue for the sweep.
        deadline = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
        tried = 0
        check = _ClaimCheck(self, claimed)
        try:
            for index, row in enumerate(claimed):
                if time.monotonic() > deadline:
                    break
                tried += 1
                if not batch.send(row, summary, allowed=check.allows(row, index)):
                    # The server cannot be reached: one attempt per batch is enough.
                    self._release(claimed[tried:], until=timezone.now() + timedelta(minutes=1))
                    tried = len(claimed)
                    break
        finally:
            batch.close()
            # Whatever ends the loop early (the deadline, an error in the database)
            # gives the rows not tried back to the queue at once.
            self._release(claimed[tried:], until=timezone.now())
        return summary


class _ClaimCheck:
    """Whether the claimed rows of a batch may still be sent, looked at again every
    ``claim_recheck_seconds``: one query for the rest of the batch (a query per
    mail would cost a third of the throughput); a row that may no longer go is
    cancelled with the reason. So a mail can still go out up to a second after
    the rules changed."""

    def __init__(self, outbox: Outbox, claimed: list):
        self.outbox = outbox
        self.claimed = claimed
        self.valid = {row.pk for row in claimed}  # checked at the claim
        self.checked_at = time.monotonic()

    def allows(self, row, index: int) -> bool:
        if time.monotonic() - self.checked_at >= self.outbox.claim_recheck_seconds:
            self._refresh(self.claimed[index:])
        if row.pk in self.valid:
            return True
        outbox, status = self.outbox, self.outbox.model.Status
        current = (
            outbox.load([row.pk])
            .filter(status=status.SENDING, sending_since=row.sending_since)
            .first()
        )
        if current is not None:  # still ours, but a rule says no
            with translation.override("de"):
                reason = outbox.obstacle(current, timezone.now()) or _("Not to be sent any more")
            outbox.finish(row, status=status.CANCELLED, error=reason)
        return False

    def _refresh(self, rest: list) -> None:
        still_ours = Q()
        for since in {row.sending_since for row in rest}:
            still_ours |= Q(sending_since=since)
        rows = self.outbox.model.objects.filter(
            still_ours, pk__in=[row.pk for row in rest], status=self.outbox.model.Status.SENDING
        )
        self.valid = set(self.outbox.still_sendable(rows).values_list("pk", flat=True))
        self.checked_at = time.monotonic()


class _Batch:
    """One SMTP connection for a batch of mails, opened on the first mail to send."""

    def __init__(self, outbox: Outbox):
        self.outbox = outbox
        self.connection = get_connection()
        self.is_open = False

    def send(self, row, summary: SendSummary, *, allowed: bool = True) -> bool:
        """Send one claimed row and record the outcome; False when the server is unreachable."""
        if not allowed:
            summary.cancelled += 1
            return True
        try:
            return self._send(row, summary)
        except (smtplib.SMTPException, OSError):
            raise
        except Exception as error:
            # A bug in rendering or an address Django cannot encode must not
            # hold up the other mails of the batch: this one fails, with a
            # report for the operators (logged with the traceback).
            logger.exception("%s %s could not be built", self.outbox.label, row.pk)
            reason = german(_("Internal error while preparing the mail: %(error)s"))
            reason = reason % {"error": type(error).__name__}
            failed = self.outbox.model.Status.FAILED
            if self.outbox.finish(row, status=failed, failed_at=timezone.now(), error=reason):
                summary.failed += 1
            self.close()
            return True

    def _send(self, row, summary: SendSummary) -> bool:
        outbox, status = self.outbox, self.outbox.model.Status
        try:
            context = outbox.context(row)
        except LookupError:
            reason = german(outbox.context_error())
            if outbox.finish(row, status=status.FAILED, failed_at=timezone.now(), error=reason):
                summary.failed += 1
            return True
        try:
            if not self.is_open:
                try:
                    self.connection.open()
                except OSError as error:
                    outbox.not_sent(row, error, summary, transient=True)
                    return False
                self.is_open = True
            outbox.deliver(row, context, self.connection)
        except OSError as error:  # smtplib.SMTPException is an OSError
            outbox.not_sent(row, error, summary)
            if breaks_connection(error):
                self.close()
            return True
        # The window that remains: a worker killed between the server's "250 OK"
        # and this commit leaves the row "sending", and the sweep sends it again.
        if outbox.finish(row, status=status.SENT, sent_at=timezone.now(), error=""):
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
