"""Invitation mails to a body's members: one round per "send invitations", the
``MeetingMail`` rows are the outbox (as the surveys' ``Mail``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from actors.models import Person
from integration.core.models import TimeStampedModel

from .meetings import Meeting


class InvitationRound(TimeStampedModel):
    """One sending of the invitation (the first, or an updated agenda: "Nachtrag")."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="invitation_rounds",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation round")
        verbose_name_plural = _("invitation rounds")
        ordering = ["meeting", "number"]
        constraints = [
            # "Send" carries the last round's number: a double click is a no-op.
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.number}"


class MeetingMail(TimeStampedModel):
    """One invitation mail to one member: ``queued → sending → sent | failed``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent")

    FINAL = (Status.SENT, Status.FAILED, Status.CANCELLED)

    round = models.ForeignKey(
        InvitationRound,
        verbose_name=_("invitation round"),
        on_delete=models.CASCADE,
        related_name="mails",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="meeting_mails"
    )
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    retry_after = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("invitation mail")
        verbose_name_plural = _("invitation mails")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="minutes_mail_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="minutes_mail_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.round} → {self.email}"


class PacketMail(TimeStampedModel):
    """One mail to one member that the meeting packet (of one content, ``fingerprint``)
    is published: the outbox row of ``services.packets``, with the states of
    ``MeetingMail``. At most one per meeting, person and content."""

    Status = MeetingMail.Status
    FINAL = MeetingMail.FINAL

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="packet_mails"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="packet_mails"
    )
    # The members' packet this mail announces (Meeting.packet_mailed_fingerprint).
    fingerprint = models.CharField(_("content"), max_length=64, editable=False)
    # Whether an earlier content was mailed before: the mail says "updated".
    is_update = models.BooleanField(_("update"), default=False)
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    retry_after = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("meeting packet mail")
        verbose_name_plural = _("meeting packet mails")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="minutes_packetmail_status_due")]
        constraints = [
            # Publishing again, the kind's notify and a re-run task all meet here.
            models.UniqueConstraint(
                fields=["meeting", "person", "fingerprint"], name="minutes_packet_mail_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.email}"
