"""The recipient's pages behind the personal link, and the coordinator's preview."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actors.models import Consent, PrivacyLogEntry
from actors.surveys.forms.answer import AnswerForm
from actors.surveys.models import Answer, Invitation, Mail, Response, ResponseDay

from .factories import SurveyFactory
from .respond_helpers import (
    Kind,
    every_kind,
    invite,
    link,
    running_survey,
)

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------
# Opting out
# --------------------------------------------------------------------------


def test_opt_out_get_only_asks(client, invitation):
    response = client.get(link("opt_out", invitation))
    assert response.status_code == 200
    assert "Von Umfragen abmelden" in response.content.decode()
    assert Consent.objects.get(person=invitation.person).withdrawn_at is None
    assert Invitation.objects.get(pk=invitation.pk).opted_out_at is None


def test_opt_out_confirmed_withdraws_consent_and_cancels_mails(django_app, invitation):
    mail = Mail.objects.create(
        invitation=invitation, kind=Mail.Kind.INVITATION, due_at=timezone.now()
    )
    page = django_app.get(link("respond", invitation)).click(href=link("opt_out", invitation))
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
    assert "Sie werden nicht mehr angefragt" in django_app.get(link("respond", invitation)).text
    # And the opt-out link says it is done, without a second withdrawal.
    assert "Sie sind abgemeldet" in django_app.get(link("opt_out", invitation)).text


def test_opt_out_one_click_post_without_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link("opt_out", invitation),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Consent.objects.get(person=invitation.person).withdrawn_at is not None
    client.post(link("opt_out", invitation), {"List-Unsubscribe": "One-Click"})
    assert PrivacyLogEntry.objects.count() == 1


def test_opt_out_unknown_token_changes_nothing(client, invitation):
    response = client.post(link("opt_out", "d" * 64))
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
    survey = running_survey()
    every_kind(survey)
    invitation = invite(survey)
    recipient = django_app.get(link("respond", invitation)).text
    preview = django_app.get(reverse("surveys:survey_preview", args=[survey.pk]), user=coordinator)

    assert "Vorschau – so sieht die Umfrage für Empfänger aus" in preview.text
    assert _questions_markup(preview.text) == _questions_markup(recipient)
    assert "Sehr geehrte Frau Dr. Muster," in preview.text


def test_survey_preview_checks_answers_and_stores_nothing(django_app, coordinator):
    survey = SurveyFactory()  # a draft: the preview works before the launch
    every_kind(survey)
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
