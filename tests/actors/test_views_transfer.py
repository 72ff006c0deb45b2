"""Import pages (upload → preview → confirm) and the export downloads, per role."""

import csv
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from webtest import Upload

from actors.models import ImportBatch, Organisation, Person
from actors.services import import_rows, transfer
from actors.tasks import import_run_task

from ..core.factories import UserFactory
from .factories import CircleFactory, CircleMembershipFactory, OrganisationFactory, PersonFactory
from .test_importing import AMINA, ROUND_TABLE, csv_bytes, row

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "actors" / "samples"
UPLOAD = reverse("actors:import_upload")
PREVIEW = reverse("actors:import_preview")
EVIL = '=HYPERLINK("http://evil","Klick")'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(django_app, user, data: bytes, name="netzwerk.csv"):
    page = django_app.get(UPLOAD, user=user)
    form = page.forms["import-upload"]
    form["file"] = Upload(name, data)
    return form.submit()


def progress_url(batch) -> str:
    return reverse("actors:import_progress", kwargs={"uuid": batch.uuid})


def status_url(batch) -> str:
    return reverse("actors:import_status", kwargs={"uuid": batch.uuid})


def make_batch(user, **fields) -> ImportBatch:
    return ImportBatch.objects.create(uploaded_by=user, file_name="liste.csv", **fields)


def result_counts(page) -> dict[str, str]:
    terms = page.html.select("dl.import-result dt")
    return {dt.text: dt.find_next_sibling("dd").text for dt in terms}


def csv_rows(response) -> list[list[str]]:
    assert response.body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=";"))


# ---------------------------------------------------------------------------
# Import


def test_import_sample_through_upload_preview_and_confirm(
    django_app, coordinator, network_setup, media_root, django_capture_on_commit_callbacks
):
    page = upload(
        django_app, coordinator, (SAMPLES / "netzwerk-import-beispiel.xlsx").read_bytes(), "b.xlsx"
    ).follow()
    assert page.request.path == PREVIEW
    assert "Import von „b.xlsx“ prüfen" in page.text
    assert "Alle Zeilen können importiert werden." in page.text
    assert len(page.html.select("table.import-rows tbody tr")) == 8
    assert len(list((media_root / "imports").iterdir())) == 1
    # Eager Celery, as on a laptop: the task runs when the confirm commits.
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms["import-confirm"].submit("confirm")
    batch = ImportBatch.objects.get()
    assert page.location == progress_url(batch)
    page = page.follow()
    assert page.html.select_one("[data-import-text]").text == "Der Import ist abgeschlossen."
    assert result_counts(page)["Angelegte Organisationen"] == "5"
    assert result_counts(page)["Angelegte Personen"] == "7"
    assert Person.objects.count() == 7
    assert list((media_root / "imports").iterdir()) == []
    assert page.html.select_one("a[href='/network/people/']") or page.click(
        "Zu den Kontaktpersonen"
    )
    # The import is over: the upload page offers a new one, the preview has nothing.
    assert "noch nicht importiert" not in django_app.get(UPLOAD, user=coordinator).text
    assert "Es gibt keine hochgeladene Datei" in django_app.get(PREVIEW, user=coordinator).text


def test_import_confirm_queues_and_the_progress_page_follows_the_task(
    django_app, coordinator, network_setup, django_capture_on_commit_callbacks
):
    page = upload(django_app, coordinator, csv_bytes([AMINA])).follow()
    with django_capture_on_commit_callbacks() as callbacks:
        page = page.forms["import-confirm"].submit("confirm").follow()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.QUEUED
    assert len(callbacks) == 1
    # Without JavaScript: the status, an empty bar and a link to look again.
    assert "Der Import wartet auf den Start" in page.text
    assert page.html.select_one("[data-import-bar]")["aria-valuenow"] == "0"
    assert page.html.select_one("[data-import-refresh] a")["href"] == progress_url(batch)
    assert page.html.select_one("#import-progress")["data-status-url"] == status_url(batch)
    assert 'src="/static/js/import_progress.js"' in page.text
    # The page is also where the upload page points while the import waits.
    assert "wird gerade importiert" in django_app.get(UPLOAD, user=coordinator).text
    assert django_app.get(PREVIEW, user=coordinator).location == progress_url(batch)
    state = django_app.get(status_url(batch), user=coordinator).json
    assert state == {
        "status": "queued",
        "finished": False,
        "percent": 0,
        "text": "Der Import wartet auf den Start …",
        "rows": "",
    }
    import_run_task.apply(args=[batch.pk])
    assert Person.objects.get().last_name == "Haddad"
    state = django_app.get(status_url(batch), user=coordinator).json
    assert (state["status"], state["finished"], state["percent"]) == ("done", True, 100)
    assert "Angelegte Personen" in state["html"]
    page = page.click("Aktualisieren")
    assert result_counts(page)["Angelegte Personen"] == "1"


