"""Answering and opting out through the personal link (services.responses)."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from actors.models import Consent, PrivacyLogEntry
from actors.services.network import consent_withdraw
from actors.surveys import tokens
from actors.surveys.models import Answer, Invitation, Mail, Question, Response, ResponseDay, Survey
from actors.surveys.services import responses
from actors.surveys.services.responses import InvitationState
from tests.actors.factories import ConsentFactory
from tests.core.factories import FieldOfActionFactory

from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def _running_survey(**kwargs):
    return SurveyFactory(status=Survey.Status.RUNNING, launched_at=timezone.now(), **kwargs)


def _invite(survey, **person):
    return InvitationFactory(survey=survey, person=consenting_person(**person))


@pytest.fixture
def survey():
    survey = _running_survey()
    QuestionFactory(survey=survey, kind=Kind.SHORT_TEXT, is_required=True)
    QuestionFactory(survey=survey, kind=Kind.MULTIPLE_CHOICE, options=["Wohnen", "Sprache"])
    return survey


@pytest.fixture
def invitation(survey):
    return _invite(survey)


def _questions(survey):
    return list(survey.questions.order_by("position"))


def _data(survey, text="Mehr Sprachkurse", choices=("Sprache",)):
    text_question, choice_question = _questions(survey)
    data = {text_question.pk: {"text": text}}
    if choices:
        data[choice_question.pk] = {"choices": list(choices)}
    return data


# --------------------------------------------------------------------------
# Looking up the link
# --------------------------------------------------------------------------


def test_invitation_for_token_finds_the_invitation(invitation, django_assert_num_queries):
    with django_assert_num_queries(2):  # the invitation with survey and person, its consents
        found = responses.invitation_for_token(invitation.token)
        assert found == invitation
        assert found.survey.title == invitation.survey.title
        assert found.person.consents.all()[0].purpose == Consent.Purpose.SURVEYS


def test_invitation_for_token_unknown_token_is_none(invitation):
    assert responses.invitation_for_token("a" * 64) is None


@pytest.mark.parametrize(
    "token", ["", "abc", "A" * 64, "g" * 64, "a" * 65, "../" + "a" * 61, "a" * 63 + "\n"]
)
def test_invitation_for_token_malformed_token_costs_no_query(token, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert responses.invitation_for_token(token) is None


def test_invitation_state_follows_the_survey_and_the_consent(invitation):
    survey = invitation.survey
    assert responses.invitation_state(invitation) == InvitationState.OPEN
    assert responses.invitation_state(None) == InvitationState.INVALID
    now = timezone.now()
    assert responses.invitation_state(invitation, now=now - timedelta(days=1)) == "not_open"
    assert responses.invitation_state(invitation, now=now + timedelta(days=29)) == "closed"
    survey.status = Survey.Status.DRAFT
    assert responses.invitation_state(invitation) == InvitationState.INVALID
    survey.status = Survey.Status.CLOSED
    assert responses.invitation_state(invitation) == InvitationState.CLOSED


def test_invitation_open_sets_the_first_opening_only(invitation, time_machine):
    first = timezone.now()
    time_machine.move_to(first)
    responses.invitation_open(invitation)
    time_machine.move_to(first + timedelta(hours=3))
    responses.invitation_open(Invitation.objects.get(pk=invitation.pk))
    invitation.refresh_from_db()
    assert abs(invitation.opened_at - first) < timedelta(seconds=1)


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def test_response_submit_first_time_counts_once(survey, invitation):
    updated_at = invitation.updated_at
    response = responses.response_submit(token=invitation.token, data=_data(survey))

    invitation.refresh_from_db()
    assert invitation.has_responded
    assert invitation.updated_at == updated_at
    assert response.key_hash == tokens.response_key_hash(invitation.token)
    day = ResponseDay.objects.get(survey=survey)
    assert (day.day, day.responses) == (timezone.localdate(), 1)
    texts = {answer.question.kind: answer for answer in response.answers.all()}
    assert texts[Kind.SHORT_TEXT].text == "Mehr Sprachkurse"
    assert texts[Kind.MULTIPLE_CHOICE].choices == ["Sprache"]


def test_response_submit_second_time_replaces_answers_and_counts_nothing(survey, invitation):
    first = responses.response_submit(token=invitation.token, data=_data(survey))
    second = responses.response_submit(
        token=invitation.token, data=_data(survey, text="Wohnungen", choices=())
    )

    assert second.pk == first.pk
    assert Response.objects.count() == 1
    assert ResponseDay.objects.get(survey=survey).responses == 1
    assert [answer.text for answer in Answer.objects.all()] == ["Wohnungen"]


def test_response_submit_counts_each_person_on_their_day(survey, invitation, time_machine):
    responses.response_submit(token=invitation.token, data=_data(survey))
    other = _invite(survey)
    responses.response_submit(token=other.token, data=_data(survey))
    time_machine.move_to(timezone.now() + timedelta(days=2))
    third = _invite(survey)
    responses.response_submit(token=third.token, data=_data(survey))
    assert list(ResponseDay.objects.values_list("responses", flat=True)) == [2, 1]


def test_response_submit_anonymous_response_has_no_invitation_and_no_time(survey, invitation):
    person = invitation.person
    response = responses.response_submit(token=invitation.token, data=_data(survey))

    assert response.invitation is None
    time_fields = [
        field.name
        for model in (Response, Answer)
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField | models.DateTimeField)
    ]
    assert time_fields == []
    # The person's activity would date the response.
    person_before = person.last_activity_at
    person.refresh_from_db()
    assert person.last_activity_at == person_before


def test_response_submit_named_response_links_the_invitation(time_machine):
    survey = _running_survey(is_anonymous=False)
    QuestionFactory(survey=survey, kind=Kind.YES_NO)
    invitation = _invite(survey)
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    question = survey.questions.get()
    response = responses.response_submit(
        token=invitation.token, data={question.pk: {"boolean": True}}
    )
    assert response.invitation == invitation
    invitation.person.refresh_from_db()
    assert abs(invitation.person.last_activity_at - timezone.now()) < timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_response_submit_double_click_at_once_counts_once(
    postgres_required, transactional_db, monkeypatch
):
    build = responses._answer_build

    def slow_build(*args, **kwargs):
        # Widens the window between "is there a response?" and creating it.
        time.sleep(0.2)
        return build(*args, **kwargs)

    monkeypatch.setattr(responses, "_answer_build", slow_build)
    survey = _running_survey()
    QuestionFactory(survey=survey, kind=Kind.SHORT_TEXT)
    invitation = _invite(survey)
    question = survey.questions.get()
    barrier = threading.Barrier(2)
    errors = []

    def submit(text):
        try:
            barrier.wait()
            # Without the invitation's lock both would create the response.
            responses.response_submit(token=invitation.token, data={question.pk: {"text": text}})
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(text,)) for text in ("eins", "zwei")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1
    assert ResponseDay.objects.get(survey=survey).responses == 1


def test_response_submit_leaves_out_empty_optional_answers(survey, invitation):
    text_question, choice_question = _questions(survey)
    data = {text_question.pk: {"text": "Kurse"}, choice_question.pk: {"choices": []}}
    response = responses.response_submit(token=invitation.token, data=data)
    assert [answer.question for answer in response.answers.all()] == [text_question]


def test_response_submit_stores_every_kind():
    survey = _running_survey()
    questions = {
        kind: QuestionFactory(
            survey=survey,
            kind=kind,
            options=["A", "B"] if kind in Question.CHOICE_KINDS else [],
            allows_other=kind in Question.CHOICE_KINDS,
        )
        for kind in Kind
    }
    field = FieldOfActionFactory()
    invitation = _invite(survey)
    data = {
        questions[Kind.SHORT_TEXT].pk: {"text": "kurz"},
        questions[Kind.LONG_TEXT].pk: {"text": "lang"},
        questions[Kind.SINGLE_CHOICE].pk: {"choices": [], "other_text": "C"},
        questions[Kind.MULTIPLE_CHOICE].pk: {"choices": ["B", "A"], "other_text": "D"},
        questions[Kind.SCALE].pk: {"number": Decimal(4)},
        questions[Kind.YES_NO].pk: {"boolean": False},
        questions[Kind.NUMBER].pk: {"number": Decimal("2.5")},
        questions[Kind.FIELDS_OF_ACTION].pk: {"choices": [field.pk]},
    }
    response = responses.response_submit(token=invitation.token, data=data)
    stored = {answer.question.kind: answer for answer in response.answers.all()}
    assert stored[Kind.SINGLE_CHOICE].other_text == "C"
    assert stored[Kind.MULTIPLE_CHOICE].choices == ["A", "B"]  # in the options' order
    assert stored[Kind.SCALE].number == 4
    assert stored[Kind.YES_NO].boolean is False
    assert stored[Kind.NUMBER].number == Decimal("2.5")
    assert stored[Kind.FIELDS_OF_ACTION].choices == [field.pk]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (Kind.SINGLE_CHOICE, {"choices": ["Z"]}),
        (Kind.SINGLE_CHOICE, {"choices": ["A", "B"]}),
        (Kind.SINGLE_CHOICE, {"choices": [], "other_text": "no other offered"}),
        (Kind.SCALE, {"number": Decimal(6)}),
        (Kind.SCALE, {"number": Decimal("2.5")}),
        (Kind.NUMBER, {"number": Decimal(101)}),
        (Kind.NUMBER, {"number": "NaN"}),
        (Kind.SHORT_TEXT, {"text": "x" * 301}),
        (Kind.LONG_TEXT, {"text": "x" * 5001}),
        (Kind.FIELDS_OF_ACTION, {"choices": [999999]}),
        (Kind.YES_NO, {"boolean": "yes"}),
    ],
)
def test_response_submit_refuses_answers_the_form_would_refuse(kind, values):
    survey = _running_survey()
    question = QuestionFactory(survey=survey, kind=kind, options=["A", "B"], number_max=100)
    invitation = _invite(survey)
    with pytest.raises(ValidationError, match="ist ungültig"):
        responses.response_submit(token=invitation.token, data={question.pk: values})
    assert not Response.objects.exists()


def test_response_submit_refuses_missing_required_answers(survey, invitation):
    _text, choice_question = _questions(survey)
    with pytest.raises(ValidationError, match="Pflichtfragen"):
        responses.response_submit(
            token=invitation.token, data={choice_question.pk: {"choices": ["Wohnen"]}}
        )
    invitation.refresh_from_db()
    assert not invitation.has_responded


def test_response_submit_refuses_questions_of_another_survey(survey, invitation):
    foreign = QuestionFactory(kind=Kind.SHORT_TEXT)
    data = {**_data(survey), foreign.pk: {"text": "fremd"}}
    with pytest.raises(ValidationError):
        responses.response_submit(token=invitation.token, data=data)


def test_response_submit_refuses_unknown_token(survey):
    with pytest.raises(ValidationError, match="Link ist ungültig"):
        responses.response_submit(token="b" * 64, data=_data(survey))


@pytest.mark.parametrize(
    "change",
    [
        {"status": Survey.Status.CLOSED},
        {"status": Survey.Status.DRAFT},
        {"opens_on_delta": 1},
        {"closes_on_delta": -1},
    ],
)
def test_response_submit_refuses_when_the_survey_takes_no_answers(survey, invitation, change):
    today = timezone.localdate()
    if "status" in change:
        survey.status = change["status"]
    if "opens_on_delta" in change:
        survey.opens_on = today + timedelta(days=change["opens_on_delta"])
    if "closes_on_delta" in change:
        survey.opens_on = today - timedelta(days=10)
        survey.closes_on = today + timedelta(days=change["closes_on_delta"])
    survey.save()
    with pytest.raises(ValidationError, match=r"keine Antworten|Link ist ungültig"):
        responses.response_submit(token=invitation.token, data=_data(survey))
    assert not Response.objects.exists()
    assert not ResponseDay.objects.exists()


def test_response_submit_refuses_after_opting_out(survey, invitation):
    responses.invitation_opt_out(token=invitation.token)
    with pytest.raises(ValidationError, match="abgemeldet"):
        responses.response_submit(token=invitation.token, data=_data(survey))


def test_response_submit_refuses_when_consent_was_withdrawn(survey, invitation):
    consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS)
    with pytest.raises(ValidationError, match="abgemeldet"):
        responses.response_submit(token=invitation.token, data=_data(survey))
    assert not Response.objects.exists()


def test_response_for_token_finds_only_the_own_response(survey, invitation):
    responses.response_submit(token=invitation.token, data=_data(survey))
    other = _invite(survey)
    assert responses.response_for_token(other.token) is None
    answers = responses.response_answers(responses.response_for_token(invitation.token))
    assert {answer.text for answer in answers.values()} == {"Mehr Sprachkurse", ""}


# --------------------------------------------------------------------------
# Opting out
# --------------------------------------------------------------------------


def _mail(invitation, status=Mail.Status.QUEUED):
    return Mail.objects.create(
        invitation=invitation, kind=Mail.Kind.INVITATION, due_at=timezone.now(), status=status
    )


def test_invitation_opt_out_withdraws_the_consent_and_logs_it(invitation):
    responses.invitation_opt_out(token=invitation.token)

    consent = Consent.objects.get(person=invitation.person, purpose=Consent.Purpose.SURVEYS)
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_note == "Über den Abmeldelink einer Umfrage abgemeldet."
    entry = PrivacyLogEntry.objects.get(person_id_ref=invitation.person.pk)
    assert entry.action == PrivacyLogEntry.Action.CONSENT_WITHDRAWN
    assert entry.by is None
    invitation.refresh_from_db()
    assert invitation.opted_out_at is not None


def test_invitation_opt_out_keeps_other_purposes(invitation):
    ConsentFactory(person=invitation.person, purpose=Consent.Purpose.INVITATIONS)
    responses.invitation_opt_out(token=invitation.token)
    assert Consent.objects.get(purpose=Consent.Purpose.INVITATIONS).withdrawn_at is None


def test_invitation_opt_out_cancels_the_persons_queued_mails(invitation):
    queued = _mail(invitation)
    sent = _mail(InvitationFactory(person=invitation.person), status=Mail.Status.SENT)
    elsewhere = _mail(InvitationFactory(person=invitation.person))
    someone_else = _mail(_invite(invitation.survey))

    responses.invitation_opt_out(token=invitation.token)

    for mail in (queued, sent, elsewhere, someone_else):
        mail.refresh_from_db()
    assert (queued.status, queued.error) == (Mail.Status.CANCELLED, "Abgemeldet")
    assert elsewhere.status == Mail.Status.CANCELLED
    assert sent.status == Mail.Status.SENT
    assert someone_else.status == Mail.Status.QUEUED


def test_invitation_opt_out_twice_withdraws_once(invitation):
    responses.invitation_opt_out(token=invitation.token)
    opted_out_at = Invitation.objects.get(pk=invitation.pk).opted_out_at
    responses.invitation_opt_out(token=invitation.token)

    assert PrivacyLogEntry.objects.count() == 1
    assert Consent.objects.filter(person=invitation.person).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).opted_out_at == opted_out_at


def test_invitation_opt_out_unknown_token_is_refused():
    with pytest.raises(ValidationError):
        responses.invitation_opt_out(token="c" * 64)
    assert not PrivacyLogEntry.objects.exists()
