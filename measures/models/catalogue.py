"""Concept, versions, goals, measures, status updates, and who answers for a department."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actors.models import Organisation, Person
from integration.core.models import FieldOfAction, TimeStampedModel


class Concept(TimeStampedModel):
    """The town's integration concept; its content lives in versions."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("integration concept")
        verbose_name_plural = _("integration concepts")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ConceptVersion(TimeStampedModel):
    """One version of the catalogue: adopted (read-only), or a revision in progress.

    Starting a revision copies the catalogue of the version it is based on;
    goals and measures carry a ``key`` shared by their copies, which is how two
    versions are compared. An adopted version never changes again.
    """

    class Status(models.TextChoices):
        REVISION = "revision", _("Revision in progress")
        ADOPTED = "adopted", _("Adopted")

    concept = models.ForeignKey(
        Concept, verbose_name=_("concept"), on_delete=models.CASCADE, related_name="versions"
    )
    label = models.CharField(_("label"), max_length=100, help_text=_("e.g. “Fortschreibung 2026”"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REVISION
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(
        _("adopted by"),
        max_length=200,
        blank=True,
        help_text=_("The body and resolution, e.g. “Rat, Beschluss 2009/114”."),
    )
    resolution = models.ForeignKey(
        "minutes.Resolution",
        verbose_name=_("adopting resolution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_versions",
        help_text=_("The resolution of the committee work that adopted this version."),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )

    class Meta:
        verbose_name = _("concept version")
        verbose_name_plural = _("concept versions")
        ordering = ["concept", "-created_at"]
        constraints = [
            # At most one revision in progress per concept.
            models.UniqueConstraint(
                fields=["concept"],
                condition=Q(status="revision"),
                name="measures_one_revision_per_concept",
                violation_error_message=_("A revision of this concept is already in progress."),
            ),
            models.CheckConstraint(
                condition=Q(status="revision") | Q(adopted_on__isnull=False),
                name="measures_adopted_version_has_date",
                violation_error_message=_("An adopted version needs the date of its adoption."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.concept}: {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("measures:version_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.REVISION


class Goal(TimeStampedModel):
    version = models.ForeignKey(
        ConceptVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="goals"
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    field_of_action = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "number"],
                name="measures_goal_number_per_version",
                violation_error_message=_("This version already has a goal with this number."),
            ),
            models.UniqueConstraint(
                fields=["version", "key"], name="measures_goal_key_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Measure(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Implemented")
        PERMANENT = "permanent", _("Permanent task")
        DEFERRED = "deferred", _("Deferred")
        DISCARDED = "discarded", _("Discarded")

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="measures"
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Within the goal: 2 in “3.2”.")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead (federführend)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_measures",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners (beteiligt)"), blank=True, related_name="measures"
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    funding_note = models.CharField(
        _("funding"), max_length=300, blank=True, help_text=_("How the measure is paid for.")
    )
    # The newest status update's date, kept by the service that records updates:
    # the catalogue filters and sorts by it ("stale") without a subquery.
    last_update_on = models.DateField(_("last update"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["goal__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "number"],
                name="measures_measure_number_per_goal",
                violation_error_message=_("This goal already has a measure with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="measures_measure_dates_in_order",
                violation_error_message=_("The end cannot lie before the start."),
            ),
        ]
        indexes = [models.Index(fields=["status"], name="measures_measure_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("measures:measure_detail", args=[self.pk])

    @property
    def code(self) -> str:
        """The printed number, e.g. "3.2" (needs ``goal`` loaded)."""
        return f"{self.goal.number}.{self.number}"


class StatusUpdate(TimeStampedModel):
    """A dated note on a measure's progress, with the status it sets: the Umsetzungsstand."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=Measure.Status.choices)
    note = models.TextField(_("progress note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["measure", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.date}"


class Responsibility(TimeStampedModel):
    """A login of the administration answering for a department (Organisation).

    "Meine Maßnahmen": a ``Verwaltung`` user updates the measures led by the
    departments they answer for, and only those.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["user", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="measures_responsibility_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"