def test_import_double_confirm_queues_once(
    django_app, coordinator, network_setup, django_capture_on_commit_callbacks
):
    page = upload(django_app, coordinator, csv_bytes([AMINA])).follow()
    form = page.forms["import-confirm"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = form.submit("confirm")
        second = form.submit("confirm")
    batch = ImportBatch.objects.get()
    assert len(callbacks) == 1
    assert first.location == second.location == progress_url(batch)
    assert Person.objects.count() == 1


def test_import_running_reports_progress_from_the_cache(django_app, coordinator):
    batch = make_batch(coordinator, status=ImportBatch.Status.RUNNING, started_at=timezone.now())
    state = django_app.get(status_url(batch), user=coordinator).json
    assert (state["status"], state["percent"], state["rows"]) == ("running", None, "")
    cache.set(
        f"actors:import:{batch.pk}:progress",
        {"percent": 42, "rows_done": 8400, "rows_total": 20000},
    )
    response = django_app.get(status_url(batch), user=coordinator)
    assert "no-store" in response.headers["Cache-Control"]
    assert response.json["percent"] == 42
    assert response.json["rows"] == "8.400 von 20.000 Zeilen (42 %)"
    page = django_app.get(progress_url(batch), user=coordinator)
    assert page.html.select_one("[data-import-bar]")["aria-valuenow"] == "42"
    assert page.html.select_one("[data-import-rows]").text == "8.400 von 20.000 Zeilen (42 %)"


def test_import_preview_shows_problems_and_refuses_until_valid_rows_are_chosen(
    django_app, coordinator, network_setup, django_capture_on_commit_callbacks
):
    data = csv_bytes([AMINA, row(last_name="Meyer", email="meyer(at)mail.example")])
    page = upload(django_app, coordinator, data).follow()
    problem = page.html.select_one("tr.table-danger")
    assert problem.select_one("th").text == "3"
    assert "„meyer(at)mail.example“ ist keine gültige E-Mail-Adresse." in problem.text
    assert "Diese Zeile wird nicht importiert." in problem.text
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms["import-confirm"].submit("confirm")
    # Refused at once, back on the preview: nothing was queued or imported.
    page = page.follow()
    assert page.request.path == reverse("actors:import_preview")
    assert "Zeilen mit Fehlern: 1" in page.html.select_one(".alert-danger").text
    assert not Person.objects.exists()
    form = page.forms["import-confirm"]
    form["skip_invalid"] = True
    with django_capture_on_commit_callbacks(execute=True):
        page = form.submit("confirm")
    page = page.follow()
    assert result_counts(page)["Ausgelassene Zeilen (Fehler)"] == "1"
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Haddad"]


def test_import_failed_batch_is_tried_again_from_the_progress_page(
    django_app, coordinator, network_setup, monkeypatch, django_capture_on_commit_callbacks
):
    page = upload(django_app, coordinator, csv_bytes([AMINA])).follow()
    monkeypatch.setattr(import_rows, "_person_save", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms["import-confirm"].submit("confirm")
    page = page.follow()
    assert "Zeile 2: Datenbank sagt nein" in page.html.select_one(".alert-danger").text
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms["import-retry"].submit()
    page = page.follow()
    assert "Der Import ist abgeschlossen." in page.text
    assert Person.objects.count() == 1


def refuse(*args, **kwargs):
    raise ValidationError("Datenbank sagt nein")


def test_import_preview_neutralises_nothing_and_flags_formulas(
    django_app, coordinator, network_setup
):
    page = upload(django_app, coordinator, csv_bytes([row(last_name=EVIL)])).follow()
    assert "enthält eine Formel" in page.text
    assert "Keine Zeile kann importiert werden." in page.text
    assert "import-confirm" not in page.forms


def test_import_corrected_file_replaces_the_upload(
    django_app, coordinator, network_setup, media_root
):
    upload(django_app, coordinator, csv_bytes([row(last_name="Meyer", circles="Stammtisch")]))
    page = django_app.get(PREVIEW, user=coordinator)
    assert "Unbekannte Netzwerkrunde „Stammtisch“" in page.text
    form = page.forms["import-upload"]
    form["file"] = Upload(
        "korrigiert.csv", csv_bytes([row(last_name="Meyer", circles=ROUND_TABLE)])
    )
    page = form.submit().follow()
    assert "korrigiert.csv" in page.text
    assert "Alle Zeilen können importiert werden." in page.text
    assert len(list((media_root / "imports").iterdir())) == 1


def test_import_discard_removes_the_upload(django_app, coordinator, network_setup, media_root):
    page = upload(django_app, coordinator, csv_bytes([AMINA])).follow()
    page = page.forms["import-discard"].submit("discard").follow()
    assert "Die hochgeladene Datei wurde verworfen." in page.text
    assert list((media_root / "imports").iterdir()) == []
    assert "Es gibt keine hochgeladene Datei" in django_app.get(PREVIEW, user=coordinator).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die übertragene Datei ist leer."),
        (b"\xef\xbb\xbf\r\n", "Die Datei ist leer."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "weder eine CSV- noch"),
        (b"Vorname;Ort\r\nJana;Wiesenbr\xfcck\r\n", "Spalte „Nachname“ fehlt"),
    ],
    ids=["zero-bytes", "empty", "png", "missing-column"],
)
def test_import_upload_refuses_unreadable_files_in_german(django_app, coordinator, data, message):
    page = upload(django_app, coordinator, data)
    assert page.status_code == 200
    assert message in page.text
    assert page.request.path == UPLOAD


