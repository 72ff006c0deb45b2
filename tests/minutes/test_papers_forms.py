"""Paper forms in the browser: create, edit, supplement, Beratungsfolge."""

import datetime

import pytest
from django.urls import reverse

from minutes.models import Consultation, Paper

from ..actors.factories import OrganisationFactory, PersonFactory
from ..measures.factories import ResponsibilityFactory
from ..utils import main_form
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    DepartmentFactory,
    MeetingFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("minutes:paper_create")


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def department_user(administration_user, department):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


def test_paper_create_form_assigns_the_reference(django_app, coordinator, department):
    main = paper_of_department(year=2020, serial=31)
    author = PersonFactory(first_name="Anke", last_name="Raven")
    form = main_form(django_app.get(CREATE, user=coordinator))
    form["kind"] = "information"
    form["title"] = "Integration"
    form["date"] = "2020-10-01"
    form["lead_department"] = str(department.pk)
    form["author"] = str(author.pk)
    form["related"] = "2020/031"

    page = form.submit().follow()

    paper = Paper.objects.get(title="Integration")
    assert paper.reference == "2020/032"
    assert list(paper.related_papers.all()) == [main]
    assert "Die Vorlage 2020/032 wurde angelegt." in page.text
    assert "Raven, Anke" in page.text


def test_paper_create_form_keeps_input_on_unknown_reference(django_app, coordinator):
    form = main_form(django_app.get(CREATE, user=coordinator))
    form["kind"] = "motion"
    form["title"] = "Antrag der Fraktion"
    form["date"] = "2020-10-01"
    form["related"] = "2020/099, Quatsch"

    page = form.submit()

    assert page.status_code == 200
    assert "Keine Vorlage mit dem Aktenzeichen 2020/099 gefunden." in page.text
    assert "Kein Aktenzeichen: Quatsch." in page.text
    assert main_form(page)["title"].value == "Antrag der Fraktion"
    assert main_form(page)["related"].value == "2020/099, Quatsch"
    assert not Paper.objects.exists()


def test_paper_create_form_offers_department_user_only_their_departments(
    django_app, department_user, department
):
    OrganisationFactory(kind="administration", name="FB I Zentrale Dienste")

    form = main_form(django_app.get(CREATE, user=department_user))

    offered = [value for value, _selected, _label in form["lead_department"].options if value]
    assert offered == [str(department.pk)]


def test_paper_update_form_shows_and_changes_related_references(django_app, coordinator):
    first = paper_of_department(year=2019, serial=114)
    second = paper_of_department(year=2020, serial=31)
    paper = paper_of_department(year=2020, serial=40, title="Alt")
    paper.related_papers.set([first])
    form = main_form(
        django_app.get(reverse("minutes:paper_update", args=[paper.pk]), user=coordinator)
    )
    assert form["related"].value == "2019/114"

    form["title"] = "Neu"
    form["related"] = "2020/031"
    form.submit().follow()

    paper.refresh_from_db()
    assert paper.title == "Neu"
    assert paper.reference == "2020/040"
    assert list(paper.related_papers.all()) == [second]


def test_paper_supplement_form_is_prefilled_from_the_main_paper(
    django_app, department_user, department
):
    author = PersonFactory(first_name="Anke", last_name="Raven")
    main = paper_of_department(year=2020, serial=31, kind="information", author=author)
    url = reverse("minutes:paper_supplement", args=[main.pk])

    form = main_form(django_app.get(url, user=department_user))
    assert form["kind"].value == "information"
    assert form["lead_department"].value == str(department.pk)
    assert form["author"].value == str(author.pk)
    assert form["related"].value == "2020/031"
    form["title"] = "Stellenprofil"
    form["date"] = "2020-10-01"
    page = form.submit().follow()

    supplement = main.supplements.get()
    assert supplement.reference == "2020/031-1"
    assert page.request.path == supplement.get_absolute_url()
    assert page.html.select_one(".paper-related").get_text(strip=True) == "2020/031"


def test_consultation_edit_adds_reorders_and_removes(django_app, coordinator):
    paper = paper_of_department()
    committee = BodyFactory(name="Ausschuss für Soziales")
    council = BodyFactory(name="Rat", kind="council")
    staff = BodyFactory(name="Koordinierungsstab", kind="coordination_staff")
    ConsultationFactory(paper=paper, body=committee, position=1, role="preliminary")
    ConsultationFactory(paper=paper, body=staff, position=2)
    url = reverse("minutes:consultation_edit", args=[paper.pk])
    form = main_form(django_app.get(url, user=coordinator))

    form["consultations-1-DELETE"] = True
    form["consultations-2-body"] = str(council.pk)
    form["consultations-2-role"] = "decision"
    form["consultations-2-ORDER"] = "1"
    form["consultations-0-ORDER"] = "2"
    page = form.submit().follow()

    rows = [(c.body.name, c.position, c.role) for c in paper.consultations.order_by("position")]
    assert rows == [("Rat", 1, "decision"), ("Ausschuss für Soziales", 2, "preliminary")]
    assert "Die Beratungsfolge wurde gespeichert." in page.text


def test_consultation_edit_refuses_to_remove_a_scheduled_consultation(django_app, coordinator):
    paper = paper_of_department()
    body = BodyFactory(name="Rat", kind="council")
    item = AgendaItemFactory(
        meeting=MeetingFactory(body=body, date=datetime.date(2026, 12, 3)), paper=paper
    )
    ConsultationFactory(paper=paper, body=body, agenda_item=item)
    url = reverse("minutes:consultation_edit", args=[paper.pk])
    form = main_form(django_app.get(url, user=coordinator))

    form["consultations-0-DELETE"] = True
    page = form.submit()

    assert page.status_code == 200
    assert "Die Vorlage steht auf der Tagesordnung vom 03.12.2026" in page.text
    assert Consultation.objects.filter(paper=paper).count() == 1
