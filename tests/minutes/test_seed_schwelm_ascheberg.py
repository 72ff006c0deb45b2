"""Acceptance of issue 7: the Schwelm resolution (Integrationsrat, unanimous) and the
Ascheberg referral to the council, entered by the coordinator through the browser and
read back. The browser helpers are those of test_seed_twistringen."""

from pathlib import Path

import pytest
from django.urls import reverse
from webtest import Upload

from ..actors.factories import PersonFactory
from ..utils import main_form
from .factories import DepartmentFactory
from .test_seed_twistringen import (
    add_item,
    add_member,
    agenda_entry,
    choose,
    create_body,
    create_meeting,
    follow,
    form_with_button,
    item_minutes_page,
    mark_held_and_record_attendance,
    page_text,
    tick,
)

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"

SCHWELM_ITEM = "Bericht über den Workshop des Kommunalen Integrationsmanagements vom 12.01.2022"
SCHWELM_RESOLUTION = (
    "Das Thema Kommunales Integrationsmanagement wird zukünftig im Rahmen der monatlichen "
    "Treffen des Integrationsrates mitbehandelt."
)
SCHWELM_MINUTES = (
    "Frau Gregor-Rauschtenberger berichtet über den Workshop des Kommunalen "
    "Integrationsmanagements vom 12.01.2022, an dem sie mit Frau Schlücker teilgenommen habe.\n\n"
    "Zum besseren Verständnis werden die kompletten Unterlagen des Workshops dem Protokoll als "
    "Anlage beigefügt.\n\n"
    "Frau Senpolat regt an, diesen Punkt bei den monatlichen Treffen mit zu besprechen. Dieser "
    "Punkt sei sehr wichtig für den Integrationsrat."
)

COMMITTEE = "Jugend-, Senioren-, Sozial- und Sportausschuss"
ASCHEBERG_PAPER = "Einrichtung der Stelle eines Arbeits- und Integrationsmanagers"
ASCHEBERG_RESOLUTION = "Der Vorschlag der Verwaltung wird zur Weiterberatung an den Rat verwiesen."


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


# --- Schwelm ----------------------------------------------------------------------------


@pytest.fixture
def schwelm(django_app, coordinator, media_root, django_capture_on_commit_callbacks):
    for first, last in [("Elke", "Gregor-Rauschtenberger"), ("Aylin", "Senpolat")]:
        PersonFactory(first_name=first, last_name=last)
    PersonFactory(first_name="Sabine", last_name="Schlücker")
    page = django_app.get(reverse("minutes:index"), user=coordinator)
    body_page = create_body(page, name="Integrationsrat der Stadt Schwelm", kind="Integrationsrat")
    body_page = add_member(body_page, surname="Senpolat", role="Vorsitz")
    body_page = add_member(body_page, surname="Gregor-Rauschtenberger")
    hub = create_meeting(body_page, date="2022-02-08", start="17:00", end="19:00", room="Ratssaal")
    hub = add_item(hub, SCHWELM_ITEM)
    # The workshop's documents, attached to the minutes as the seed says.
    form = form_with_button(hub, "Hochladen")
    form["file"] = Upload("workshop-kim.pdf", (FILES / "stellenprofil.pdf").read_bytes())
    form["name"] = "Unterlagen des Workshops Kommunales Integrationsmanagement"
    form["is_public"] = True
    with django_capture_on_commit_callbacks(execute=True):
        hub = form.submit().follow()
    hub = mark_held_and_record_attendance(hub)
    page = item_minutes_page(hub, "Ö 1")
    form = main_form(page)
    form["minutes_text"] = SCHWELM_MINUTES
    tick(page, form, "speakers", ["Gregor-Rauschtenberger, Elke", "Senpolat, Aylin"])
    form["other_speakers"] = [
        value for value, _selected, label in form["other_speakers"].options if "Schlücker" in label
    ]
    choose(form, "kind", "beschlossen")
    form["text"] = SCHWELM_RESOLUTION
    form["vote"] = "unanimous"
    form.submit("save").follow()
    return hub.request.path


