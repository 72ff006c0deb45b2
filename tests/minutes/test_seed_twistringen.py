"""Acceptance of issue 7: the Twistringen seed (Ausschuss für Bildung, Erziehung, Senioren
und Soziales, 15.10.2020, TOP Ö 5) entered by the coordinator through the browser forms,
page after page, and read back as entered; and who sees the meeting's non-public item.

The network (people, the department) is another app and is arranged with factories; so
are the 30 earlier papers of 2020 (through ``minutes.services.papers.paper_create``), so
that the paper entered through the form becomes 2020/031.
"""

import datetime

import pytest
from django.urls import reverse

from minutes.models import Body
from minutes.services import papers as paper_services

from ..actors.factories import PersonFactory
from ..utils import main_form
from .conftest import member_login
from .factories import DepartmentFactory

pytestmark = pytest.mark.django_db

BODY = "Ausschuss für Bildung, Erziehung, Senioren und Soziales"
TITLE = "Integration – Stellenprofil für die Schaffung einer entsprechenden Stelle"
ROOM = "Hildegard-von-Bingen-Gymnasium"
SECRET = "Personalangelegenheit: Besetzung der Stelle für Integrationsarbeit"
TASK = "Konkrete Stellenbeschreibung vorlegen"
WORTPROTOKOLL = (
    "Entsprechend der Beschlussfassung aus der letzten Sitzung hat die Jugendsozialarbeiterin "
    "Claudia Möllenkamp Teilnehmer des Runden Tisches angeschrieben und erfragt, welche "
    "Handlungsaufträge im Rahmen der Integration an eine neue Fachkraft zu stellen wären. Von "
    "den 45 Befragten meldeten sich 7 ausschließlich in Fragen der Flüchtlingsarbeit zurück. "
    "Insgesamt könnte man daraus ableiten, dass Twistringen im Handlungsfeld der Integration "
    "gut aufgestellt ist. Es müsse lediglich mehr Öffentlichkeitsarbeit geben. Ein "
    "Integrationsbeirat aus dem Kreis der Zugewanderten wäre denkbar.",
    "Daneben wäre ein „Hausmeister“ erforderlich, der sich um die städtischen Wohnungen "
    "kümmert und gleichzeitig den Zugewanderten die hiesigen Gewohnheiten in Haus und Hof "
    "erklärt.",
    "Die Betreuung von Flüchtlingen in Form der Einzelfallberatung und die Begleitung der "
    "Flüchtlingsinitiative Twistringen sollte weiterhin über die Caritas erfolgen.",
    "Mit einem Stundenanteil von 20 Stunden sollte dann ein Sozialpädagoge mit der "
    "Integrationsarbeit, der Vernetzung der vielen Akteure und deren Unterstützung eingesetzt "
    "werden. Dabei ist sowohl der ehrenamtliche Bereich als auch das Hauptamt zu betrachten. "
    "Bei einem koordinierten Austausch kann es dann gelingen, rechtzeitig "
    "Handlungserfordernisse zu orten und gezielt den Personen zuzuordnen, die diese am besten "
    "bearbeiten können.",
    "Mitglied Horst Küpker zeigt sich verwundert, dass es nur einen so geringen Rücklauf gab "
    "und fragt, wie eine gute Integration funktionieren soll, wenn jeder Akteur für sich "
    "alleine arbeitet.",
    "Mitglied Heinfried Dießelberg bemängelt, dass sich die Diskussion hierzu im Kreis dreht. "
    "Auch jetzt sei wieder  eine Verschiebung des Stellenprofils und der Abgleich mit der "
    "Caritas nicht klar.",
    "Vorsitzenden Jürgen Schulze gibt zum Abschluss das Ziel aus, bis zum Ende des Jahres "
    "eine konkrete Stellenbeschreibung vorgelegt zu bekommen.",
)
SPEAKERS = ("Küpker, Horst", "Dießelberg, Heinfried", "Schulze, Jürgen")


# --- Browser helpers (also used by test_seed_schwelm_ascheberg) -----------------------


def page_text(node) -> str:
    """The text a reader sees (tags stripped, entities decoded)."""
    html = node if hasattr(node, "get_text") else node.html
    return html.get_text(" ", strip=True)


