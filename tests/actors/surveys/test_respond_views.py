"""The recipient's pages behind the personal link, and the coordinator's preview."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actors.models import Consent, PrivacyLogEntry
from actors.services.network import consent_withdraw
from actors.surveys.forms.answer import OTHER, AnswerForm
from actors.surveys.models import Answer, Invitation, Mail, Question, Response, ResponseDay, Survey
from actors.surveys.services import responses
from actors.surveys.views.respond import TokenPageMixin
from integration.core.models import FieldOfAction
from tests.core.factories import FieldOfActionFactory

from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person

pytestmark = pytest.mark.django_db

Kind = Question.Kind
TOKEN_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
}


def _running_survey(**kwargs):
    kwargs.setdefault("title", "Bedarfsabfrage Runder Tisch 2026")
    kwargs.setdefault("status", Survey.Status.RUNNING)
    return SurveyFactory(launched_at=timezone.now(), **kwargs)


def _invite(survey, **person):
    return InvitationFactory(survey=survey, person=consenting_person(**person))


def _url(name, invitation_or_token):
    token = getattr(invitation_or_token, "token", invitation_or_token)
    return reverse(f"surveys:{name}", args=[token])


def _every_kind(survey):
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


def _check(form, name, value, checked=True):
    for field in form.fields[name]:
        if field._value == value:
            field.checked = checked
            return
    raise AssertionError(f"no {value} in {name}")


@pytest.fixture
def survey():
    survey = _running_survey()
    QuestionFactory(survey=survey, kind=Kind.SHORT_TEXT, text="Ihre Funktion?", is_required=True)
    return survey


@pytest.fixture
def invitation(survey):
    return _invite(survey)


# --------------------------------------------------------------------------
# Headers, friendly pages, rate limit
# --------------------------------------------------------------------------


def _page_states(survey, invitation):
    """(method, url) of every kind of token page, in every state."""
    closed = _invite(_running_survey(status=Survey.Status.CLOSED))
    later = _invite(_running_survey(opens_on=timezone.localdate() + timedelta(days=3)))
    withdrawn = _invite(survey)
    consent_withdraw(by=None, person=withdrawn.person, purpose=Consent.Purpose.SURVEYS)
    return [
        ("get", _url("respond", invitation)),
        ("post", _url("respond", invitation)),
        ("get", _url("respond", "f" * 64)),
        ("get", _url("respond", "not-a-token")),
        ("get", _url("respond", closed)),
        ("get", _url("respond", later)),
        ("get", _url("respond", withdrawn)),
        ("get", _url("respond_done", invitation)),
        ("get", _url("respond_done", "f" * 64)),
        ("get", _url("opt_out", invitation)),
        ("get", _url("opt_out", "f" * 64)),
        ("post", _url("opt_out", invitation)),
    ]


def test_token_pages_all_send_the_privacy_headers(client, survey, invitation):
    for method, url in _page_states(survey, invitation):
        response = getattr(client, method)(url)
        for header, value in TOKEN_HEADERS.items():
            assert response[header] == value, (method, url, response.status_code, header)


def test_token_pages_need_no_login(client, survey, invitation):
    assert client.get(_url("respond", invitation)).status_code == 200
    assert client.get(_url("opt_out", invitation)).status_code == 200


def test_respond_unknown_token_reveals_nothing(client, survey, invitation):
    for token in ["f" * 64, "kaputt", invitation.token[:-1]]:
        response = client.get(_url("respond", token))
        assert response.status_code == 404
        content = response.content.decode()
        assert "Dieser Link ist ungültig" in content
        assert survey.title not in content
        assert invitation.person.last_name not in content
        assert '<meta name="robots" content="noindex, nofollow">' in content


def test_respond_closed_survey_shows_only_its_title(client):
    invitation = _invite(_running_survey(status=Survey.Status.CLOSED))
    response = client.get(_url("respond", invitation))
    assert response.status_code == 410
    content = response.content.decode()
    assert "Diese Umfrage ist beendet" in content
    assert invitation.survey.title in content
    assert invitation.person.last_name not in content
    assert "<form" not in content


def test_respond_survey_past_its_closing_day_is_closed(client, invitation, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=30))
    assert client.get(_url("respond", invitation)).status_code == 410


def test_respond_survey_not_open_yet_names_the_day(client):
    opens_on = timezone.localdate() + timedelta(days=3)
    invitation = _invite(_running_survey(opens_on=opens_on))
    response = client.get(_url("respond", invitation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Diese Umfrage hat noch nicht begonnen" in content
    assert f"Die Umfrage beginnt am {opens_on.day}." in content
    assert "<form" not in content


def test_respond_withdrawn_consent_says_no_more_surveys(client, invitation):
    consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS)
    response = client.get(_url("respond", invitation))
    content = response.content.decode()
    assert "Sie werden nicht mehr angefragt" in content
    assert invitation.survey.contact_email in content
    assert "<form" not in content


def test_respond_draft_survey_link_is_not_valid(client):
    invitation = _invite(SurveyFactory(status=Survey.Status.DRAFT))
    assert client.get(_url("respond", invitation)).status_code == 404


def test_respond_lookups_are_rate_limited_per_client(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 3)
    for _attempt in range(3):
        assert client.get(_url("respond", "e" * 64)).status_code == 404
    assert client.get(_url("respond", "e" * 64)).status_code == 429
    # Once limited, a valid link cannot be told from a wrong one.
    limited = client.get(_url("respond", invitation))
    assert limited.status_code == 429
    assert "Zu viele Anfragen" in limited.content.decode()
    assert limited["X-Robots-Tag"] == "noindex, nofollow"
    assert limited["Cache-Control"] == "no-store, private"
    # Another client address is not affected.
    other = client.get(_url("respond", invitation), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_respond_working_links_do_not_count_towards_the_limit(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 2)
    for _attempt in range(5):
        assert client.get(_url("respond", invitation)).status_code == 200


def test_respond_rate_limit_applies_to_opt_out_too(client, invitation, monkeypatch):
    monkeypatch.setattr(TokenPageMixin, "lookup_limit", 1)
    for _attempt in range(2):
        client.get(_url("respond", "e" * 64))
    assert client.post(_url("opt_out", invitation)).status_code == 429
    assert not PrivacyLogEntry.objects.exists()


def test_respond_pages_are_german_whatever_the_browser_asks(client, invitation):
    response = client.get(_url("respond", invitation), HTTP_ACCEPT_LANGUAGE="en")
    assert "Ihre Antworten sind anonym." in response.content.decode()


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def test_respond_form_shows_the_survey_and_marks_opened(client, invitation):
    response = client.get(_url("respond", invitation))
    content = response.content.decode()
    survey = invitation.survey
    assert survey.title in content
    assert survey.introduction in content
    assert "Ihre Antworten sind anonym." in content
    assert "Sie können Ihre Antworten bis zum" in content
    assert _url("opt_out", invitation) in content
    assert "Ihre Funktion?" in content
    assert Invitation.objects.get(pk=invitation.pk).opened_at is not None
    # A personal salutation; no links into the staff application.
    assert invitation.person.letter_salutation in content
    assert reverse("login") not in content
    assert 'href="/"' not in content


def test_respond_head_request_does_not_mark_opened(client, invitation):
    assert client.head(_url("respond", invitation)).status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).opened_at is None


def test_respond_form_of_named_survey_says_so(client):
    invitation = _invite(_running_survey(is_anonymous=False))
    content = client.get(_url("respond", invitation)).content.decode()
    assert "Ihre Antworten werden mit Ihrem Namen gespeichert." in content


def test_respond_form_query_count_does_not_grow_with_questions(
    client, django_assert_max_num_queries
):
    few = _running_survey()
    _every_kind(few)
    many = _running_survey()
    for position in range(40):
        QuestionFactory(survey=many, position=position, kind=list(Kind)[position % len(Kind)])
    few_invitation, many_invitation = _invite(few), _invite(many)
    with django_assert_max_num_queries(9) as few_queries:
        client.get(_url("respond", few_invitation))
    with django_assert_max_num_queries(len(few_queries)):
        client.get(_url("respond", many_invitation))


def test_respond_answer_every_kind_come_back_and_change(django_app):
    survey = _running_survey(closing_text="Danke für Ihre Mithilfe beim Runden Tisch!")
    text, long_text, single, multiple, scale, yes_no, number, fields = _every_kind(survey)
    invitation = _invite(survey)
    name = AnswerForm.field_name

    page = django_app.get(_url("respond", invitation))
    form = page.forms[0]
    form[name(text)] = "Sprachpatin"
    form[name(long_text)] = "Mehr Kurse am Abend."
    form[name(single)] = OTHER
    form[AnswerForm.other_name(single)] = "Jede Woche"
    _check(form, name(multiple), "0")
    _check(form, name(multiple), "2")
    form[name(scale)] = "4"
    form[name(yes_no)] = "yes"
    form[name(number)] = "12,5"
    language = FieldOfAction.objects.get(name="Sprache & Bildung")
    _check(form, name(fields), str(language.pk))
    done = form.submit().follow()

    assert done.request.path == _url("respond_done", invitation)
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
    _check(again, name(multiple), "0", checked=False)
    again.submit().follow()
    stored = {answer.question_id: answer for answer in Answer.objects.all()}
    assert stored[text.pk].text == "Integrationslotsin"
    assert stored[yes_no.pk].boolean is False
    assert stored[multiple.pk].choices == ["Beruf"]
    assert Response.objects.count() == 1
    assert ResponseDay.objects.get(survey=survey).responses == 1
    assert Invitation.objects.get(pk=invitation.pk).has_responded


def test_respond_invalid_input_keeps_what_was_typed(django_app):
    survey = _running_survey()
    text, long_text, single, *_rest = _every_kind(survey)
    invitation = _invite(survey)
    form = django_app.get(_url("respond", invitation)).forms[0]
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
    page = django_app.get(_url("respond", invitation))
    assert script not in page.text
    assert "&lt;script&gt;" in page.text
    assert page.forms[0][AnswerForm.field_name(question)].value == script


def test_respond_post_after_closing_shows_the_closed_page(django_app, invitation):
    form = django_app.get(_url("respond", invitation)).forms[0]
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
        _url("respond", invitation),
        {AnswerForm.field_name(question): "Lotsin"},
        HTTP_ORIGIN="null",
        secure=True,
    )
    assert response.status_code == 302
    assert Answer.objects.get().text == "Lotsin"


def test_respond_pages_set_no_cookie(client, invitation):
    question = invitation.survey.questions.get()
    pages = [
        client.get(_url("respond", invitation)),
        client.post(_url("respond", invitation), {AnswerForm.field_name(question): "x"}),
        client.get(_url("respond_done", invitation)),
        client.get(_url("opt_out", invitation)),
        client.get(_url("respond", "f" * 64)),
    ]
    assert [dict(page.cookies) for page in pages] == [{}] * len(pages)


def test_respond_done_without_answers_leads_to_the_form(client, invitation):
    response = client.get(_url("respond_done", invitation))
    assert response.status_code == 302
    assert response["Location"] == _url("respond", invitation)


# --------------------------------------------------------------------------
# Opting out
# --------------------------------------------------------------------------


def test_opt_out_get_only_asks(client, invitation):
    response = client.get(_url("opt_out", invitation))
    assert response.status_code == 200
    assert "Von Umfragen abmelden" in response.content.decode()
    assert Consent.objects.get(person=invitation.person).withdrawn_at is None
    assert Invitation.objects.get(pk=invitation.pk).opted_out_at is None


def test_opt_out_confirmed_withdraws_consent_and_cancels_mails(django_app, invitation):
    mail = Mail.objects.create(
        invitation=invitation, kind=Mail.Kind.INVITATION, due_at=timezone.now()
    )
    page = django_app.get(_url("respond", invitation)).click(href=_url("opt_out", invitation))
    done = page.forms[0].submit()

    assert done.status_code == 200
    assert "Sie sind abgemeldet" in done.text
    assert Consent.objects.get(person=invitation.person).withdrawn_at is not None
    assert PrivacyLogEntry.objects.filter(
        action=PrivacyLogEntry.Action.CONSENT_WITHDRAWN, person_id_ref=invitation.person.pk
    ).exists()
    mail.refresh_from_db()
    assert mail.status == Mail.Status.CANCELLED
    # The link now shows the friendly page instead of the form.
    assert "Sie werden nicht mehr angefragt" in django_app.get(_url("respond", invitation)).text
    # And the opt-out link says it is done, without a second withdrawal.
    assert "Sie sind abgemeldet" in django_app.get(_url("opt_out", invitation)).text


def test_opt_out_one_click_post_without_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _url("opt_out", invitation),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Consent.objects.get(person=invitation.person).withdrawn_at is not None
    client.post(_url("opt_out", invitation), {"List-Unsubscribe": "One-Click"})
    assert PrivacyLogEntry.objects.count() == 1


def test_opt_out_unknown_token_changes_nothing(client, invitation):
    response = client.post(_url("opt_out", "d" * 64))
    assert response.status_code == 404
    assert not PrivacyLogEntry.objects.exists()


# --------------------------------------------------------------------------
# Preview
# --------------------------------------------------------------------------


def _questions_markup(html: str) -> str:
    """The questions and the send button: what recipient and preview must share."""
    match = re.search(r'<p class="required-hint">.*?<button type="submit"', html, re.DOTALL)
    assert match, html
    return match.group(0)


def test_survey_preview_shows_exactly_the_recipients_questions(django_app, coordinator):
    survey = _running_survey()
    _every_kind(survey)
    invitation = _invite(survey)
    recipient = django_app.get(_url("respond", invitation)).text
    preview = django_app.get(reverse("surveys:survey_preview", args=[survey.pk]), user=coordinator)

    assert "Vorschau – so sieht die Umfrage für Empfänger aus" in preview.text
    assert _questions_markup(preview.text) == _questions_markup(recipient)
    assert "Sehr geehrte Frau Dr. Muster," in preview.text


def test_survey_preview_checks_answers_and_stores_nothing(django_app, coordinator):
    survey = SurveyFactory()  # a draft: the preview works before the launch
    _every_kind(survey)
    url = reverse("surveys:survey_preview", args=[survey.pk])
    page = django_app.get(url, user=coordinator).forms[0].submit()

    assert page.status_code == 200
    assert "Bitte beantworten Sie diese Frage." in page.text
    assert "Vorschau – so sieht die Umfrage für Empfänger aus" in page.text
    form = page.forms[0]
    form[AnswerForm.field_name(survey.questions.get(kind=Kind.SHORT_TEXT))] = "Test"
    checked = form.submit()
    assert "Diese Antworten würden angenommen" in checked.text
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not ResponseDay.objects.exists()


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
def test_survey_preview_is_for_coordination_only(django_app, request, role):
    survey = SurveyFactory()
    user = request.getfixturevalue(role)
    django_app.get(reverse("surveys:survey_preview", args=[survey.pk]), user=user, status=403)


def test_survey_preview_needs_login(django_app):
    survey = SurveyFactory()
    page = django_app.get(reverse("surveys:survey_preview", args=[survey.pk]))
    assert page.status_code == 302
    assert reverse("login") in page["Location"]


def test_survey_preview_of_unknown_survey_is_not_found(django_app, coordinator):
    django_app.get(reverse("surveys:survey_preview", args=[987654]), user=coordinator, status=404)
