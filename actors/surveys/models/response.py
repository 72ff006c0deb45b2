"""What recipients answered.

Deliberately without ``TimeStampedModel`` and without counters as keys: a
response and its answers carry no time and a random id, so that in an
anonymous survey neither their time nor their order can be matched to an
invitation (whose ``opened_at`` is known). The curve of answers over time is
kept apart, as a count per day (``ResponseDay``). A response's key is a hash
derived from the personal link, not the invitation; only named surveys link
the invitation.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from .delivery import Invitation
from .survey import Question, Survey

# Longest free text kept per answer; the form says so before it is cut.
ANSWER_MAX_LENGTH = 5000
SHORT_ANSWER_MAX_LENGTH = 300


class Response(models.Model):
    # A random key, not a counter: the order of rows must not reveal the order of answers.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        help_text=_("Only in named surveys."),
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "id"]

    def __str__(self) -> str:
        return str(self.survey)


class ResponseDay(models.Model):
    """How many responses came in on a day: the response curve, without any response's time."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="response_days"
    )
    day = models.DateField(_("day"))
    responses = models.PositiveIntegerField(_("responses"), default=0)

    class Meta:
        verbose_name = _("responses per day")
        verbose_name_plural = _("responses per day")
        ordering = ["survey", "day"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "day"], name="surveys_response_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.day}"


class Answer(models.Model):
    """The answer to one question; which value field is used depends on the question's kind."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    # Short and long text.
    text = models.TextField(_("text"), blank=True, max_length=ANSWER_MAX_LENGTH)
    # Number and scale (1–5).
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Yes / no.
    boolean = models.BooleanField(_("yes / no"), null=True, blank=True)
    # Choices: the option texts; fields of action: their ids.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    other_text = models.CharField(_("other"), max_length=SHORT_ANSWER_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once"),
        ]

    def __str__(self) -> str:
        return str(self.question)
