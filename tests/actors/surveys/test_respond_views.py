"""The recipient's pages behind the personal link, and the coordinator's preview."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actors.models import Consent, PrivacyLogEntry
from actors.services.network import consent_withdraw
from actors.surveys.forms.answer import OTHER, AnswerForm
from actors.surveys.models import Answer, Invitation, Response, ResponseDay, Survey
from actors.surveys.services import responses
from actors.surveys.views.respond import TokenPageMixin
from integration.core.models import FieldOfAction

from .factories import QuestionFactory, SurveyFactory
from .respond_helpers import (
    TOKEN_HEADERS,
    Kind,
    check,
    every_kind,
    invite,
    link,
    running_survey,
)

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------
# Headers, friendly pages, rate limit
# --------------------------------------------------------------------------


def _page_states(survey, invitation):
    """(method, url) of every kind of token page, in every state."""
    closed = invite(running_survey(status=Survey.Status.CLOSED))
    later = invite(running_survey(opens_on=timezone.localdate() + timedelta(days=3)))
    withdrawn = invite(survey)
    consent_withdraw(by=None, person=withdrawn.person, purpose=Consent.Purpose.SURVEYS)
    return [
        ("get", link("respond", invitation)),
        ("post", link("respond", invitation)),
        ("get", link("respond", "f" * 64)),
        ("get", link("respond", "not-a-token")),
        ("get", link("respond", closed)),
        ("get", link("respond", later)),
        ("get", link("respond", withdrawn)),
        ("get", link("respond_done", invitation)),
        ("get", link("respond_done", "f" * 64)),
        ("get", link("opt_out", invitation)),
        ("get", link("opt_out", "f" * 64)),
        ("post", link("opt_out", invitation)),
    ]


def test_token_pages_all_send_the_privacy_headers(client, survey, invitation):
    for method, url in _page_states(survey, invitation):
        response = getattr(client, method)(url)
        for header, value in TOKEN_HEADERS.items():
            assert response[header] == value, (method, url, response.status_code, header)


def test_token_pages_need_no_login(client, survey, invitation):
    assert client.get(link("respond", invitation)).status_code == 200
    assert client.get(link("opt_out", invitation)).status_code == 200


def test_respond_unknown_token_reveals_nothing(client, survey, invitation):
    for token in ["f" * 64, "kaputt", invitation.token[:-1]]:
        response = client.get(link("respond", token))
        assert response.status_code == 404
        content = response.content.decode()
        assert "Dieser Link ist ungültig" in content
        assert survey.title not in content
        assert invitation.person.last_name not in content
        assert '<meta name="robots" content="noindex, nofollow">' in content


def test_respond_closed_survey_shows_only_its_title(client):
    invitation = invite(running_survey(status=Survey.Status.CLOSED))
    response = client.get(link("respond", invitation))
    assert response.status_code == 410
    content = response.content.decode()
    assert "Diese Umfrage ist beendet" in content
    assert invitation.survey.title in content
    assert invitation.person.last_name not in content
    assert "<form" not in content


def test_respond_survey_past_its_closing_day_is_closed(client, invitation, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=30))
    assert client.get(link("respond", invitation)).status_code == 410


def test_respond_survey_not_open_yet_names_the_day(client):
    opens_on = timezone.localdate() + timedelta(days=3)
    invitation = invite(running_survey(opens_on=opens_on))
    response = client.get(link("respond", invitation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Diese Umfrage hat noch nicht begonnen" in content
    assert f"Die Umfrage beginnt am {opens_on.day}." in content
    assert "<form" not in content


def test_respond_withdrawn_consent_says_no_more_surveys(client, invitation):
    consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS)
    response = client.get(link("respond", invitation))
    content = response.content.decode()
    assert "Sie werden nicht mehr angefragt" in content
    assert invitation.survey.contact_email in content
    assert "<form" not in content


def test_respond_draft_survey_link_is_not_valid(client):
    invitation = invite(SurveyFactory(status=Survey.Status.DRAFT))
    assert client.get(link("respond", invitation)).status_code == 404


def test_respond_lookups_are_rate_limited_per_client(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 3)
    for _attempt in range(3):
        assert client.get(link("respond", "e" * 64)).status_code == 404
    assert client.get(link("respond", "e" * 64)).status_code == 429
    # Once limited, a valid link cannot be told from a wrong one.
    limited = client.get(link("respond", invitation))
    assert limited.status_code == 429
    assert "Zu viele Anfragen" in limited.content.decode()
    assert limited["X-Robots-Tag"] == "noindex, nofollow"
    assert limited["Cache-Control"] == "no-store, private"
    # Another client address is not affected.
    other = client.get(link("respond", invitation), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_respond_working_links_do_not_count_towards_the_limit(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 2)
    for _attempt in range(5):
        assert client.get(link("respond", invitation)).status_code == 200


def test_respond_rate_limit_applies_to_opt_out_too(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 1)
    for _attempt in range(2):
        client.get(link("respond", "e" * 64))
    assert client.post(link("opt_out", invitation)).status_code == 429
    assert not PrivacyLogEntry.objects.exists()


def test_respond_pages_are_german_whatever_the_browser_asks(client, invitation):
    response = client.get(link("respond", invitation), HTTP_ACCEPT_LANGUAGE="en")
    assert "Ihre Antworten sind anonym." in response.content.decode()


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def test_respond_form_shows_the_survey_and_marks_opened(client, invitation):
    response = client.get(link("respond", invitation))
    content = response.content.decode()
    survey = invitation.survey
    assert survey.title in content
    assert survey.introduction in content
    assert "Ihre Antworten sind anonym." in content
    assert "Sie können Ihre Antworten bis zum" in content
    assert link("opt_out", invitation) in content
    assert "Ihre Funktion?" in content
    assert Invitation.objects.get(pk=invitation.pk).opened_at is not None
    # A personal salutation; no links into the staff application.
    assert invitation.person.letter_salutation in content
    assert reverse("login") not in content
    assert 'href="/"' not in content


def test_respond_head_request_does_not_mark_opened(client, invitation):
    assert client.head(link("respond", invitation)).status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).opened_at is None


def test_respond_form_of_named_survey_says_so(client):
    invitation = invite(running_survey(is_anonymous=False))
    content = client.get(link("respond", invitation)).content.decode()
    assert "Ihre Antworten werden mit Ihrem Namen gespeichert." in content


def test_respond_form_query_count_does_not_grow_with_questions(
    client, django_assert_max_num_queries
):
    few = running_survey()
    every_kind(few)
    many = running_survey()
    for position in range(40):
        QuestionFactory(survey=many, position=position, kind=list(Kind)[position % len(Kind)])
    few_invitation, many_invitation = invite(few), invite(many)
    with django_assert_max_num_queries(9) as few_queries:
        client.get(link("respond", few_invitation))
    with django_assert_max_num_queries(len(few_queries)):
        client.get(link("respond", many_invitation))


def test_respond_answer_every_kind_come_back_and_change(django_app):
    survey = running_survey(closing_text="Danke für Ihre Mithilfe beim Runden Tisch!")
    text, long_text, single, multiple, scale, yes_no, number, fields = every_kind(survey)
    invitation = invite(survey)
    name = AnswerForm.field_name

    page = django_app.get(link("respond", invitation))
    form = page.forms[0]
    form[name(text)] = "Sprachpatin"
    form[name(long_text)] = "Mehr Kurse am Abend."
    form[name(single)] = OTHER
    form[AnswerForm.other_name(single)] = "Jede Woche"
    check(form, name(multiple), "0")
    check(form, name(multiple), "2")
    form[name(scale)] = "4"
    form[name(yes_no)] = "yes"
    form[name(number)] = "12,5"
    language = FieldOfAction.objects.get(name="Sprache & Bildung")
    check(form, name(fields), str(language.pk))
    done = form.submit().follow()

    assert done.request.path == link("respond_done", invitation)
    assert "Ihre Antworten wurden gespeichert" in done.text
    assert "Danke für Ihre Mithilfe beim Runden Tisch!" in done.text
    response = Response.objects.get()
    stored = {answer.question_id: answer for answer in response.answers.all()}
    assert stored[text.pk].text == "Sprachpatin"
    assert stored[single.pk].other_text == "Jede Woche"
    assert stored[multiple.pk].choices == ["Kita", "Beruf"]
    assert stored[scale.pk].number == 4
    assert stored[yes_no.pk].boolean is True
    assert stored[number.pk].number == Decimal("12.5")
    assert stored[fields.pk].choices == [language.pk]

    # Back through the same link: everything is filled in again.
    again = done.click(description="Meine Antworten ändern").forms[0]
    assert again[name(text)].value == "Sprachpatin"
    assert again[name(long_text)].value == "Mehr Kurse am Abend."
    assert again[name(single)].value == OTHER
    assert again[AnswerForm.other_name(single)].value == "Jede Woche"
    assert [field._value for field in again.fields[name(multiple)] if field.checked] == ["0", "2"]
    assert again[name(scale)].value == "4"
    assert again[name(yes_no)].value == "yes"
    assert again[name(number)].value == "12,5"
    assert [field._value for field in again.fields[name(fields)] if field.checked] == [
        str(language.pk)
    ]

    # Changing answers replaces them and counts nothing twice.
    again[name(text)] = "Integrationslotsin"
    again[name(yes_no)] = "no"
    check(again, name(multiple), "0", checked=False)
    again.submit().follow()
    stored = {answer.question_id: answer for answer in Answer.objects.all()}
    assert stored[text.pk].text == "Integrationslotsin"
    assert stored[yes_no.pk].boolean is False
    assert stored[multiple.pk].choices == ["Beruf"]
    assert Response.objects.count() == 1
    assert ResponseDay.objects.get(survey=survey).responses == 1
    assert Invitation.objects.get(pk=invitation.pk).has_responded


def test_respond_invalid_input_keeps_what_was_typed(django_app):
    survey = running_survey()
    text, long_text, single, *_rest = every_kind(survey)
    invitation = invite(survey)
    form = django_app.get(link("respond", invitation)).forms[0]
    form[AnswerForm.field_name(long_text)] = "Mein langer Text"
    form[AnswerForm.field_name(single)] = OTHER
    page = form.submit()

    assert page.status_code == 200
    assert "Bitte prüfen Sie Ihre Antworten" in page.text
    assert "Bitte beantworten Sie diese Frage." in page.text
    assert "Bitte geben Sie bei „Sonstiges“ an, was Sie meinen." in page.text
    assert page.forms[0][AnswerForm.field_name(long_text)].value == "Mein langer Text"
    assert page.forms[0][AnswerForm.field_name(single)].value == OTHER
    text_name = AnswerForm.field_name(text)
    assert f'aria-describedby="{text_name}-hint {text_name}-error"' in page.text
    assert not Response.objects.exists()


def test_respond_prefilled_answer_is_escaped(django_app, survey, invitation):
    question = survey.questions.get()
    script = '<script>alert("x")</script>'
    responses.response_submit(token=invitation.token, data={question.pk: {"text": script}})
    page = django_app.get(link("respond", invitation))
    assert script not in page.text
    assert "&lt;script&gt;" in page.text
    assert page.forms[0][AnswerForm.field_name(question)].value == script


def test_respond_post_after_closing_shows_the_closed_page(django_app, invitation):
    form = django_app.get(link("respond", invitation)).forms[0]
    Survey.objects.filter(pk=invitation.survey_id).update(status=Survey.Status.CLOSED)
    form[AnswerForm.field_name(invitation.survey.questions.get())] = "zu spät"
    page = form.submit(status=410)
    assert "Diese Umfrage ist beendet" in page.text
    assert not Response.objects.exists()


def test_respond_post_needs_no_csrf_token_as_browsers_send_origin_null(invitation):
    # Under "Referrer-Policy: no-referrer" a browser's form POST carries
    # "Origin: null" and no Referer; Django's CSRF check would refuse it.
    client = Client(enforce_csrf_checks=True)
    question = invitation.survey.questions.get()
    response = client.post(
        link("respond", invitation),
        {AnswerForm.field_name(question): "Lotsin"},
        HTTP_ORIGIN="null",
        secure=True,
    )
    assert response.status_code == 302
    assert Answer.objects.get().text == "Lotsin"


def test_respond_pages_set_no_cookie(client, invitation):
    question = invitation.survey.questions.get()
    pages = [
        client.get(link("respond", invitation)),
        client.post(link("respond", invitation), {AnswerForm.field_name(question): "x"}),
        client.get(link("respond_done", invitation)),
        client.get(link("opt_out", invitation)),
        client.get(link("respond", "f" * 64)),
    ]
    assert [dict(page.cookies) for page in pages] == [{}] * len(pages)


def test_respond_done_without_answers_leads_to_the_form(client, invitation):
    response = client.get(link("respond_done", invitation))
    assert response.status_code == 302
    assert response["Location"] == link("respond", invitation)