def follow(page, text: str, *, within: str | None = None):
    """Follow the first link whose text (screen-reader text included) is ``text``."""
    root = page.html.select_one(within) if within else page.html
    assert root is not None, f"nothing matches {within} on {page.request.path}"
    for link in root.find_all("a", href=True):
        if link.get_text("", strip=True) == text:
            return page.goto(link["href"])
    raise AssertionError(f"no link “{text}” on {page.request.path}")


def form_with_button(page, label: str):
    """The form whose submit button reads ``label``."""
    for form in page.forms.values():
        buttons = form.html.find_all(["button", "input"])
        texts = [
            b.get("value") if b.name == "input" else b.get_text("", strip=True) for b in buttons
        ]
        if label in texts:
            return form
    raise AssertionError(f"no form with the button “{label}” on {page.request.path}")


def choose(form, name: str, text: str) -> None:
    """Select the option of ``name`` whose label starts with ``text``, as a user reads it."""
    for value, _selected, label in form[name].options:
        if label.strip().startswith(text):
            form[name] = value
            return
    labels = [label for *_, label in form[name].options]
    raise AssertionError(f"“{text}” is not offered in {name}: {labels}")


def tick(page, form, name: str, labels) -> None:
    """Tick the checkboxes of ``name`` whose labels are ``labels``."""
    wanted = set(labels)
    for field in form.fields[name]:
        box = page.html.find("input", attrs={"name": name, "value": field._value})
        label = page.html.find("label", attrs={"for": box["id"]}).get_text(strip=True)
        if label in wanted:
            field.checked = True
            wanted.discard(label)
    assert not wanted, f"not offered in {name}: {wanted}"


def create_body(page, *, name: str, kind: str):
    """From any page of the committee work: tab Gremien, "Neues Gremium"."""
    page = follow(follow(page, "Gremien", within=".minutes-nav"), "Neues Gremium")
    form = main_form(page)
    form["name"] = name
    choose(form, "kind", kind)
    return form.submit().follow()


def add_member(
    body_page, *, surname: str, role: str = "Mitglied", since: str = "2016-11-01", party: str = ""
):
    """From the body's page: "Mitglied hinzufügen", search the person, seat them."""
    page = follow(body_page, "Mitglied hinzufügen")
    search = page.forms["person-search"]
    search["q"] = surname
    page = search.submit()
    form = page.forms["membership-form"]
    choose(form, "person", surname)
    choose(form, "role", role)
    form["start_date"] = since
    form["on_behalf_of"] = party
    return form.submit().follow()


def create_meeting(body_page, *, date: str, start: str, end: str = "", **address):
    """From the body's page: "Neue Sitzung" (the body is prefilled)."""
    form = main_form(follow(body_page, "Neue Sitzung"))
    form["date"], form["start_time"], form["end_time"] = date, start, end
    for name, value in address.items():
        form[name] = value
    return form.submit().follow()


def add_item(hub, title: str, *, paper: str = "", public: bool = True):
    """The form below the agenda on the meeting's page."""
    form = form_with_button(hub, "TOP hinzufügen")
    form["title"] = title
    choose(form, "visibility", "öffentlich (Ö)" if public else "nicht öffentlich (N)")
    if paper:
        choose(form, "paper", paper)
    return form.submit().follow()


def mark_held_and_record_attendance(hub):
    """ "Als durchgeführt markieren", then "Anwesenheit erfassen" (everybody present)."""
    hub = form_with_button(hub, "Als durchgeführt markieren").submit().follow()
    page = follow(hub, "Anwesenheit erfassen")
    return main_form(page).submit().follow()


def item_minutes_page(hub, number: str):
    """The minutes page of the item ``number`` ("Ö 5") through its "Protokoll" button."""
    return follow(hub, f"Protokoll: {number}", within="#agenda")


def agenda_entry(page, number: str):
    """The entry "TOP <number>" of the agenda on a meeting's page."""
    for entry in page.html.select(".agenda-item"):
        if page_text(entry.select_one(".agenda-number")) == f"TOP {number}":
            return entry
    raise AssertionError(f"no TOP {number} on {page.request.path}")


# --- The journey ------------------------------------------------------------------------


