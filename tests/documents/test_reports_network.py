"""The network overview report: counts, the network picture, circles, and no person's name."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from actors.documents import NetworkReport, field_counts
from integration.documents.models import Document

from ..actors.factories import AffiliationFactory, CircleFactory, CircleMembershipFactory
from ..actors.test_charts import network  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

KIND = NetworkReport.key


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
def named(network):  # noqa: F811
    """A person with a telling name in a circle and an organisation of the network."""
    person = AffiliationFactory(
        organisation=network["a"], person__first_name="Henrike", person__last_name="Zwiebelmann"
    ).person
    CircleMembershipFactory(circle=CircleFactory(name="Integrationslotsen"), person=person)
    return person


def test_network_report_request_compile_download(
    django_app, coordinator, named, django_capture_on_commit_callbacks
):
    page = django_app.get(url("detail"), user=coordinator)
    [form] = [f for f in page.forms.values() if (f.action or "").endswith("/request/")]
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    page = response.follow()
    assert "Das PDF ist fertig." in page.text

    download = page.click("Herunterladen")
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="netzwerkuebersicht-'
    )
    text = pdf_text(download.body)
    assert "Netzwerkübersicht" in text
    assert "Organisationen und Personen nach Handlungsfeld" in text
    assert "Sprache & Bildung" in text
    assert "Runder Tisch" in text
    assert "Integrationslotsen" in text
    # The picture is vector graphics: its column heading is text in the PDF.
    assert "ohne Netzwerkrunde" in text
    assert "Seite 1 von" in text
    # Organisation names are fine, people's names never.
    assert "Zwiebelmann" not in text
    assert "Henrike" not in text
    assert Document.objects.get().status == Document.Status.READY


def test_field_counts_count_active_organisations_and_their_people(network, named):  # noqa: F811
    counts = {entry.name: entry for entry in field_counts()}
    assert (counts["Sprache & Bildung"].organisations, counts["Sprache & Bildung"].people) == (
        2,
        2,
    )
    assert counts["Wohnen & Unterbringung"].organisations == 0
    assert "Altes Thema" not in counts


@pytest.mark.parametrize("role", ["committee_member", "user_without_role"])
def test_network_report_is_404_without_the_right(django_app, request, role):
    user = request.getfixturevalue(role)
    django_app.get(url("detail"), user=user, status=404)
    django_app.get(url("download"), user=user, status=404)


def test_network_report_of_an_unknown_subject_is_404(django_app, coordinator):
    django_app.get(url("detail", "other"), user=coordinator, status=404)


def test_network_report_sends_anonymous_to_login(django_app):
    page = django_app.get(url("detail"), status=302)
    assert page.location.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "administration_user"])
def test_network_report_is_open_to_who_reads_the_network(django_app, request, role):
    django_app.get(url("detail"), user=request.getfixturevalue(role), status=200)


def test_network_overview_page_leads_to_the_report(django_app, administration_user):
    page = django_app.get(reverse("actors:index"), user=administration_user)
    assert page.html.select_one(f"a[href='{url('detail')}']") or page.html.select_one(
        f"form[action='{url('request')}']"
    )