def test_import_upload_refuses_files_over_the_limit(django_app, coordinator, settings):
    settings.IMPORT_MAX_BYTES = 100
    page = upload(django_app, coordinator, csv_bytes([AMINA] * 5))
    assert "Die Datei ist zu groß" in page.text
    assert "Importiert werden können höchstens 100\xa0Bytes." in page.text


def test_import_upload_page_links_the_sample_and_explains_columns(django_app, coordinator):
    page = django_app.get(UPLOAD, user=coordinator)
    links = [a["href"] for a in page.html.select("a[download]")]
    assert links == [
        reverse("actors:import_sample") + "?format=xlsx",
        reverse("actors:import_sample") + "?format=csv",
    ]
    headers = [th.text for th in page.html.select("table th[scope=row]")]
    assert headers[:3] == ["Organisation", "Art", "Anrede"]
    assert "Netzwerkrunden" in headers
    response = django_app.get(links[1], user=coordinator)
    assert response.content_type == "text/csv"
    assert response.body == (SAMPLES / "netzwerk-import-beispiel.csv").read_bytes()


def test_import_preview_with_a_vanished_file_asks_for_a_new_upload(
    django_app, coordinator, network_setup, media_root
):
    upload(django_app, coordinator, csv_bytes([AMINA]))
    for path in (media_root / "imports").iterdir():
        path.unlink()
    page = django_app.get(PREVIEW, user=coordinator)
    assert "Es gibt keine hochgeladene Datei" in page.text


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_import_is_refused_without_add_rights(django_app, request, role):
    user = request.getfixturevalue(role)
    batch = make_batch(user, status=ImportBatch.Status.FAILED)
    urls = (
        UPLOAD,
        PREVIEW,
        reverse("actors:import_sample"),
        progress_url(batch),
        status_url(batch),
    )
    for url in urls:
        assert django_app.get(url, user=user, expect_errors=True).status_code == 403
    response = django_app.post(PREVIEW, {"discard": "1"}, user=user, expect_errors=True)
    assert response.status_code == 403
    response = django_app.post(progress_url(batch), user=user, expect_errors=True)
    assert response.status_code == 403


def test_import_of_another_user_is_not_found(
    django_app, django_app_factory, coordinator, media_root
):
    colleague = UserFactory()
    colleague.groups.set(coordinator.groups.all())
    other = transfer.import_upload_store(by=colleague, data=csv_bytes([AMINA]), file_name="x.csv")
    other.status = ImportBatch.Status.FAILED
    other.save()
    for url in (progress_url(other), status_url(other)):
        assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 404
    response = django_app_factory(csrf_checks=False).post(
        progress_url(other), user=coordinator, expect_errors=True
    )
    assert response.status_code == 404
    # Not even through the session: a uuid of someone else's upload shows no preview.
    session = django_app.session
    session["actors_import"] = str(other.uuid)
    session.save()
    assert "Es gibt keine hochgeladene Datei" in django_app.get(PREVIEW, user=coordinator).text
    other.refresh_from_db()
    assert other.status == ImportBatch.Status.FAILED


