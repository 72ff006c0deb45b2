"""Publishing the meeting packet (Sitzungsmappe) and mailing the members about it.

Koordination publishes the packet of a meeting (``packet_publish``): from then on
the members see it (``documents.kinds.PacketKind.can_view``) and both variants are
compiled. Once the members' packet of the current content is ready, each current
member of the body whom ``consent_check`` allows for invitations gets one mail with
the link to the document page (``packet_mails_queue``, run by a task from the
kind's ``notify`` and after publishing, whichever finds the packet ready first).

The mails go through the shared outbox (``integration.core.outbox``): in the
transaction that records the mailed content on the meeting
(``packet_mailed_fingerprint``) a ``PacketMail`` row is made per member and
content (unique, so a re-run task, both triggers at once or publishing again make
none twice); the rows are sent after the commit, outside the transaction, with
retries and backoff, and the sweep sends what a dead worker or a lost task left.
Membership and consent are checked again when a mail is sent; a mail of an older
content still waiting is not sent once a newer content was announced.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Consent
from actors.selectors import consent_check, people_emailable
from integration.core import outbox as core
from integration.core.emails import absolute_url, email_send
from integration.core.models import User
from integration.documents.models import Document
from integration.documents.registry import kind_get
from integration.documents.services import (
    document_current,
    document_request,
    fingerprint_compute,
)

from ..documents.common import MEMBERS, PUBLIC
from ..documents.kinds import PACKET, meeting_is_public
from ..models import Meeting, Membership
from ..models.invitations import PacketMail
from ..selectors.access import current_membership_q
from ..selectors.invitations import invitation_recipients


def _queue_after_commit(meeting_id: int) -> None:
    from ..tasks import packet_mails_queue_task

    # Robust: with the broker down publishing still succeeds; the kind's notify
    # queues the mails again when the members' packet becomes ready.
    core.on_commit_robust(lambda: packet_mails_queue_task.delay(meeting_id))


@transaction.atomic
def packet_publish(*, meeting: Meeting, by: User) -> Meeting:
    """Publish the packet of ``meeting``: members (and, for a public meeting, everyone)
    see it from now on; both variants are compiled in the background, and the members
    are mailed once the members' packet is ready. Publishing again keeps the first
    date, compiles the current content and sends the failed mails of the current
    content once more. Refused (German) for a cancelled meeting.
    Permission: ``minutes.change_meeting``."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("body").get(pk=meeting.pk)
    )
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting is cancelled; its packet cannot be published."))
    if meeting.packet_published_at is None:
        # update(), not save(): ``updated_at`` is part of every document's
        # fingerprint, and publishing does not change the packet's content.
        meeting.packet_published_at = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(
            packet_published_at=meeting.packet_published_at
        )
    variants = [MEMBERS, PUBLIC] if meeting_is_public(meeting) else [MEMBERS]
    for variant in variants:
        document_request(kind=PACKET, subject=meeting, variant=variant, by=by)
    _failed_requeue(meeting)
    _queue_after_commit(meeting.pk)
    return meeting


def _failed_requeue(meeting: Meeting) -> int:
    """Queue the failed mails of the content last mailed again ("erneut senden"), with
    fresh attempts, to the person's current address; the queue task sends them."""
    if not meeting.packet_mailed_fingerprint:
        return 0
    failed = PacketMail.objects.filter(
        meeting=meeting,
        fingerprint=meeting.packet_mailed_fingerprint,
        status=PacketMail.Status.FAILED,
    ).select_related("person")
    now = timezone.now()
    mails = list(failed)
    for mail in mails:
        mail.email = mail.person.email or mail.email
        mail.status = PacketMail.Status.QUEUED
        mail.attempts = 0
        mail.retry_after = mail.failed_at = mail.enqueued_at = mail.sending_since = None
        mail.error = ""
        mail.due_at = now
    PacketMail.objects.bulk_update(
        mails,
        [
            "email",
            "status",
            "attempts",
            "retry_after",
            "failed_at",
            "enqueued_at",
            "sending_since",
            "error",
            "due_at",
        ],
    )
    return len(mails)


def packet_mail_context(*, meeting: Meeting, person, is_update: bool) -> dict:
    """What ``emails/packet_published.*`` show."""
    return {
        "person": person,
        "meeting": meeting,
        "body": meeting.body,
        "is_update": is_update,
        "packet_url": absolute_url(
            "documents:document_detail",
            kind=PACKET,
            subject=str(meeting.pk),
            variant=MEMBERS,
        ),
        "meeting_url": absolute_url("minutes:meeting_detail", meeting.pk),
    }


def _current_member(mail: PacketMail) -> bool:
    return Membership.objects.filter(
        current_membership_q(), person_id=mail.person_id, body_id=mail.meeting.body_id
    ).exists()


