"""The monitoring report: indicators per field of action with value, trend, target and chart."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from integration.documents import services
from integration.documents.models import Document
from measures.documents import MonitoringReport

from ..core.factories import FieldOfActionFactory
from ..measures.factories import IndicatorFactory, ObservationFactory

pytestmark = pytest.mark.django_db

KIND = MonitoringReport.key


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def url(name, subject="all"):
    return reverse(
        f"documents:document_{name}",
        kwargs={"kind": KIND, "subject": subject, "variant": "standard"},
    )


@pytest.fixture(autouse=True)
def _only_imported_kinds(monkeypatch):
    from integration.documents import registry

    monkeypatch.setattr(registry, "_discovered", True)


@pytest.fixture
def indicator():
    language = FieldOfActionFactory(name="Sprache und Bildung")
    indicator = IndicatorFactory(
        field_of_action=language,
        name="Teilnehmende an Integrationskursen",
        unit="Personen",
        target_value=Decimal(300),
    )
    ObservationFactory(indicator=indicator, period_end=date(2024, 12, 31), value=Decimal(180))
    ObservationFactory(indicator=indicator, period_end=date(2025, 12, 31), value=Decimal(260))
    return indicator


def test_monitoring_report_request_compile_download(
    django_app, committee_member, indicator, django_capture_on_commit_callbacks
):
    page = django_app.get(url("detail"), user=committee_member)
    [form] = [f for f in page.forms.values() if (f.action or "").endswith("/request/")]
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    page = response.follow()
    assert "Das PDF ist fertig." in page.text

    download = page.click("Herunterladen")
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="monitoring-bericht-'
    )
    text = pdf_text(download.body)
    assert "Monitoring-Bericht" in text
    assert "Kennzahlen nach Handlungsfeld" in text
    assert "Sprache und Bildung" in text
    assert "Teilnehmende an Integrationskursen" in text
    assert "260 Personen" in text
    assert "300 Personen" in text
    assert "steigend" in text
    assert "Seite 1 von" in text
    assert Document.objects.get().status == Document.Status.READY


def test_monitoring_report_chart_is_vector_graphics(indicator):
    """The chart's SVG is drawn as vector paths with real text, not as an image."""
    pdf = MonitoringReport().render("all", "standard", lambda percent: None)
    text = pdf_text(pdf)
    # The chart's own labels (its title names the indicator; axes show the years).
    assert text.count("Teilnehmende an Integrationskursen") >= 2
    assert "2024" in text
    assert b"/Subtype /Image" not in pdf


def test_monitoring_report_new_observation_makes_a_new_document(
    coordinator, indicator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(
            kind=KIND, subject="all", variant="standard", by=coordinator
        )
    ObservationFactory(indicator=indicator, period_end=date(2026, 6, 30), value=Decimal(280))
    second = services.document_request(kind=KIND, subject="all", variant="standard", by=coordinator)
    assert second.pk != first.pk


@pytest.mark.parametrize("role", ["user_without_role"])
def test_monitoring_report_is_404_without_the_right(django_app, request, role):
    user = request.getfixturevalue(role)
    django_app.get(url("detail"), user=user, status=404)
    django_app.get(url("download"), user=user, status=404)


def test_monitoring_report_sends_anonymous_to_login(django_app):
    page = django_app.get(url("detail"), status=302)
    assert page.location.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "administration_user", "committee_member"])
def test_monitoring_report_is_open_to_who_reads_the_monitoring(django_app, request, role):
    django_app.get(url("detail"), user=request.getfixturevalue(role), status=200)


def test_monitoring_page_leads_to_the_report(django_app, committee_member):
    page = django_app.get(reverse("measures:monitoring_overview"), user=committee_member)
    assert page.html.select_one(f"a[href='{url('detail')}']") or page.html.select_one(
        f"form[action='{url('request')}']"
    )