def test_schwelm_resolution_reads_back_unanimous(django_app, coordinator, schwelm):
    page = django_app.get(schwelm, user=coordinator)
    item = agenda_entry(page, "Ö 1")
    assert SCHWELM_ITEM in page_text(item.select_one(".agenda-title"))
    assert page_text(item.select_one(".resolution-summary")) == "beschlossen · einstimmig"
    assert f"Beschluss: {SCHWELM_RESOLUTION}" in page_text(item.select_one(".agenda-minutes"))
    assert "Sabine Schlücker" in page_text(item.select_one(".agenda-minutes"))
    files = page_text(page.html.select_one("#attachments"))
    assert "Unterlagen des Workshops Kommunales Integrationsmanagement" in files


def test_schwelm_resolution_form_shows_what_was_entered(django_app, coordinator, schwelm):
    hub = django_app.get(schwelm, user=coordinator)
    form = main_form(item_minutes_page(hub, "Ö 1"))
    assert form["text"].value == SCHWELM_RESOLUTION
    assert form["vote"].value == "unanimous"
    assert form["minutes_text"].value == SCHWELM_MINUTES


# --- Ascheberg --------------------------------------------------------------------------


@pytest.fixture
def ascheberg(django_app, coordinator):
    DepartmentFactory(name="Fachbereich Bürgerservice, Soziales und Bildung")
    PersonFactory(first_name="Thomas", last_name="Stohldreier")
    PersonFactory(first_name="Maria", last_name="Schulte-Loh")
    PersonFactory(first_name="Volker", last_name="Brümmer")
    page = django_app.get(reverse("minutes:index"), user=coordinator)
    create_body(page, name="Rat", kind="Rat")
    body_page = create_body(page, name=COMMITTEE, kind="Ausschuss")
    body_page = add_member(body_page, surname="Schulte-Loh", party="CDU")
    body_page = add_member(body_page, surname="Brümmer", party="SPD")

    form = main_form(follow(follow(body_page, "Vorlagen", within=".minutes-nav"), "Neue Vorlage"))
    choose(form, "kind", "Beschlussvorlage")
    form["date"] = "2019-02-26"
    form["title"] = ASCHEBERG_PAPER
    choose(form, "lead_department", "Fachbereich Bürgerservice")
    choose(form, "author", "Stohldreier, Thomas")
    paper_page = form.submit().follow()
    form = main_form(follow(paper_page, "Beratungsfolge"))
    choose(form, "consultations-0-body", COMMITTEE)
    choose(form, "consultations-0-role", "Vorberatung")
    form["consultations-0-ORDER"] = "1"
    choose(form, "consultations-1-body", "Rat")
    choose(form, "consultations-1-role", "Entscheidung")
    form["consultations-1-ORDER"] = "2"
    paper_page = form.submit().follow()

    body_page = follow(follow(paper_page, "Gremien", within=".minutes-nav"), COMMITTEE)
    hub = create_meeting(body_page, date="2019-03-12", start="18:00", room="Rathaus, Sitzungssaal")
    hub = add_item(hub, "Arbeits- und Integrationsmanager", paper=f"2019/001 {ASCHEBERG_PAPER}")
    hub = mark_held_and_record_attendance(hub)
    page = item_minutes_page(hub, "Ö 1")
    form = main_form(page)
    choose(form, "kind", "verwiesen")
    choose(form, "referred_to", "Rat")
    form["text"] = ASCHEBERG_RESOLUTION
    form["vote"] = "unanimous"
    form.submit("save").follow()
    return {"meeting": hub.request.path, "paper": paper_page.request.path}


def test_ascheberg_referral_to_the_council_reads_back(django_app, coordinator, ascheberg):
    page = django_app.get(ascheberg["meeting"], user=coordinator)
    summary = page_text(agenda_entry(page, "Ö 1").select_one(".resolution-summary"))
    assert summary == "verwiesen → Rat · einstimmig"


def test_ascheberg_paper_lists_committee_then_council(django_app, coordinator, ascheberg):
    page = django_app.get(ascheberg["paper"], user=coordinator)
    assert page_text(page.html.select_one(".paper-reference")) == "2019/001"
    assert "Vorlage-Art Beschlussvorlage" in page_text(page)
    rows = [page_text(row) for row in page.html.select(".paper-consultations tbody tr")]
    assert len(rows) == 2
    committee, council = rows
    assert committee.startswith(f"{COMMITTEE} Vorberatung 12.03.2019 TOP Ö 1")
    assert committee.endswith("verwiesen → Rat")
    assert council == "Rat Entscheidung noch nicht terminiert –"