@pytest.fixture
def twistringen(django_app, coordinator):
    """Everything of the seed entered by the coordinator; returns the pages' addresses."""
    department = DepartmentFactory(name="FB II Familie & Soziales", kind="administration")
    for surname, first in [("Küpker", "Horst"), ("Dießelberg", "Heinfried")]:
        PersonFactory(first_name=first, last_name=surname)
    PersonFactory(first_name="Jürgen", last_name="Schulze")
    PersonFactory(first_name="Anke", last_name="Raven")
    for day in range(1, 31):
        paper_services.paper_create(
            by=coordinator,
            kind="resolution_proposal",
            title=f"Frühere Vorlage {day}",
            date=datetime.date(2020, 1, day),
            lead_department=department,
        )

    page = django_app.get(reverse("minutes:index"), user=coordinator)
    body_page = create_body(page, name=BODY, kind="Ausschuss")
    assert page_text(body_page.html.h1) == BODY
    body_page = add_member(body_page, surname="Küpker")
    body_page = add_member(body_page, surname="Dießelberg")
    body_page = add_member(body_page, surname="Schulze", role="Vorsitz")

    # Paper 2020/031 and its supplement 2020/031-1.
    form = main_form(follow(follow(body_page, "Vorlagen", within=".minutes-nav"), "Neue Vorlage"))
    choose(form, "kind", "Mitteilungsvorlage")
    form["date"] = "2020-06-18"
    form["title"] = "Integration"
    choose(form, "lead_department", "FB II Familie & Soziales")
    choose(form, "author", "Raven, Anke")
    form["is_public"] = True
    main_page = form.submit().follow()
    assert page_text(main_page.html.select_one(".paper-reference")) == "2020/031"
    form = main_form(follow(main_page, "Neue Ergänzung"))
    assert form["related"].value == "2020/031"
    form["title"] = TITLE
    form["date"] = "2020-10-01"
    paper_page = form.submit().follow()
    assert page_text(paper_page.html.select_one(".paper-reference")) == "2020/031-1"

    # The meeting, its agenda, attendance, minutes and the task.
    body_page = follow(follow(paper_page, "Gremien", within=".minutes-nav"), BODY)
    hub = create_meeting(
        body_page,
        date="2020-10-15",
        start="19:00",
        end="20:52",
        room=ROOM,
        street_address="Vechtaer Straße 44",
        postal_code="27239",
        locality="Twistringen",
    )
    for title in [
        "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Ladung und der Tagesordnung",
        "Genehmigung der Niederschrift über die Sitzung vom 18.06.2020",
        "Mitteilungen der Verwaltung",
        "Einwohnerfragestunde",
    ]:
        hub = add_item(hub, title)
    hub = add_item(hub, TITLE, paper=f"2020/031-1 {TITLE}")
    hub = add_item(hub, SECRET, public=False)
    hub = mark_held_and_record_attendance(hub)

    page = item_minutes_page(hub, "Ö 5")
    form = main_form(page)
    form["minutes_text"] = "\n\n".join(WORTPROTOKOLL)
    tick(page, form, "speakers", SPEAKERS)
    choose(form, "kind", "zur Kenntnis genommen")
    form["vote"] = "none"
    page = form.submit("save").follow()
    assert "Das Protokoll zu Ö 5 wurde gespeichert." in page_text(page)

    form = main_form(follow(page, "Neuer Arbeitsauftrag"))
    form["title"] = TASK
    choose(form, "owner_organisation", "FB II Familie & Soziales")
    form["due_on"] = "2020-12-31"
    form.submit().follow()
    return {
        "meeting": hub.request.path,
        "paper": paper_page.request.path,
        "main_paper": main_page.request.path,
        "body": Body.objects.get(name=BODY),
    }


# --- Read back ----------------------------------------------------------------------------