@pytest.mark.parametrize("status", ["queued", "running", "done", "failed"])
def test_import_status_query_count_is_constant(
    django_app, coordinator, status, django_assert_max_num_queries
):
    batch = make_batch(coordinator, status=status, started_at=timezone.now())
    django_app.get(status_url(batch), user=coordinator)
    with django_assert_max_num_queries(4):
        response = django_app.get(status_url(batch), user=coordinator)
    assert response.json["status"] == status


# ---------------------------------------------------------------------------
# Export


def test_person_export_applies_the_list_filters(django_app, administration_user):
    PersonFactory(last_name="Haddad", is_volunteer=True)
    PersonFactory(last_name="Schulz", is_volunteer=False)
    PersonFactory(last_name="Archiviert", is_archived=True)
    url = reverse("actors:person_export") + "?is_volunteer=no&format=csv"
    response = django_app.get(url, user=administration_user)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="personen-')
    rows = csv_rows(response)
    assert rows[0][:6] == ["Organisation", "Funktion", "Anrede", "Titel", "Vorname", "Nachname"]
    assert [line[5] for line in rows[1:]] == ["Schulz"]
    everyone = csv_rows(django_app.get(reverse("actors:person_export"), user=administration_user))
    assert sorted(line[5] for line in everyone[1:]) == ["Haddad", "Schulz"]


def test_organisation_export_xlsx_is_injection_safe(django_app, administration_user):
    OrganisationFactory(name=EVIL, phone="+49 2345 100")
    OrganisationFactory(name="Caritasverband Wiesenbrück")
    url = reverse("actors:organisation_export") + "?q=HYPERLINK&format=xlsx"
    response = django_app.get(url, user=administration_user)
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.body)).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert len(values) == 2
    assert values[1][0] == "'" + EVIL
    assert values[1][7] == "+49 2345 100"  # typed cell: no formula, no quote
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_organisation_export_csv_is_injection_safe(django_app, coordinator):
    OrganisationFactory(name=EVIL)
    rows = csv_rows(django_app.get(reverse("actors:organisation_export"), user=coordinator))
    assert rows[1][0] == "'" + EVIL


def test_export_refuses_unknown_formats(django_app, coordinator):
    url = reverse("actors:organisation_export") + "?format=pdf"
    assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 400


def test_circle_export_lists_current_members(django_app, administration_user):
    circle = CircleFactory(name="Runder Tisch Integration")
    CircleMembershipFactory(circle=circle, person__last_name="Haddad", person__first_name="Amina")
    CircleMembershipFactory(
        circle=circle, person=None, organisation=OrganisationFactory(name="AWO")
    )
    url = reverse("actors:circle_export", kwargs={"pk": circle.pk}) + "?format=csv"
    response = django_app.get(url, user=administration_user)
    assert 'filename="runder-tisch-integration-' in response.headers["Content-Disposition"]
    assert sorted(line[0] for line in csv_rows(response)[1:]) == ["AWO", "Amina Haddad"]
    missing = reverse("actors:circle_export", kwargs={"pk": circle.pk + 100})
    assert django_app.get(missing, user=administration_user, expect_errors=True).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["actors:organisation_export", "actors:person_export", "actors:circle_export"]
)
def test_export_is_refused_to_committee_members(django_app, committee_member, url_name):
    kwargs = {"pk": CircleFactory().pk} if url_name == "actors:circle_export" else {}
    url = reverse(url_name, kwargs=kwargs)
    assert django_app.get(url, user=committee_member, expect_errors=True).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_person_export_query_count_is_constant(
    django_app, coordinator, fmt, django_assert_max_num_queries
):
    circle = CircleFactory()
    url = reverse("actors:person_export") + f"?format={fmt}"

    def add_people(count):
        for _ in range(count):
            CircleMembershipFactory(circle=circle)

    add_people(2)
    django_app.get(url, user=coordinator)
    add_people(30)
    with django_assert_max_num_queries(12):
        response = django_app.get(url, user=coordinator)
    assert response.status_code == 200
    assert Organisation.objects.count() == 0


def test_confirm_of_a_file_with_errors_is_refused_at_once_unless_skipping(django_app, coordinator):
    from actors.models import ImportBatch

    content = (
        b"Organisation;Nachname;E-Mail\n"
        b"Caritas;Meyer;meyer@caritas.example\n"
        b"Caritas;Kaputt;kaputt@@\n"
    )
    preview = upload(django_app, coordinator, content).follow()
    page = preview.forms["import-confirm"].submit().follow()
    assert page.request.path == reverse("actors:import_preview")
    assert "Zeilen mit Fehlern: 1. Korrigieren Sie die Datei" in page.text
    assert ImportBatch.objects.get().status == ImportBatch.Status.UPLOADED
