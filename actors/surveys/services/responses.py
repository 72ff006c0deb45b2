"""The recipient's side: finding an invitation by its link, answering, opting out.

Nobody logs in here: the 256-bit token in the link is the authorisation. Only
its hash is looked up. Anonymity (see ``models.response``): a response is keyed
by a second hash of the token, carries no time and, in an anonymous survey, no
link to the invitation; the invitation only learns ``has_responded`` (no time)
and the day's counter in ``ResponseDay`` goes up by one.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from actors.models import Consent, Person
from actors.selectors import consent_check
from actors.services.network import consent_withdraw
from integration.core.models import FieldOfAction

from .. import tokens
from ..models import Answer, Invitation, Mail, Question, Response, ResponseDay, Survey
from ..models.response import ANSWER_MAX_LENGTH, SHORT_ANSWER_MAX_LENGTH


class InvitationState:
    """What the personal link may show: the form or one of the friendly pages."""

    OPEN = "open"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    # Opted out through a link, or the consent for surveys withdrawn or gone.
    WITHDRAWN = "withdrawn"
    # Unknown, mistyped, or a survey that was never launched.
    INVALID = "invalid"


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of a link's token, with its survey and person; None when unknown.

    A malformed token costs no query. The person's consents are prefetched for
    ``invitation_state``.
    """
    if not tokens.token_looks_valid(token):
        return None
    return (
        Invitation.objects.filter(token_hash=tokens.token_hash(token))
        .select_related("survey", "person")
        .prefetch_related("person__consents")
        .first()
    )


def invitation_state(invitation: Invitation | None, *, now=None) -> str:
    """Which page the link shows (``InvitationState``); the same rules refuse an answer."""
    if invitation is None or invitation.survey.status == Survey.Status.DRAFT:
        return InvitationState.INVALID
    survey = invitation.survey
    if invitation.opted_out_at is not None:
        return InvitationState.WITHDRAWN
    if not consent_check(person=invitation.person, purpose=Consent.Purpose.SURVEYS).allowed:
        return InvitationState.WITHDRAWN
    now = now or timezone.now()
    if survey.status == Survey.Status.CLOSED or now >= survey.closes_at:
        return InvitationState.CLOSED
    if now < survey.opens_at:
        return InvitationState.NOT_OPEN
    return InvitationState.OPEN if survey.accepts_answers(now) else InvitationState.CLOSED


def response_for_token(token: str) -> Response | None:
    """The response given through ``token`` with its answers, or None."""
    if not tokens.token_looks_valid(token):
        return None
    return (
        Response.objects.filter(key_hash=tokens.response_key_hash(token))
        .prefetch_related("answers")
        .first()
    )


def response_answers(response: Response | None) -> dict[int, Answer]:
    """The answers of ``response`` by question id, to fill the form in again."""
    if response is None:
        return {}
    return {answer.question_id: answer for answer in response.answers.all()}


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def invitation_open(invitation: Invitation) -> None:
    """Note the first time the link was opened; later openings change nothing."""
    now = timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=now
    )
    if updated:
        invitation.opened_at = now


def _invitation_locked(token: str) -> Invitation:
    invitation = None
    if tokens.token_looks_valid(token):
        found = Invitation.objects.filter(token_hash=tokens.token_hash(token))
        person_id = found.values_list("person_id", flat=True).first()
        if person_id is not None:
            # Person before invitation, in the order of the erasure and the
            # retention job, so that they cannot deadlock.
            Person.objects.select_for_update().filter(pk=person_id).exists()
            invitation = found.select_for_update().first()
    if invitation is None:
        raise ValidationError(_("This link is not valid."))
    # Loaded apart: FOR UPDATE over a join would lock the survey and person rows too.
    invitation.survey = Survey.objects.get(pk=invitation.survey_id)
    invitation.person = Person.objects.prefetch_related("consents").get(pk=invitation.person_id)
    return invitation


def _refuse_unless_open(invitation: Invitation) -> None:
    state = invitation_state(invitation)
    if state == InvitationState.WITHDRAWN:
        raise ValidationError(
            _("You have opted out of our surveys; your answers can no longer be accepted.")
        )
    if state != InvitationState.OPEN:
        raise ValidationError(_("This survey does not accept answers at the moment."))


def _text_values(question: Question, values: dict) -> dict:
    text = str(values.get("text") or "").strip()
    limit = SHORT_ANSWER_MAX_LENGTH if question.kind == Question.Kind.SHORT_TEXT else None
    # A TextField's max_length is not checked by full_clean(): checked here.
    if len(text) > (limit or ANSWER_MAX_LENGTH):
        raise ValueError
    return {"text": text}


def _number_values(question: Question, values: dict) -> dict:
    if values.get("number") is None:
        return {}
    number = Decimal(str(values["number"]))
    low, high = question.number_min, question.number_max
    if question.kind == Question.Kind.SCALE:
        low, high = 1, 5
        if number != int(number):
            raise ValueError
    if not number.is_finite() or (low is not None and number < low):
        raise ValueError
    if high is not None and number > high:
        raise ValueError
    return {"number": number}


def _yes_no_values(question: Question, values: dict) -> dict:
    if values.get("boolean") not in (True, False, None):
        raise ValueError
    return {"boolean": values.get("boolean")}


