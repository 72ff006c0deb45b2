"""The survey as the coordinator builds it: settings and questions."""

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integration.core.models import TimeStampedModel

# Reminders go out at most this many days after the launch.
MAX_REMINDER_DAY = 120


def validate_reminder_days(value) -> None:
    if not isinstance(value, list) or not all(isinstance(day, int) for day in value):
        raise ValidationError(_("Enter the reminder days as whole numbers."))
    if any(day < 1 or day > MAX_REMINDER_DAY for day in value):
        raise ValidationError(
            _("Reminder days lie between 1 and %(max)d days after the launch."),
            params={"max": MAX_REMINDER_DAY},
        )
    if sorted(set(value)) != value:
        raise ValidationError(_("Enter each reminder day once, in ascending order."))


class Survey(TimeStampedModel):
    """A Bedarfsabfrage: questions sent by personal link to people of the network."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Who asks and why: shown above the questions and in the invitation."),
    )
    closing_text = models.TextField(
        _("closing text"), blank=True, help_text=_("Shown after the answers were sent.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(
        _("closes on"), help_text=_("Answers are accepted until the end of this day.")
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Answers cannot be traced back to a person: "
            "no page, export or log shows who answered what."
        ),
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(
        _("contact email"), blank=True, help_text=_("Replies to the invitation go here.")
    )
    reminder_days = models.JSONField(
        _("reminder days"),
        default=list,
        blank=True,
        validators=[validate_reminder_days],
        help_text=_("Days after the launch on which those who have not answered are reminded."),
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders per person at most"),
        default=2,
        validators=[MaxValueValidator(5)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="surveys_survey_dates_in_order",
                violation_error_message=_("The survey cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    @property
    def opens_at(self) -> datetime:
        """The start of the opening day, local time."""
        return timezone.make_aware(datetime.combine(self.opens_on, time.min))

    @property
    def closes_at(self) -> datetime:
        """The end of the closing day (midnight after it), local time."""
        return timezone.make_aware(datetime.combine(self.closes_on + timedelta(days=1), time.min))

    def accepts_answers(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.RUNNING and self.opens_at <= now < self.closes_at

    @property
    def is_editable(self) -> bool:
        """Questions and recipients change only before the launch."""
        return self.status == self.Status.DRAFT


class Question(TimeStampedModel):
    """One question of a survey; ``position`` orders them."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        SCALE = "scale", _("Scale 1–5")
        YES_NO = "yes_no", _("Yes / no")
        NUMBER = "number", _("Number")
        FIELDS_OF_ACTION = "fields_of_action", _("Choice of fields of action")

    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("The answers to choose from.")
    )
    allows_other = models.BooleanField(_("offer “Other” with free text"), default=False)
    scale_low_label = models.CharField(_("label of 1"), max_length=60, blank=True)
    scale_high_label = models.CharField(_("label of 5"), max_length=60, blank=True)
    number_min = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    number_max = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The measures of the integration concept the question asks about: their
    # pages list it (and any copy of the measure in a later version).
    measures = models.ManyToManyField(
        "measures.Measure",
        verbose_name=_("measures concerned"),
        blank=True,
        related_name="survey_questions",
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        errors = {}
        if self.kind in self.CHOICE_KINDS:
            options = [str(option).strip() for option in self.options or []]
            if len([option for option in options if option]) < 2:
                errors["options"] = _("A choice question needs at least two answers.")
            elif len(set(options)) != len(options) or "" in options:
                errors["options"] = _("Each answer must be given once and not be empty.")
        if self.allows_other and self.kind not in self.CHOICE_KINDS:
            errors["allows_other"] = _("“Other” is only offered in choice questions.")
        if (
            self.number_min is not None
            and self.number_max is not None
            and self.number_min > self.number_max
        ):
            errors["number_max"] = _("The largest number must not be smaller than the smallest.")
        if errors:
            raise ValidationError(errors)
