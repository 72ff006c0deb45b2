"""Data protection: the legal basis per person and purpose, the privacy log, retention notices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from integration.core.models import TimeStampedModel

from .network import Person


class Consent(TimeStampedModel):
    """The legal basis for keeping and emailing a person for one purpose (DSGVO Art. 6)."""

    class Purpose(models.TextChoices):
        SURVEYS = "surveys", _("Needs surveys")
        INVITATIONS = "invitations", _("Invitations")
        INFORMATION = "information", _("Information mailings")
        TASKS = "tasks", _("Follow-up task reminders")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent (Art. 6 (1) a GDPR)")
        PROFESSIONAL = "professional", _("Professional contact (Art. 6 (1) e GDPR)")

    class Method(models.TextChoices):
        WRITTEN = "written", _("In writing")
        EMAIL = "email", _("By email")
        ONLINE = "online", _("Online form")
        ORAL = "oral", _("Orally (noted)")
        OFFICIAL = "official", _("Official duty")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices)
    method = models.CharField(_("how given"), max_length=20, choices=Method.choices)
    given_on = models.DateField(_("given on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["person", "purpose", "-given_on"]
        constraints = [
            # At most one valid basis per person and purpose; withdrawn ones stay as record.
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="actors_consent_one_valid_per_purpose",
                violation_error_message=_(
                    "This person already has a valid basis for this purpose."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_purpose_display()}"

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None


class PrivacyLogEntry(models.Model):
    """An audit record of a data-protection action (export, erasure, retention, withdrawal).

    Holds the person's id only, never their name, so that it survives the erasure
    it records.
    """

    class Action(models.TextChoices):
        DATA_EXPORT = "data_export", _("Data export")
        ERASURE = "erasure", _("Erasure (anonymised)")
        RETENTION_LISTED = "retention_listed", _("Listed by retention check")
        RETENTION_WARNED = "retention_warned", _("Retention warning sent")
        RETENTION_ANONYMISED = "retention_anonymised", _("Anonymised after retention period")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        MERGE = "merge", _("Merged into another person")

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    person_id_ref = models.PositiveBigIntegerField(_("person id"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("privacy log entry")
        verbose_name_plural = _("privacy log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_action_display()} #{self.person_id_ref}"


class RetentionNotice(TimeStampedModel):
    """The retention warning mail to one person in one retention cycle: the mail's outbox.

    ``queued → sending → sent | failed | cancelled``. The retention job creates
    the row (at most one per cycle: a notice created after the person's last
    activity belongs to the current cycle) and the send task delivers it; the
    service locks the row, skips final rows and rows another worker is sending,
    and sends outside the transaction. ``cancelled``: the person renewed their
    consent or became active before the mail went out.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not needed any more")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="retention_notices",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    # The last delivery error (German or the mail server's text); kept while retrying.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("retention notice")
        verbose_name_plural = _("retention notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="actors_retnotice_status")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} #{self.person_id} {self.get_status_display()}"
