"""The secret link of a member's personal calendar feed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from integration.core.models import TimeStampedModel


class CalendarFeed(TimeStampedModel):
    """A login's personal iCal feed: its meetings, non-public ones included (without
    item titles). Only the SHA-256 of the secret is stored; renewing replaces it,
    so the old link stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    renewed_at = models.DateTimeField(_("renewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
