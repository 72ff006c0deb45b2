"""Positions (Stellen) that carry the integration work."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actors.models import Organisation, Person
from integration.core.models import TimeStampedModel

from .funding import MONEY, Grant


class Position(TimeStampedModel):
    """A position: its size, who employs it, what it costs, how it is paid, who holds it.

    Size is a share of a full-time position (0.5, 0.65) or hours per week
    (19.5), at least one of them. The job profile (Stellenprofil) is a text the
    committee can read; the Twistringen committee waited a year for one.
    """

    class Employment(models.TextChoices):
        INTERNAL = "internal", _("Internal (the administration)")
        EXTERNAL = "external", _("External provider")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ADVERTISED = "advertised", _("Advertised")
        FILLED = "filled", _("Filled")
        VACANT = "vacant", _("Vacant")

    title = models.CharField(_("title"), max_length=200)
    fte = models.DecimalField(
        _("share of a full-time position"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1))],
        help_text=_("e.g. 0.5 or 0.65"),
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(60))],
        help_text=_("e.g. 19.5"),
    )
    employment = models.CharField(
        _("employed"), max_length=10, choices=Employment.choices, default=Employment.INTERNAL
    )
    department = models.ForeignKey(
        Organisation,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text=_("Internal: the department the position belongs to."),
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provided_positions",
        help_text=_("External: the organisation that employs the holder (e.g. Caritas)."),
    )
    cost_per_year = models.DecimalField(_("cost per year (€)"), null=True, blank=True, **MONEY)
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("funded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="positions",
    )
    funding_note = models.CharField(_("funding"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    holder = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="positions",
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Fixed-term positions.")
    )
    job_profile = models.TextField(_("job profile"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__isnull=False) | Q(hours_per_week__isnull=False),
                name="measures_position_has_size",
                violation_error_message=_(
                    "Please enter the share of a full-time position or the hours per week."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(employment="external") | Q(provider__isnull=False),
                name="measures_external_position_has_provider",
                violation_error_message=_("An external position needs its provider."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("measures:position_detail", args=[self.pk])
