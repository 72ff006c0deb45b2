"""The daily retention job of the network (DSGVO): list, warn once, anonymise.

People without a valid legal basis who were inactive for
``RETENTION_INACTIVE_DAYS`` are listed, mailed once where that is allowed, and
anonymised with ``privacy.person_erase`` after ``RETENTION_GRACE_DAYS``.

The warning mail goes through an outbox, a ``RetentionNotice`` row per person
and cycle (``queued → sending → sent | failed | cancelled``): the job only
queues it, ``retention_notice_send`` delivers it outside any transaction, so a
hanging mail server holds no lock and a mail is sent once.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integration.core.emails import email_send

from ..models import Consent, Person, PrivacyLogEntry, RetentionNotice
from .privacy import RETENTION_REASON, person_erase

logger = logging.getLogger(__name__)

# Delivery attempts of a warning mail before it is given up as failed.
NOTICE_MAX_ATTEMPTS = 5
# A notice "sending" for longer than this was left by a dead worker (the task's
# hard time limit is minutes), so the next run may take it over.
NOTICE_SENDING_TIMEOUT = timedelta(hours=1)


@dataclass(frozen=True)
class RetentionCase:
    """Where a person without a legal basis stands in the current retention cycle.

    The cycle begins at ``activity_at`` (last activity, or the last consent
    recorded); a listing, notice or warning from before it belongs to an old
    cycle. ``notice`` is the warning mail of this cycle, if one was queued.
    """

    person: Person
    activity_at: datetime
    listed_at: datetime | None
    warned_at: datetime | None
    warnable: bool
    due_at: datetime | None
    notice: RetentionNotice | None = None

    PENDING = "pending"
    LISTED = "listed"
    WARNED = "warned"
    DUE = "due"

    def state(self, now: datetime) -> str:
        if self.due_at is not None and self.due_at <= now:
            return self.DUE
        if self.warned_at is not None:
            return self.WARNED
        if self.listed_at is not None:
            return self.LISTED
        return self.PENDING


def _retention_queryset(*, now: datetime) -> QuerySet[Person]:
    threshold = now - timedelta(days=settings.RETENTION_INACTIVE_DAYS)
    own_activity = Coalesce(F("last_activity_at"), F("updated_at"))
    last_consent = Subquery(
        Consent.objects.filter(person=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    listed = (
        PrivacyLogEntry.objects.filter(
            action=PrivacyLogEntry.Action.RETENTION_LISTED,
            person_id_ref=OuterRef("pk"),
            created_at__gt=OuterRef("activity_at"),
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return (
        Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .exclude(Exists(Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)))
        # A consent recorded later (and withdrawn since) counts as activity: it
        # was a renewal, so the cycle starts again from there.
        .annotate(activity_at=Greatest(own_activity, Coalesce(last_consent, own_activity)))
        .filter(activity_at__lt=threshold)
        .annotate(
            listed_at=Subquery(listed),
            ever_withdrawn=Exists(
                Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=False)
            ),
        )
        .prefetch_related(
            Prefetch(
                "retention_notices",
                queryset=RetentionNotice.objects.order_by("-created_at", "-pk"),
                to_attr="notices_newest_first",
            )
        )
        .order_by("activity_at", "pk")
    )


def _retention_case(person: Person) -> RetentionCase:
    grace = timedelta(days=settings.RETENTION_GRACE_DAYS)
    notice = next(
        (n for n in person.notices_newest_first if n.created_at > person.activity_at), None
    )
    if notice is not None and notice.status == RetentionNotice.Status.SENT:
        warned_at = notice.sent_at
    else:
        warned_at = person.retention_warned_at
        if warned_at is not None and warned_at <= person.activity_at:
            warned_at = None  # a warning of an earlier cycle
    # A withdrawal means no more mail, not even this one.
    warnable = bool(person.email) and not person.ever_withdrawn
    if warned_at is not None:
        due_at = warned_at + grace
    elif person.listed_at is not None and not warnable:
        due_at = person.listed_at + grace
    elif notice is not None and notice.status == RetentionNotice.Status.FAILED:
        # The mail could not be delivered: the person is treated like one who
        # may not be mailed, with the grace period from the failure (time to
        # correct the address, which starts a new cycle).
        due_at = notice.failed_at + grace
    else:
        due_at = None
    return RetentionCase(
        person=person,
        activity_at=person.activity_at,
        listed_at=person.listed_at,
        warned_at=warned_at,
        warnable=warnable,
        due_at=due_at,
        notice=notice,
    )


def retention_cases(*, now: datetime | None = None) -> list[RetentionCase]:
    """People without a legal basis inactive for ``RETENTION_INACTIVE_DAYS``, with their state.

    A read for the retention overview; ``retention_run`` acts on the same list.
    """
    now = now or timezone.now()
    return [_retention_case(person) for person in _retention_queryset(now=now)]


@dataclass
class RetentionSummary:
    listed: int = 0
    queued: int = 0
    requeued: int = 0
    anonymised: int = 0


@transaction.atomic
def _retention_step(*, person_id: int, now: datetime, summary: RetentionSummary) -> None:
    # The row lock makes a second run (acks_late, two workers) wait and then
    # see the listing or notice of the first, so nothing happens twice.
    if not Person.objects.select_for_update().filter(pk=person_id).exists():
        return
    person = _retention_queryset(now=now).filter(pk=person_id).first()
    if person is None:
        return  # renewed consent or new activity since the list was read
    case = _retention_case(person)
    if case.listed_at is None:
        PrivacyLogEntry.objects.create(
            action=PrivacyLogEntry.Action.RETENTION_LISTED, person_id_ref=person.pk
        )
        summary.listed += 1
    if case.due_at is not None and case.due_at <= now:
        person_erase(
            by=None,
            person=person,
            reason=RETENTION_REASON,
            action=PrivacyLogEntry.Action.RETENTION_ANONYMISED,
        )
        summary.anonymised += 1
    elif case.notice is not None and case.notice.status == RetentionNotice.Status.SENT:
        _notice_record(case.notice)
    elif (
        case.warnable
        and case.warned_at is None
        and (case.notice is None or case.notice.status == RetentionNotice.Status.CANCELLED)
    ):
        notice = RetentionNotice.objects.create(person=person)
        # Sent after the commit, outside this transaction and its row lock.
        _send_after_commit(notice.pk)
        summary.queued += 1


def _send_after_commit(notice_id: int) -> None:
    from ..tasks import retention_notice_send_task

    def send() -> None:
        retention_notice_send_task.delay(notice_id)

    # robust: a broker that is down (or, in eager mode, a retry) must not stop
    # the run; the notice stays queued and the next run enqueues it again.
    transaction.on_commit(send, robust=True)


def retention_notice_sweep() -> int:
    """Send notices again that were left ``queued`` or by a dead worker in ``sending``.

    Returns how many were enqueued. A notice already sent or being sent is left
    alone by ``retention_notice_send``, so enqueuing one twice is harmless.
    """
    stale = timezone.now() - NOTICE_SENDING_TIMEOUT
    ids = list(
        RetentionNotice.objects.filter(status=RetentionNotice.Status.QUEUED).values_list(
            "pk", flat=True
        )
    ) + list(
        RetentionNotice.objects.filter(
            status=RetentionNotice.Status.SENDING, sending_since__lt=stale
        ).values_list("pk", flat=True)
    )
    for notice_id in ids:
        _send_after_commit(notice_id)
    return len(ids)


def retention_run(*, now: datetime | None = None) -> RetentionSummary:
    """The daily retention job: list, warn once, anonymise after the grace period.

    People without a valid legal basis and without activity for
    ``RETENTION_INACTIVE_DAYS`` are listed (logged once per cycle). Those with an
    email address who never withdrew a consent get one warning mail naming the
    deletion date: the job queues a ``RetentionNotice`` and
    ``retention_notice_send_task`` sends it after the commit; notices left
    queued or stuck in sending are enqueued again. The others are not mailed.
    ``RETENTION_GRACE_DAYS`` after the mail was sent (after the listing, for
    those not to be mailed; after the last failed attempt, for an undeliverable
    mail) they are anonymised. A renewed consent or new activity starts a new
    cycle. Idempotent: safe to run several times a day and concurrently.
    ``now`` defaults to ``timezone.now()``; log entries and the outbox always
    carry the real time.
    """
    now = now or timezone.now()
    summary = RetentionSummary(requeued=retention_notice_sweep())
    for person_id in list(_retention_queryset(now=now).values_list("pk", flat=True)):
        _retention_step(person_id=person_id, now=now, summary=summary)
    return summary


# --------------------------------------------------------------------------
# The warning mail (outbox)
# --------------------------------------------------------------------------


def _notice_claim(notice_id: int) -> tuple[RetentionNotice, Person] | None:
    """Mark the notice ``sending`` when it is this run's to send; None when it is not.

    Re-checks the rule first: a person who renewed a consent, became active,
    withdrew or lost their address since the notice was queued gets no mail.
    """
    person_id = (
        RetentionNotice.objects.filter(pk=notice_id).values_list("person_id", flat=True).first()
    )
    if person_id is None:
        return None
    with transaction.atomic():
        # Person before notice, in the same order as the retention step and the
        # erasure, so that they cannot deadlock.
        Person.objects.select_for_update().filter(pk=person_id).exists()
        notice = RetentionNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.status not in (
            RetentionNotice.Status.QUEUED,
            RetentionNotice.Status.SENDING,
        ):
            return None
        now = timezone.now()
        if (
            notice.status == RetentionNotice.Status.SENDING
            and notice.sending_since > now - NOTICE_SENDING_TIMEOUT
        ):
            return None  # another worker is sending it right now
        if notice.attempts >= NOTICE_MAX_ATTEMPTS:
            # Every attempt ended with a dead worker, none with an answer of the
            # mail server: give up instead of trying every day.
            with translation.override("de"):
                notice.error = notice.error or _("Sending was interrupted too often.")
            notice.status = RetentionNotice.Status.FAILED
            notice.failed_at = now
            notice.sending_since = None
            notice.save(
                update_fields=["status", "error", "failed_at", "sending_since", "updated_at"]
            )
            return None
        person = _retention_queryset(now=now).filter(pk=person_id).first()
        case = _retention_case(person) if person is not None else None
        if case is None or case.notice != notice or not case.warnable or case.warned_at:
            notice.status = RetentionNotice.Status.CANCELLED
            notice.sending_since = None
            notice.save(update_fields=["status", "sending_since", "updated_at"])
            return None
        notice.status = RetentionNotice.Status.SENDING
        notice.sending_since = now
        notice.attempts += 1
        notice.save(update_fields=["status", "sending_since", "attempts", "updated_at"])
        return notice, person


def _retention_warn(person: Person, *, now: datetime) -> None:
    deletion_date = timezone.localdate(now + timedelta(days=settings.RETENTION_GRACE_DAYS))
    contact = settings.PRIVACY_CONTACT_EMAIL
    email_send(
        template="actors/emails/retention_warning",
        context={"person": person, "deletion_date": deletion_date, "contact_email": contact},
        to=[person.email],
        headers={"Reply-To": contact} if contact else None,
    )


def _notice_locked(notice: RetentionNotice) -> RetentionNotice | None:
    """The notice locked (person first), if it is still the claimed attempt."""
    Person.objects.select_for_update().filter(pk=notice.person_id).exists()
    current = RetentionNotice.objects.select_for_update().filter(pk=notice.pk).first()
    if current is None or current.status != RetentionNotice.Status.SENDING:
        return None
    if current.sending_since != notice.sending_since:
        return None  # taken over by another worker after the timeout
    return current


@transaction.atomic
def _notice_sent(notice: RetentionNotice) -> RetentionNotice:
    current = _notice_locked(notice)
    if current is None:
        return notice
    current.status = RetentionNotice.Status.SENT
    current.sent_at = timezone.now()
    current.sending_since = None
    current.error = ""
    current.save(update_fields=["status", "sent_at", "sending_since", "error", "updated_at"])
    return current


@transaction.atomic
def _notice_record(notice: RetentionNotice) -> None:
    """Write a sent notice to the person and the privacy log; once, however often called.

    Kept apart from marking the notice sent: if this fails, the notice is
    still sent and never mailed again, and the next retention run records it.
    """
    person = Person.objects.select_for_update().get(pk=notice.person_id)
    if person.retention_warned_at == notice.sent_at:
        return
    # The grace period counts from the sending. update(), not save(): updated_at
    # must not move, it is the fallback for the person's last activity.
    Person.objects.filter(pk=person.pk).update(retention_warned_at=notice.sent_at)
    PrivacyLogEntry.objects.create(
        action=PrivacyLogEntry.Action.RETENTION_WARNED, person_id_ref=person.pk
    )


@transaction.atomic
def _notice_not_sent(notice: RetentionNotice, error: Exception) -> RetentionNotice:
    current = _notice_locked(notice)
    if current is None:
        return notice
    # A refused address will not be accepted on the next attempt either.
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
    current.error = f"{type(error).__name__}: {error}"[:1000]
    current.sending_since = None
    if permanent or current.attempts >= NOTICE_MAX_ATTEMPTS:
        current.status = RetentionNotice.Status.FAILED
        current.failed_at = timezone.now()
    else:
        current.status = RetentionNotice.Status.QUEUED
    current.save(update_fields=["status", "error", "sending_since", "failed_at", "updated_at"])
    return current


def retention_notice_send(*, notice_id: int) -> RetentionNotice | None:
    """Send one queued retention warning; the body of ``retention_notice_send_task``.

    Harmless to call twice (``acks_late``): a sent, failed or cancelled notice
    and one another worker is sending are skipped. The mail is sent outside any
    transaction and lock; then the notice is marked sent and, in a second
    step, the person's ``retention_warned_at`` set and RETENTION_WARNED logged
    (repeated by the next run should it fail). A mail server
    error is recorded on the notice; a transient one leaves it queued and is
    raised again so that the task retries, the last attempt or a refused
    address marks it failed. Returns the notice (None when it is gone).
    """
    claimed = _notice_claim(notice_id)
    if claimed is None:
        return RetentionNotice.objects.filter(pk=notice_id).first()
    notice, person = claimed
    try:
        _retention_warn(person, now=timezone.now())
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Retention warning %s not sent", notice.pk, exc_info=True)
        notice = _notice_not_sent(notice, error)
        if notice.status == RetentionNotice.Status.QUEUED:
            raise
        return notice
    notice = _notice_sent(notice)
    if notice.status == RetentionNotice.Status.SENT:
        _notice_record(notice)
    return notice
