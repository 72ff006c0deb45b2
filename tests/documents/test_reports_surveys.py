"""The survey report as a stored document: requested, compiled, downloaded, and who may."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from actors.surveys.documents import SurveyReport
from integration.documents import services
from integration.documents.models import Document

from ..actors.surveys.test_results import twistringen

pytestmark = pytest.mark.django_db

KIND = SurveyReport.key


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def url(name, survey):
    return reverse(
        f"documents:document_{name}",
        kwargs={"kind": KIND, "subject": str(survey.pk), "variant": "standard"},
    )


@pytest.fixture(autouse=True)
def _only_imported_kinds(monkeypatch):
    # The kinds imported above are registered; other apps' documents modules stay out.
    from integration.documents import registry

    monkeypatch.setattr(registry, "_discovered", True)


def test_survey_report_request_compile_download(
    django_app, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.MUNICIPALITY_NAME = "Stadt Twistringen"
    survey, _invitations = twistringen()

    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]), user=coordinator)
    [form] = [f for f in page.forms.values() if (f.action or "").endswith("/request/")]
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    page = response.follow()
    assert "Das PDF ist fertig." in page.text

    download = page.click("Herunterladen")
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="umfrage-bedarfsabfrage-runder-tisch-2026-bericht.pdf"'
    )
    text = pdf_text(download.body)
    assert "Bedarfsabfrage Runder Tisch 2026" in text
    assert "Stadt Twistringen" in text
    assert "45 angeschrieben, 7 Rückmeldungen, 15,6 %" in text
    assert "Rückmeldungen im Zeitverlauf" in text
    assert "Antwort 3" in text
    assert "Seite 1 von" in text
    assert Document.objects.get().status == Document.Status.READY

    # The results page now offers the download instead of the create button.
    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]), user=coordinator)
    assert page.html.select_one(f"a[href='{url('download', survey)}']")


def test_survey_report_new_answer_makes_a_new_document(
    coordinator, django_capture_on_commit_callbacks
):
    survey, _invitations = twistringen()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(
            kind=KIND, subject=survey, variant="standard", by=coordinator
        )
    same = services.document_request(kind=KIND, subject=survey, variant="standard", by=coordinator)
    assert same.pk == first.pk
    answer = survey.responses.first().answers.get()
    answer.text = "Geänderte Antwort"
    answer.save()
    changed = services.document_request(
        kind=KIND, subject=survey, variant="standard", by=coordinator
    )
    assert changed.pk != first.pk


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
def test_survey_report_is_404_without_the_right(django_app, request, role):
    survey, _invitations = twistringen()
    user = request.getfixturevalue(role)
    django_app.get(url("detail", survey), user=user, status=404)
    django_app.get(url("download", survey), user=user, status=404)


def test_survey_report_sends_anonymous_to_login(django_app):
    survey, _invitations = twistringen()
    page = django_app.get(url("detail", survey), status=302)
    assert page.location.startswith(reverse("login"))


def test_survey_report_is_open_to_the_coordination(django_app, coordinator):
    survey, _invitations = twistringen()
    django_app.get(url("detail", survey), user=coordinator, status=200)
