"""The durable record of reminders sent to lead departments about stale measures."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from actors.models import Organisation
from integration.core.models import TimeStampedModel


class StaleReminder(TimeStampedModel):
    """A lead department was reminded of its stale measures on ``day``.

    Unique per lead and day: inserting the row is what claims the day's reminder
    (across processes and restarts), and the stale list shows when each lead was
    last reminded.
    """

    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="stale_reminders",
    )
    day = models.DateField(_("day"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    # Who got the mail already, one short hash of the address per line between
    # newlines ("\nab12…\n"): a retried task mails nobody twice. Hashes, not
    # addresses, so the row holds no personal data.
    sent_to = models.TextField(default="\n", editable=False)

    class Meta:
        verbose_name = _("stale reminder")
        verbose_name_plural = _("stale reminders")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "day"], name="measures_stale_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.day}"
