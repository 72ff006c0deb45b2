"""Funding: programmes (Förderprogramme) and the grants applied for under them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actors.models import Organisation
from integration.core.models import TimeStampedModel

from .catalogue import Measure

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class FundingProgramme(TimeStampedModel):
    """A programme money can be applied for: Integrationspauschale NRW, KIM, AMIF …"""

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        STATE = "state", _("State (Land)")
        FEDERAL = "federal", _("Federal")
        EU = "eu", _("European Union")
        FOUNDATION = "foundation", _("Foundation / private")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    provider = models.CharField(
        _("provider"),
        max_length=200,
        help_text=_("Who grants the money, e.g. “Land NRW, MKJFGFI”."),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web address"), blank=True)
    application_deadline = models.DateField(_("next application deadline"), null=True, blank=True)
    deadline_note = models.CharField(
        _("deadlines"),
        max_length=200,
        blank=True,
        help_text=_("Recurring deadlines in words, e.g. “Antrag jährlich bis 31.03.”"),
    )
    is_active = models.BooleanField(
        _("open for applications"),
        default=True,
        help_text=_("Closed programmes stay on their grants but are no longer offered."),
    )

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("measures:programme_detail", args=[self.pk])


class Grant(TimeStampedModel):
    """A grant applied for under a programme: what it pays for, its period, its status.

    The money per calendar year lives in ``GrantYear`` rows (applied, granted,
    spent); the overview per year sums them. ``report_reminded_for`` records the
    report deadline a reminder was sent for, so the daily beat sends one reminder
    per deadline (a changed deadline gets its own).
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", _("Rejected")
        SETTLED = "settled", _("Settled")

    programme = models.ForeignKey(
        FundingProgramme,
        verbose_name=_("funding programme"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(
        _("reference number"), max_length=100, blank=True, help_text=_("Förderkennzeichen")
    )
    recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        help_text=_("Who receives the money: a department or a partner of the network."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    purpose = models.TextField(_("what it pays for"), blank=True)
    measures = models.ManyToManyField(
        Measure, verbose_name=_("measures"), blank=True, related_name="grants"
    )
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period until"))
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    report_due_on = models.DateField(
        _("report deadline"),
        null=True,
        blank=True,
        help_text=_("Verwendungsnachweis or interim report; a reminder goes out beforehand."),
    )
    report_submitted_on = models.DateField(_("report submitted on"), null=True, blank=True)
    report_reminded_for = models.DateField(null=True, blank=True, editable=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Receives the reminder of the report deadline; else the coordination does."),
    )

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="measures_grant_period_in_order",
                violation_error_message=_("The end of the period cannot lie before its start."),
            ),
        ]
        indexes = [models.Index(fields=["report_due_on"], name="measures_grant_report_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("measures:grant_detail", args=[self.pk])


class GrantYear(TimeStampedModel):
    """A grant's money in one calendar year: applied for, granted, spent."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    applied = models.DecimalField(_("applied for (€)"), default=Decimal(0), **MONEY)
    granted = models.DecimalField(_("granted (€)"), null=True, blank=True, **MONEY)
    spent = models.DecimalField(_("spent (€)"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("grant year")
        verbose_name_plural = _("grant years")
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "year"],
                name="measures_grantyear_once",
                violation_error_message=_("This grant already has an amount for this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id}: {self.year}"
