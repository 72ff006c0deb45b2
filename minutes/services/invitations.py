"""Invitations to a meeting: one round per "send", one ``MeetingMail`` per member.

The ``MeetingMail`` rows are an outbox like the surveys' mails and use the
same machinery (``integration.core.outbox``): the round's rows are enqueued
after the commit, each batch is claimed by a conditional UPDATE, sent outside
the transaction, retried with backoff on transient SMTP errors and failed with
the reason on permanent ones; the sweep (every minute) picks up what a lost
task, a dead worker or a broker that was down left behind. Attempts and batch
size follow ``SURVEY_MAIL_MAX_ATTEMPTS`` and ``SURVEY_BATCH_SIZE``.

The mail is built when it is sent, so it shows the agenda as it is then: the
meeting (body, date, time, place), the public and the non-public items (the
recipients are current members of the body, who may see the non-public part;
titles only, no minutes text), and links to the meeting page, the papers and
their files, which open after logging in.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Consent
from actors.selectors import consent_check, people_emailable
from integration.core import outbox as core
from integration.core.emails import absolute_url, email_send
from integration.core.models import User

from ..models import InvitationRound, Meeting, MeetingMail, Membership
from ..selectors.access import current_membership_q
from ..selectors.invitations import Recipients, invitation_recipients, mail_agenda
from .meetings import meeting_locked, meeting_mark_invited


def meeting_mail_agenda(meeting: Meeting) -> dict:
    """The agenda of the invitation with absolute links to papers and files."""
    agenda = mail_agenda(meeting=meeting)
    for item in agenda["public_items"] + agenda["nonpublic_items"]:
        item.paper_url = absolute_url("minutes:paper_detail", item.paper_id) if item.paper else ""
        item.files = [
            {"name": file.name, "url": absolute_url("minutes:attachment_download", file.pk)}
            for file in (item.paper.attachments.all() if item.paper else [])
        ]
    return agenda


def mail_context(mail: MeetingMail, agenda: dict | None = None) -> dict:
    """What the invitation templates show (see ``emails/invitation.txt``); ``agenda``
    from ``meeting_mail_agenda`` when several mails of one meeting are sent."""
    meeting = mail.round.meeting
    agenda = agenda if agenda is not None else meeting_mail_agenda(meeting)
    return {
        "person": mail.person,
        "meeting": meeting,
        "body": meeting.body,
        "is_update": mail.round.number > 1,
        "meeting_url": absolute_url("minutes:meeting_detail", meeting.pk),
        "public_items": agenda["public_items"],
        "nonpublic_items": agenda["nonpublic_items"],
        "meeting_files": [
            {"name": file.name, "url": absolute_url("minutes:attachment_download", file.pk)}
            for file in agenda["meeting_files"]
        ],
    }


def _is_member(mail: MeetingMail) -> bool:
    """Does the recipient still sit in the meeting's body?"""
    return Membership.objects.filter(
        current_membership_q(), person_id=mail.person_id, body_id=mail.round.meeting.body_id
    ).exists()


class InvitationOutbox(core.Outbox):
    """Invitation mails to meetings as an outbox."""

    model = MeetingMail
    label = "Invitation mail"

    def max_attempts(self) -> int:
        return settings.SURVEY_MAIL_MAX_ATTEMPTS

    def batch_size(self) -> int:
        return settings.SURVEY_BATCH_SIZE

    def enqueue(self, ids: list[int]) -> None:
        from .. import tasks

        tasks.invitation_mails_send_task.delay(ids)

    def load(self, ids: list[int]) -> QuerySet[MeetingMail]:
        # A batch's mails mostly share one meeting: its agenda is read once per batch.
        self._agendas: dict[int, dict] = {}
        return (
            MeetingMail.objects.filter(pk__in=ids)
            .select_related("round__meeting__body", "round__meeting__location", "person")
            .prefetch_related("person__consents")
        )

    def obstacle(self, mail: MeetingMail, now: datetime) -> str:
        """Meeting cancelled, no longer a member of the body (the mail names the
        non-public items), or no consent for invitations (any more)."""
        if mail.round.meeting.status == Meeting.Status.CANCELLED:
            return _("Meeting cancelled")
        if not _is_member(mail):
            return _("No longer a member of the body")
        check = consent_check(person=mail.person, purpose=Consent.Purpose.INVITATIONS)
        return "" if check.allowed else check.reason

    def still_sendable(self, rows: QuerySet[MeetingMail]) -> QuerySet[MeetingMail]:
        current_member = Membership.objects.filter(
            current_membership_q(),
            person_id=OuterRef("person_id"),
            body_id=OuterRef("round__meeting__body_id"),
        )
        return rows.exclude(round__meeting__status=Meeting.Status.CANCELLED).filter(
            Exists(current_member),
            person__in=people_emailable(purpose=Consent.Purpose.INVITATIONS),
        )

    def context(self, mail: MeetingMail) -> dict:
        agendas = getattr(self, "_agendas", {})
        meeting = mail.round.meeting
        if meeting.pk not in agendas:
            agendas[meeting.pk] = meeting_mail_agenda(meeting)
        return mail_context(mail, agendas[meeting.pk])

    def deliver(self, mail: MeetingMail, context: dict, connection) -> None:
        email_send(
            template="minutes/emails/invitation",
            context=context,
            to=[mail.email],
            connection=connection,
        )


