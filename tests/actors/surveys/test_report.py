"""The results report for the committee: a real PDF with the survey's figures."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from actors.surveys.documents import survey_report_context

from .test_results import response_add, twistringen

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(pdf: bytes) -> str:
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_survey_report_is_a_pdf_with_title_and_rate(django_app, coordinator, settings):
    settings.MUNICIPALITY_NAME = "Stadt Twistringen"
    survey, _invitations = twistringen()
    question = survey.questions.get()
    response_add(survey, {question: {"text": "<b>fett</b> & mehr Kurse"}})

    page = django_app.get(reverse("surveys:survey_report", args=[survey.pk]), user=coordinator)

    assert page.content_type == "application/pdf"
    assert page.headers["Content-Disposition"] == (
        'inline; filename="umfrage-bedarfsabfrage-runder-tisch-2026-bericht.pdf"'
    )
    assert page.body.startswith(b"%PDF")
    text = pdf_text(page.body)
    assert "Bedarfsabfrage Runder Tisch 2026" in text
    assert "Stadt Twistringen" in text
    assert "45 angeschrieben, 7 Rückmeldungen, 15,6 %" in text
    assert "Seite 1 von" in text
    # Free texts appear as text, never as markup.
    assert "<b>fett</b> & mehr Kurse" in text
    assert "Antwort 3" in text


def test_survey_report_withholds_anonymous_answers_below_three(django_app, coordinator):
    survey, _invitations = twistringen()
    survey.responses.all().delete()
    response_add(survey, {survey.questions.get(): {"text": "Nur ich"}})

    page = django_app.get(reverse("surveys:survey_report", args=[survey.pk]), user=coordinator)

    text = pdf_text(page.body)
    assert "Ergebnisse werden ab 3 Antworten angezeigt" in text
    assert "Nur ich" not in text


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
def test_survey_report_is_refused_without_the_right(django_app, request, role):
    survey, _invitations = twistringen()
    url = reverse("surveys:survey_report", args=[survey.pk])
    django_app.get(url, user=request.getfixturevalue(role), status=403)


def test_survey_report_context_names_municipality_period_and_charts(settings):
    settings.MUNICIPALITY_NAME = "Stadt Twistringen"
    survey, _invitations = twistringen()
    context = survey_report_context(survey=survey)
    assert context["title"] == survey.title
    assert context["municipality"] == "Stadt Twistringen"
    assert context["period"] == (survey.opens_on, survey.closes_on)
    assert context["is_anonymous"] is True
    assert context["figures"].rate_display == "15,6 %"
    assert context["curve_chart"].startswith("<svg")
    assert [item["result"].texts for item in context["questions"]] == [
        [f"Antwort {number}" for number in range(7)]
    ]