class PacketOutbox(core.Outbox):
    """The packet mails as an outbox."""

    model = PacketMail
    label = "Packet mail"

    def max_attempts(self) -> int:
        return settings.SURVEY_MAIL_MAX_ATTEMPTS

    def batch_size(self) -> int:
        return settings.SURVEY_BATCH_SIZE

    def enqueue(self, ids: list[int]) -> None:
        from ..tasks import packet_mails_send_task

        packet_mails_send_task.delay(ids)

    def load(self, ids: list[int]) -> QuerySet[PacketMail]:
        return (
            PacketMail.objects.filter(pk__in=ids)
            .select_related("meeting__body", "meeting__location", "person")
            .prefetch_related("person__consents")
        )

    def obstacle(self, mail: PacketMail, now: datetime) -> str:
        """Meeting cancelled, a newer content announced meanwhile, no longer a member
        of the body (the members' packet holds the non-public part), or no consent
        for invitations (any more)."""
        meeting = mail.meeting
        if meeting.status == Meeting.Status.CANCELLED:
            return _("Meeting cancelled")
        if mail.fingerprint != meeting.packet_mailed_fingerprint:
            return _("A newer version of the packet was announced")
        if not _current_member(mail):
            return _("No longer a member of the body")
        check = consent_check(person=mail.person, purpose=Consent.Purpose.INVITATIONS)
        return "" if check.allowed else check.reason

    def still_sendable(self, rows: QuerySet[PacketMail]) -> QuerySet[PacketMail]:
        current_member = Membership.objects.filter(
            current_membership_q(),
            person_id=OuterRef("person_id"),
            body_id=OuterRef("meeting__body_id"),
        )
        return rows.exclude(meeting__status=Meeting.Status.CANCELLED).filter(
            Exists(current_member),
            fingerprint=F("meeting__packet_mailed_fingerprint"),
            person__in=people_emailable(purpose=Consent.Purpose.INVITATIONS),
        )

    def context(self, mail: PacketMail) -> dict:
        return packet_mail_context(
            meeting=mail.meeting, person=mail.person, is_update=mail.is_update
        )

    def deliver(self, mail: PacketMail, context: dict, connection) -> None:
        email_send(
            template="minutes/emails/packet_published",
            context=context,
            to=[mail.email],
            connection=connection,
        )


OUTBOX = PacketOutbox()


def _send_after_commit(meeting_id: int, fingerprint: str) -> None:
    def enqueue() -> None:
        rows = PacketMail.objects.filter(meeting_id=meeting_id, fingerprint=fingerprint)
        OUTBOX.rows_enqueue(rows, now=timezone.now())

    core.on_commit_robust(enqueue)


def packet_mails_queue(*, meeting_id: int) -> int:
    """Once the members' packet of the current content is ready: a mail to each member
    (see the module docstring), sent after the commit; the body of
    ``packet_mails_queue_task``. Nothing unless the packet is published and ready.
    Idempotent: the content's mails are made once; a re-run only hands the content's
    mails still due (queued, waiting for a retry, left by a dead worker) to the send
    task. Returns how many mails were made."""
    kind = kind_get(PACKET)
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("body")
            .filter(pk=meeting_id)
            .first()
        )
        if meeting is None or meeting.packet_published_at is None:
            return 0
        if meeting.status == Meeting.Status.CANCELLED:
            return 0
        fingerprint = fingerprint_compute(kind=kind, subject=meeting, variant=MEMBERS)
        current = document_current(
            kind=kind, subject=meeting, variant=MEMBERS, fingerprint=fingerprint
        )
        if current is None or current.status != Document.Status.READY:
            # Not ready yet: the kind's notify calls again when it is.
            return 0
        made = 0
        if meeting.packet_mailed_fingerprint != fingerprint:
            is_update = bool(meeting.packet_mailed_fingerprint)
            now = timezone.now()
            made = len(
                PacketMail.objects.bulk_create(
                    [
                        PacketMail(
                            meeting=meeting,
                            person=person,
                            email=person.email,
                            fingerprint=fingerprint,
                            is_update=is_update,
                            due_at=now,
                        )
                        for person in invitation_recipients(meeting=meeting).allowed
                    ],
                    # The meeting's row lock serialises the runs; the constraint
                    # stays the last word.
                    ignore_conflicts=True,
                )
            )
            Meeting.objects.filter(pk=meeting.pk).update(packet_mailed_fingerprint=fingerprint)
        _send_after_commit(meeting.pk, fingerprint)
    return made


def packet_mails_send(*, mail_ids: list[int]) -> core.SendSummary:
    """Send a batch of packet mails; the body of ``packet_mails_send_task``. Harmless to
    run twice: a mail is sent by one claim only."""
    return OUTBOX.send(ids=mail_ids)


def packet_mails_sweep(*, now: datetime | None = None) -> int:
    """Every minute: fail mails interrupted too often, hand mails that are due and have
    no live task to the send task. Returns how many; idempotent."""
    now = now or timezone.now()
    OUTBOX.interrupted_fail(now)
    return OUTBOX.rows_enqueue(PacketMail.objects.all(), now=now)


def packet_mails_of(*, meeting: Meeting) -> list[PacketMail]:
    """The mails of the content last announced, by recipient (one query); for the
    meeting page of whoever may see the members' addresses."""
    if not meeting.packet_mailed_fingerprint:
        return []
    return list(
        PacketMail.objects.filter(meeting=meeting, fingerprint=meeting.packet_mailed_fingerprint)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