OUTBOX = InvitationOutbox()


def _enqueue_after_commit(mails: QuerySet[MeetingMail]) -> None:
    ids = list(mails.values_list("pk", flat=True))

    def enqueue() -> None:
        OUTBOX.rows_enqueue(MeetingMail.objects.filter(pk__in=ids), now=timezone.now())

    core.on_commit_robust(enqueue)


@dataclass
class SendResult:
    round: InvitationRound
    recipients: Recipients


@transaction.atomic
def invitation_send(*, by: User, meeting: Meeting, last_round_number: int) -> SendResult | None:
    """Send the invitation (again): a new round with a mail to every current member of
    the body whom ``consent_check`` allows for invitations; delivered after the commit.

    ``last_round_number`` is the newest round the coordinator saw; if another
    round was made meanwhile (a double click, a second tab) nothing happens and
    None is returned. A planned meeting becomes "invited". Refused (German) for
    a cancelled meeting, or when no member may be invited. The members left out
    are in the result with their reason. Permission: ``minutes.change_meeting``.
    """
    meeting = meeting_locked(meeting)
    newest = meeting.invitation_rounds.order_by("-number").values_list("number", flat=True)
    if (newest.first() or 0) != last_round_number:
        return None
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting is cancelled; no invitation can be sent."))
    recipients = invitation_recipients(meeting=meeting)
    if not recipients.allowed:
        raise ValidationError(
            _("None of the body's current members may be sent an invitation (see the list).")
        )
    round_ = InvitationRound.objects.create(
        meeting=meeting, number=last_round_number + 1, sent_by=by
    )
    now = timezone.now()
    MeetingMail.objects.bulk_create(
        [
            MeetingMail(round=round_, person=person, email=person.email, due_at=now)
            for person in recipients.allowed
        ]
    )
    meeting_mark_invited(meeting=meeting)
    _enqueue_after_commit(round_.mails.all())
    return SendResult(round=round_, recipients=recipients)


@transaction.atomic
def invitation_mail_retry(*, by: User, mail: MeetingMail) -> MeetingMail:
    """Queue a failed invitation mail again ("erneut senden") with fresh attempts, to the
    person's current address; enqueued after the commit. Only failed mails of meetings
    that are not cancelled. Permission: ``minutes.change_meeting``."""
    mail = (
        MeetingMail.objects.select_for_update(of=("self",))
        .select_related("round__meeting", "person")
        .get(pk=mail.pk)
    )
    if mail.status != MeetingMail.Status.FAILED:
        raise ValidationError(_("Only a failed mail can be sent again."))
    if mail.round.meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting is cancelled; no invitation can be sent."))
    if not _is_member(mail):
        raise ValidationError(
            _("%(person)s is no longer a member of the body.") % {"person": mail.person}
        )
    mail.email = mail.person.email or mail.email
    mail.status = MeetingMail.Status.QUEUED
    mail.attempts = 0
    mail.retry_after = mail.failed_at = mail.enqueued_at = mail.sending_since = None
    mail.error = ""
    mail.due_at = timezone.now()
    mail.save()
    _enqueue_after_commit(MeetingMail.objects.filter(pk=mail.pk))
    return mail


def invitation_mails_send(*, mail_ids: list[int]) -> core.SendSummary:
    """Send a batch of invitation mails; the body of ``invitation_mails_send_task``."""
    return OUTBOX.send(ids=mail_ids)


def invitation_mails_sweep(*, now: datetime | None = None) -> int:
    """Every minute: fail rows interrupted too often, enqueue rows that are due and
    have no live task (never enqueued, lost, retry due, left by a dead worker).
    Returns how many were enqueued; idempotent."""
    now = now or timezone.now()
    OUTBOX.interrupted_fail(now)
    return OUTBOX.rows_enqueue(MeetingMail.objects.all(), now=now)
