"""The coordinator's journey through the network: import, fix, find, add to the Runder Tisch."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from actors.demo import ROUND_TABLE
from actors.models import CircleMembership, ImportBatch, Person
from actors.services import transfer
from integration.core.models import User

from .conftest import assert_accessible, screenshot, watch

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "actors" / "samples" / "netzwerk-import-beispiel.csv"


def test_import_fix_find_and_add_to_round_table(coordination_page, live_server, tmp_path):
    page = coordination_page
    problems = watch(page)
    sample = SAMPLE.read_bytes()
    # The same list with a typo in one address, as it happens in real Excel lists.
    broken = tmp_path / "netzwerk.csv"
    broken.write_bytes(sample.replace(b"s.kortmann@fz-muehlbach.example", b"s.kortmann@@fz"))

    page.goto(live_server.url + reverse("actors:import_upload"))
    page.set_input_files("#import-upload input[type=file]", str(broken))
    page.locator("#import-upload [type=submit]").click()
    page.wait_for_url("**" + reverse("actors:import_preview"))
    error_row = page.locator("tbody tr", has=page.locator(".badge.text-bg-danger"))
    assert error_row.count() == 1
    assert "E-Mail" in error_row.inner_text()
    screenshot(page, "journey-import-error")

    # Fixed in the file and uploaded again from the preview page.
    fixed = tmp_path / "netzwerk-korrigiert.csv"
    fixed.write_bytes(sample)
    page.set_input_files("#import-upload input[type=file]", str(fixed))
    page.locator("#import-upload [type=submit]").click()
    page.wait_for_url("**" + reverse("actors:import_preview"))
    assert page.locator("tbody .badge.text-bg-danger").count() == 0
    page.locator("#import-confirm [type=submit]").click()
    # The import runs as a task; eager here, so the progress page opens finished.
    page.wait_for_url("**/network/import/*/")
    page.locator("#import-progress[data-status=done]").wait_for()
    assert page.locator("[data-import-text]").inner_text() == "Der Import ist abgeschlossen."
    assert Person.objects.filter(email="s.kortmann@fz-muehlbach.example").exists()
    screenshot(page, "import-progress-done")

    # Find the new contact through the people list's search.
    page.goto(live_server.url + reverse("actors:person_list"))
    page.get_by_role("textbox", name="Suche").fill("Yıldız")
    page.get_by_role("button", name="Filtern").click()
    page.get_by_role("link", name="Yıldız, Murat").click()
    assert page.locator("main h1").inner_text() == "Murat Yıldız"

    # And put him at the round table.
    page.locator("#membership-form summary, details:has(#membership-form) > summary").first.click()
    page.locator("#membership-form select[name=circle]").select_option(label=ROUND_TABLE)
    page.locator("#membership-form [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1
    assert page.get_by_role("link", name=ROUND_TABLE).count() >= 1
    person = Person.objects.get(email="m.yildiz@fz-muehlbach.example")
    assert CircleMembership.objects.filter(
        person=person, circle__name=ROUND_TABLE, end_date__isnull=True
    ).exists()
    screenshot(page, "journey-person-added")
    assert problems.page_errors == []
    assert problems.csp_violations == []


@pytest.mark.parametrize(
    "url_name", ["actors:person_list", "actors:circle_list", "actors:import_upload"]
)
def test_network_pages_are_accessible(axe_page, live_server, demo_data, url_name):
    from .conftest import login

    page = login(axe_page, live_server, "koordination", demo_data["koordination"])
    page.goto(live_server.url + reverse(url_name))
    assert_accessible(page)


def test_import_progress_page_follows_the_running_import(coordination_page, live_server):
    page = coordination_page
    problems = watch(page)
    owner = User.objects.get(username="koordination")
    batch = transfer.import_upload_store(
        by=owner, data=b"Nachname;E-Mail\r\nLangsam;langsam@mail.example\r\n", file_name="a.csv"
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued", queued_at=timezone.now())

    page.goto(live_server.url + batch.get_absolute_url())
    assert "wartet" in page.locator("[data-import-text]").inner_text()
    # With JavaScript the page refreshes itself; the link is for browsers without it.
    assert page.locator("[data-import-refresh]").is_hidden()

    # What a worker in the middle of a large file reports.
    ImportBatch.objects.filter(pk=batch.pk).update(status="running", started_at=timezone.now())
    progress = {"percent": 42, "rows_done": 8400, "rows_total": 20000}
    cache.set(f"actors:import:{batch.pk}:progress", progress)
    page.locator("[data-import-bar][aria-valuenow='42']").wait_for()
    assert page.locator("[data-import-rows]").inner_text() == "8.400 von 20.000 Zeilen (42 %)"
    width = page.locator("[data-import-bar] .progress-bar").evaluate("e => e.style.width")
    assert width == "42%"
    screenshot(page, "import-progress-running")

    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    transfer.import_run(batch_id=batch.pk)
    page.locator("#import-progress[data-status=done]").wait_for()
    assert "Der Import ist abgeschlossen." in page.locator("[data-import-text]").inner_text()
    assert page.get_by_role("link", name="Zu den Kontaktpersonen").is_visible()
    screenshot(page, "import-progress-done-polled")
    assert problems.page_errors == []
    assert problems.csp_violations == []
    assert problems.failed_requests == []
