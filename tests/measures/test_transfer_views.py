"""Import pages (upload → preview → confirm), sample and export downloads, per role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from webtest import Upload

from measures.models import ConceptVersion, Goal, Measure, StatusUpdate

from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory
from .test_importing import SAMPLES, csv_bytes, new_revision, row, sample_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return sample_network()


@pytest.fixture
def revision():
    return new_revision()


@pytest.fixture
def app(django_app_factory):
    """Posts straight to a URL, as a stale tab or a script would (no CSRF token)."""
    return django_app_factory(csrf_checks=False)


def upload_url(version) -> str:
    return reverse("measures:import_upload", args=[version.pk])


def upload(django_app, user, version, data: bytes, name="katalog.csv"):
    page = django_app.get(upload_url(version), user=user)
    form = page.forms["catalogue-upload"]
    form["file"] = Upload(name, data)
    return form.submit()


def test_import_view_sample_upload_preview_confirm(django_app, coordinator, network, revision):
    data = (SAMPLES / "katalog-import-beispiel.xlsx").read_bytes()
    preview = upload(django_app, coordinator, revision, data, name="beispiel.xlsx").follow()
    assert "Import von „beispiel.xlsx“ prüfen" in preview.text
    assert not Measure.objects.exists()
    assert "Neue Maßnahme 1.1" in preview.text
    done = preview.forms["import-confirm"].submit().follow()
    assert "„beispiel.xlsx“ wurde importiert: 3 neue" in done.text
    assert Measure.objects.filter(goal__version=revision).count() == 7
    # A first draft is the current version: the statuses set go into the timeline.
    set_status = Measure.objects.exclude(status=Measure.Status.PLANNED)
    assert set_status.exists()
    assert {(u.measure_id, u.author, u.note) for u in StatusUpdate.objects.all()} == {
        (measure.pk, coordinator, "Status durch Import von beispiel.xlsx gesetzt.")
        for measure in set_status
    }
    # The upload is gone from the session: the page offers a new upload.
    again = django_app.get(upload_url(revision), user=coordinator)
    assert "catalogue-upload" in again.forms
    assert "import-confirm" not in again.forms


def test_import_view_lists_row_errors_and_offers_no_confirm(app, coordinator, network, revision):
    data = csv_bytes(row(), row(measure_number="1.2", lead="Amt für Unbekanntes"))
    preview = upload(app, coordinator, revision, data).follow()
    errors = [li.text for li in preview.html.select("ul.import-errors li")]
    assert any("Unbekannte Organisation „Amt für Unbekanntes“" in text for text in errors)
    assert "import-confirm" not in preview.forms
    # Confirming anyway (a stale tab) imports nothing.
    response = app.post(
        reverse("measures:import_confirm", args=[revision.pk]),
        {"digest": "x"},
        user=coordinator,
    ).follow()
    assert "seit der Vorschau geändert" in response.text
    assert not Goal.objects.filter(version=revision).exists()


def test_import_view_file_error_is_a_form_error(django_app, coordinator, network, revision):
    page = upload(django_app, coordinator, revision, b"\x00\x01\x02binary", name="bild.png")
    assert page.status_code == 200
    assert "weder eine CSV- noch eine Excel-Datei" in page.text


def test_import_view_discard_forgets_the_upload(app, coordinator, network, revision):
    preview = upload(app, coordinator, revision, csv_bytes(row())).follow()
    page = preview.forms["import-discard"].submit("discard").follow()
    assert "catalogue-upload" in page.forms
    response = app.post(
        reverse("measures:import_confirm", args=[revision.pk]), {"digest": ""}, user=coordinator
    ).follow()
    assert "nicht mehr vorhanden" in response.text
    assert not Measure.objects.exists()


def test_import_view_adopted_version_offers_no_upload(django_app, coordinator):
    adopted = ConceptVersionFactory()
    page = django_app.get(upload_url(adopted), user=coordinator)
    assert "catalogue-upload" not in page.forms
    assert "ist beschlossen" in page.text


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("coordinator", 200),
        ("administration_user", 403),
        ("committee_member", 403),
        ("user_without_role", 403),
    ],
)
def test_import_view_needs_add_measure(app, request, revision, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    assert app.get(upload_url(revision), user=user, status="*").status_code == status
    confirm = reverse("measures:import_confirm", args=[revision.pk])
    expected = 302 if status == 200 else status
    assert app.post(confirm, user=user, status="*").status_code == expected


def test_import_confirm_is_post_only(django_app, coordinator, revision):
    url = reverse("measures:import_confirm", args=[revision.pk])
    assert django_app.get(url, user=coordinator, status="*").status_code == 405


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("coordinator", 200),
        ("administration_user", 200),
        ("committee_member", 200),
        ("user_without_role", 403),
    ],
)
def test_export_and_sample_need_view_measure(django_app, request, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    version = ConceptVersionFactory()
    MeasureFactory(goal=GoalFactory(version=version))
    for fmt in ("csv", "xlsx"):
        export = reverse("measures:catalogue_export", args=[version.pk, fmt])
        assert django_app.get(export, user=user, status="*").status_code == status
        sample = reverse("measures:import_sample") + f"?format={fmt}"
        assert django_app.get(sample, user=user, status="*").status_code == status


def test_export_view_writes_the_import_columns(django_app, committee_member):
    version = ConceptVersionFactory(label="Integrationskonzept 2009")
    measure = MeasureFactory(goal=GoalFactory(version=version, number=3), number=2)
    response = django_app.get(
        reverse("measures:catalogue_export", args=[version.pk, "xlsx"]), user=committee_member
    )
    assert "integrationskonzept-2009" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.body)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("Ziel-Nr.", "Ziel", "Handlungsfeld", "Maßnahme-Nr.", "Maßnahme")
    assert rows[2][3:5] == ("3.2", measure.title)


def test_export_view_unknown_format_is_404(django_app, coordinator):
    version = ConceptVersionFactory()
    url = reverse("measures:catalogue_export", args=[version.pk, "pdf"])
    assert django_app.get(url, user=coordinator, status="*").status_code == 404
    sample = reverse("measures:import_sample") + "?format=exe"
    assert django_app.get(sample, user=coordinator, status="*").status_code == 404


def test_import_view_unknown_version_is_404(django_app, coordinator):
    url = reverse("measures:import_upload", args=[999999])
    assert django_app.get(url, user=coordinator, status="*").status_code == 404
    assert ConceptVersion.objects.count() == 0
