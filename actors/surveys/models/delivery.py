"""Who is asked, and the outbox: one ``Mail`` row per invitation and reminder mail."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.models import Circle, Organisation, Person
from integration.core.models import TimeStampedModel

from .survey import Survey


class Invitation(TimeStampedModel):
    """A person asked in a survey, with the hash of their personal link.

    The link's token is never stored: it is derived from a server secret and
    ``uuid`` + ``nonce`` (see ``tokens``), so a reminder can repeat it. Whether
    the person answered is a flag without a time, so that in an anonymous
    survey it cannot be matched to a response.
    """

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Snapshots at the time of asking, for the response rate per group.
    circles = models.ManyToManyField(
        Circle, verbose_name=_("circles"), blank=True, related_name="survey_invitations"
    )
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=30, choices=Organisation.Kind.choices, blank=True
    )
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    has_responded = models.BooleanField(_("answered"), default=False)
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["survey", "person__last_name", "person__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                name="surveys_invitation_once_per_person",
                violation_error_message=_("This person is already asked in this survey."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.person}"


class ReminderRound(models.Model):
    """One round of reminders, planned by the schedule (``day``) or asked for by hand."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="reminder_rounds"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    day = models.PositiveSmallIntegerField(
        _("day after launch"), null=True, blank=True, help_text=_("Empty when sent by hand.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reminder round")
        verbose_name_plural = _("reminder rounds")
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="surveys_round_number"),
            # The schedule plans each day once, however often the beat job runs.
            models.UniqueConstraint(
                fields=["survey", "day"], condition=Q(day__isnull=False), name="surveys_round_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.number}"


class Mail(TimeStampedModel):
    """One mail to send: the database is the outbox (``queued → sending → sent | failed``).

    A mail is sent by whoever claims the row under a lock; a row that is sent,
    failed, cancelled or being sent by another worker is skipped, so enqueuing
    it twice is harmless. The periodic sweep enqueues rows left queued or by a
    dead worker.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent")

    FINAL = (Status.SENT, Status.FAILED, Status.CANCELLED)

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reminder_round = models.ForeignKey(
        ReminderRound,
        verbose_name=_("reminder round"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mails",
    )
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
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="surveys_mail_status_due")]
        constraints = [
            # A double click on "launch" or "remind" cannot make a second mail.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(kind="invitation"),
                name="surveys_mail_one_invitation",
            ),
            models.UniqueConstraint(
                fields=["invitation", "reminder_round"],
                condition=Q(kind="reminder"),
                name="surveys_mail_one_per_round",
            ),
            models.CheckConstraint(
                condition=(Q(kind="invitation") & Q(reminder_round__isnull=True))
                | (Q(kind="reminder") & Q(reminder_round__isnull=False)),
                name="surveys_mail_round_for_reminders",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invitation}"
