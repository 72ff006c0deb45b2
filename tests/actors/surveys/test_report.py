"""The results report for the committee: a real PDF with the survey's figures."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from actors.surveys.documents import survey_report_context
from integration.documents import services

from .test_results import response_add, twistringen

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # The compiled reports are stored files: kept out of the checkout's var/.
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(pdf: bytes) -> str:
    if not PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def report_pdf(survey, user, capture) -> bytes:
    """The stored report of ``survey``, requested by ``user`` and compiled at the commit."""
    with capture(execute=True):
        document = services.document_request(
            kind="surveys.survey_report", subject=survey, variant="standard", by=user
        )
    document.refresh_from_db()
    return services.document_path(document).read_bytes()


def test_survey_report_old_address_leads_to_the_document_page(django_app, coordinator):
    survey, _invitations = twistringen()
    page = django_app.get(reverse("surveys:survey_report", args=[survey.pk]), user=coordinator)
    assert page.status_code == 302
    assert page.location == reverse(
        "documents:document_detail",
        kwargs={"kind": "surveys.survey_report", "subject": survey.pk, "variant": "standard"},
    )


def test_survey_report_is_a_pdf_with_title_and_rate(
    coordinator, settings, django_capture_on_commit_callbacks
):
    settings.MUNICIPALITY_NAME = "Stadt Twistringen"
    survey, _invitations = twistringen()
    question = survey.questions.get()
    response_add(survey, {question: {"text": "<b>fett</b> & mehr Kurse"}})

    pdf = report_pdf(survey, coordinator, django_capture_on_commit_callbacks)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Bedarfsabfrage Runder Tisch 2026" in text
    assert "Stadt Twistringen" in text
    assert "45 angeschrieben, 7 Rückmeldungen, 15,6 %" in text
    assert "Seite 1 von" in text
    # Free texts appear as text, never as markup.
    assert "<b>fett</b> & mehr Kurse" in text
    assert "Antwort 3" in text


def test_survey_report_withholds_anonymous_answers_below_three(
    coordinator, django_capture_on_commit_callbacks
):
    survey, _invitations = twistringen()
    survey.responses.all().delete()
    response_add(survey, {survey.questions.get(): {"text": "Nur ich"}})

    text = pdf_text(report_pdf(survey, coordinator, django_capture_on_commit_callbacks))
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
