"""Shared pieces of the recipient-page tests: surveys, invitations, links, fixtures."""

from django.urls import reverse
from django.utils import timezone

from actors.surveys.models import Question, Survey
from tests.core.factories import FieldOfActionFactory

from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person

Kind = Question.Kind
TOKEN_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
}


def running_survey(**kwargs):
    kwargs.setdefault("title", "Bedarfsabfrage Runder Tisch 2026")
    kwargs.setdefault("status", Survey.Status.RUNNING)
    return SurveyFactory(launched_at=timezone.now(), **kwargs)


def invite(survey, **person):
    return InvitationFactory(survey=survey, person=consenting_person(**person))


def link(name, invitation_or_token):
    token = getattr(invitation_or_token, "token", invitation_or_token)
    return reverse(f"surveys:{name}", args=[token])


def every_kind(survey):
    """One question of each kind, in this order; the fields of action exist."""
    FieldOfActionFactory(name="Wohnen", position=1)
    FieldOfActionFactory(name="Sprache & Bildung", position=2)
    specs = [
        {"kind": Kind.SHORT_TEXT, "text": "Ihre Funktion?", "is_required": True},
        {"kind": Kind.LONG_TEXT, "text": "Was fehlt in Wiesenbrück?"},
        {"kind": Kind.SINGLE_CHOICE, "options": ["Oft", "Selten"], "allows_other": True},
        {"kind": Kind.MULTIPLE_CHOICE, "options": ["Kita", "Schule", "Beruf"]},
        {"kind": Kind.SCALE, "scale_low_label": "unwichtig", "scale_high_label": "sehr wichtig"},
        {"kind": Kind.YES_NO},
        {"kind": Kind.NUMBER, "number_min": 0, "number_max": 1000},
        {"kind": Kind.FIELDS_OF_ACTION},
    ]
    return [
        QuestionFactory(survey=survey, position=position, **spec)
        for position, spec in enumerate(specs, start=1)
    ]


def check(form, name, value, checked=True):
    for field in form.fields[name]:
        if field._value == value:
            field.checked = checked
            return
    raise AssertionError(f"no {value} in {name}")