def test_twistringen_meeting_page_reads_back_the_seed(django_app, coordinator, twistringen):
    page = django_app.get(twistringen["meeting"], user=coordinator)
    header = page_text(page.html.select_one(".meeting-header"))
    assert BODY in header
    assert "Do, 15.10.2020, 19:00–20:52 Uhr" in header
    assert page_text(page.html.select_one(".meeting-where")) == (
        f"{ROOM} Vechtaer Straße 44, 27239 Twistringen"
    )
    assert "Durchgeführt" in header
    item = agenda_entry(page, "Ö 5")
    text = page_text(item)
    assert TITLE in text
    assert "Vorlage 2020/031-1 · Mitteilungsvorlage" in text
    assert "zur Kenntnis genommen" in page_text(item.select_one(".resolution-summary"))
    assert "einstimmig" not in text
    minutes = item.select_one(".agenda-minutes .text-prewrap").get_text()
    assert minutes == "\n\n".join(WORTPROTOKOLL)
    assert "1 Arbeitsauftrag" in text
    attendance = page_text(page.html.select_one("#attendance"))
    assert "Anwesend (3)" in attendance


def test_twistringen_speakers_are_listed_in_the_minutes(django_app, coordinator, twistringen):
    page = django_app.get(twistringen["meeting"], user=coordinator)
    item = agenda_entry(page, "Ö 5")
    speakers = next(p for p in item.select(".agenda-minutes p") if "Redner" in p.get_text())
    names = page_text(speakers).removeprefix("Redner/-innen:").strip().split(", ")
    # In the order they spoke: the order the Wortprotokoll names them.
    assert names == ["Horst Küpker", "Heinfried Dießelberg", "Jürgen Schulze"]


def test_twistringen_paper_page_reads_back_the_seed(django_app, coordinator, twistringen):
    page = django_app.get(twistringen["paper"], user=coordinator)
    text = page_text(page)
    assert page_text(page.html.select_one(".paper-reference")) == "2020/031-1"
    assert page_text(page.html.h1) == TITLE
    assert "Status öffentlich" in text
    assert "Vorlage-Art Mitteilungsvorlage" in text
    assert "Bezüglich 2020/031" in text
    assert page.html.select_one(".paper-related a")["href"] == twistringen["main_paper"]
    assert "Federführend FB II Familie & Soziales" in text
    assert "Bearbeiter/-in Raven, Anke" in text
    row = page_text(page.html.select_one(".paper-consultations tbody tr"))
    assert BODY in row
    assert "15.10.2020" in row
    assert "TOP Ö 5" in row
    assert "zur Kenntnis genommen" in row


def test_twistringen_task_list_shows_the_chairs_task(django_app, coordinator, twistringen):
    page = follow(django_app.get(twistringen["meeting"], user=coordinator), "Beschlusskontrolle")
    group = page.html.select_one(".task-group")
    assert BODY in page_text(group.h2)
    row = page_text(group.select_one(".task-row"))
    assert TASK in row
    assert "31.12.2020" in row
    assert "FB II Familie & Soziales" in row
    assert "15.10.2020, TOP Ö 5" in row
    assert "zur Kenntnis genommen" in row
    assert "überfällig" in row


def test_twistringen_agenda_numbers_public_and_nonpublic_apart(
    django_app, coordinator, twistringen
):
    page = django_app.get(twistringen["meeting"], user=coordinator)
    numbers = [page_text(n) for n in page.html.select(".agenda-number")]
    assert numbers == ["TOP Ö 1", "TOP Ö 2", "TOP Ö 3", "TOP Ö 4", "TOP Ö 5", "TOP N 1"]


# --- Who sees the non-public item N 1 -------------------------------------------------------


def test_twistringen_nonpublic_item_is_seen_by_the_bodys_member(django_app, twistringen):
    member = member_login(twistringen["body"])
    page = django_app.get(twistringen["meeting"], user=member)
    assert SECRET in page_text(page)
    assert "TOP N 1" in page_text(page)
    assert TITLE in page_text(page)


@pytest.mark.parametrize("who", ["other_member", "committee_member", "administration_user"])
def test_twistringen_nonpublic_item_is_hidden_from_others(django_app, twistringen, who, request):
    page = django_app.get(twistringen["meeting"], user=request.getfixturevalue(who))
    assert TITLE in page_text(page)
    assert SECRET not in page.text
    assert "N 1" not in page_text(page)


def test_twistringen_nonpublic_item_is_hidden_from_anonymous_visitors(
    django_app_factory, twistringen
):
    app = django_app_factory()
    response = app.get(twistringen["meeting"])
    assert response.status_code == 302
    assert response.location.startswith(reverse("login"))
    assert SECRET not in response.follow().text
