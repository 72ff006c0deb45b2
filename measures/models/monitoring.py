"""Monitoring: indicators per field of action and their observations over time."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from integration.core.models import FieldOfAction, TimeStampedModel


class Indicator(TimeStampedModel):
    """What is measured in a field of action: "Anteil SGB-II-Leistungsberechtigter …"."""

    field_of_action = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. “%”, “Personen”, “Plätze”"))
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("e.g. “Statistik der BA”, “IT.NRW”")
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick where a falling value is the aim (e.g. unemployment)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["field_of_action__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["field_of_action", "name"],
                name="measures_indicator_name_per_field",
                violation_error_message=_(
                    "This field of action already has an indicator with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("measures:indicator_detail", args=[self.pk])


class Observation(TimeStampedModel):
    """A value of an indicator for a period, dated by the period's end."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    period_end = models.DateField(
        _("as of"), help_text=_("The end of the period the value describes, e.g. 31.12.2024.")
    )
    period_label = models.CharField(
        _("period"), max_length=40, blank=True, help_text=_("e.g. “2024” or “2. Halbjahr 2024”")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="measures_observation_once_per_period",
                violation_error_message=_("This indicator already has a value for this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.period_end}"