def _fields_of_action_values(question: Question, values: dict) -> dict:
    chosen = sorted({int(pk) for pk in values.get("choices") or []})
    known = FieldOfAction.objects.filter(pk__in=chosen).values_list("pk", flat=True)
    if set(chosen) - set(known):
        raise ValueError
    return {"choices": chosen}


def _choice_values(question: Question, values: dict) -> dict:
    options = [str(option) for option in question.options]
    chosen = {str(choice) for choice in values.get("choices") or []}
    other_text = str(values.get("other_text") or "").strip()
    if chosen - set(options) or (other_text and not question.allows_other):
        raise ValueError
    if question.kind == Question.Kind.SINGLE_CHOICE and len(chosen) + bool(other_text) > 1:
        raise ValueError
    # Stored in the options' order, whatever order they came in.
    return {"choices": [option for option in options if option in chosen], "other_text": other_text}


ANSWER_VALUES = {
    Question.Kind.SHORT_TEXT: _text_values,
    Question.Kind.LONG_TEXT: _text_values,
    Question.Kind.NUMBER: _number_values,
    Question.Kind.SCALE: _number_values,
    Question.Kind.YES_NO: _yes_no_values,
    Question.Kind.FIELDS_OF_ACTION: _fields_of_action_values,
    Question.Kind.SINGLE_CHOICE: _choice_values,
    Question.Kind.MULTIPLE_CHOICE: _choice_values,
}


def _answer_build(response: Response, question: Question, values: dict) -> Answer | None:
    """One Answer from the form's values for ``question``; None for an empty answer.

    Checks again what the form checked, so that no caller can store an answer
    the recipient's form would refuse (choices not offered, numbers out of
    bounds, text too long).
    """
    try:
        fields = ANSWER_VALUES[question.kind](question, values)
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationError(
            _("The answer to “%(question)s” is not valid.") % {"question": question.text}
        ) from None
    if not any(value not in (None, "", []) for value in fields.values()):
        return None
    answer = Answer(response=response, question=question, **fields)
    # The model's own limits (digits, length of "Other") hold whatever the form did.
    answer.full_clean(
        exclude=["response", "question"], validate_unique=False, validate_constraints=False
    )
    return answer


@transaction.atomic
def response_submit(*, token: str, data: dict[int, dict]) -> Response:
    """Store the answers given through ``token``: ``data`` is ``AnswerForm.answer_data()``.

    Refused (German ValidationError) for unknown links, surveys that do not
    accept answers, and people who opted out or whose consent for surveys is no
    longer valid. The invitation row is locked, so a double click counts once.
    The first submission creates the response (linked to the invitation only in
    named surveys), sets ``has_responded`` and counts today in ``ResponseDay``;
    later ones replace the answers and count nothing. No time is stored with
    the response; the invitation's ``updated_at`` stays as it was.
    """
    invitation = _invitation_locked(token)
    _refuse_unless_open(invitation)
    survey = invitation.survey
    questions = {question.pk: question for question in survey.questions.all()}
    unknown = set(data) - set(questions)
    if unknown:
        raise ValidationError(_("Some answers belong to questions not in this survey."))

    key_hash = tokens.response_key_hash(token)
    response = Response.objects.filter(key_hash=key_hash).first()
    first = response is None
    if first:
        response = Response(
            survey=survey,
            key_hash=key_hash,
            invitation=None if survey.is_anonymous else invitation,
        )
    answers = [
        answer
        for pk, values in data.items()
        if (answer := _answer_build(response, questions[pk], values)) is not None
    ]
    answered = {answer.question_id for answer in answers}
    if any(question.is_required and pk not in answered for pk, question in questions.items()):
        raise ValidationError(_("Please answer every required question."))

    if first:
        response.save()
    else:
        response.answers.all().delete()
    Answer.objects.bulk_create(answers)

    if first:
        # Flags and counters only: nothing here records when this response came.
        Invitation.objects.filter(pk=invitation.pk).update(has_responded=True)
        day, _created = ResponseDay.objects.get_or_create(survey=survey, day=timezone.localdate())
        ResponseDay.objects.filter(pk=day.pk).update(responses=F("responses") + 1)
        if not survey.is_anonymous:
            # In a named survey the answer is the person's anyway; in an
            # anonymous one this time would date the response.
            Person.objects.filter(pk=invitation.person_id).update(last_activity_at=timezone.now())
    return response


@transaction.atomic
def invitation_opt_out(*, token: str) -> Invitation:
    """Opt the link's person out of all surveys: withdraw their consent for surveys.

    The withdrawal goes into the network's consent records and privacy log
    (``consent_withdraw``); the invitation notes ``opted_out_at``; mails still
    queued for this person in any survey are cancelled. Idempotent: a second
    opt-out withdraws nothing more and logs nothing.
    """
    invitation = _invitation_locked(token)
    now = timezone.now()
    with translation.override("de"):
        note = _("Opted out through the link of a survey.")
        cancelled = _("Opted out")
    consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS, note=note)
    if invitation.opted_out_at is None:
        Invitation.objects.filter(pk=invitation.pk).update(opted_out_at=now, updated_at=now)
        invitation.opted_out_at = now
    # Rows a worker has claimed are left to it: it checks the opt-out right before each mail.
    Mail.objects.filter(invitation__person=invitation.person_id, status=Mail.Status.QUEUED).update(
        status=Mail.Status.CANCELLED, error=cancelled, updated_at=now
    )
    return invitation
