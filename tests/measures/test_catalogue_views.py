"""Screens of the catalogue: the grouped list, goal and measure forms, the measure detail."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import ConceptVersion, Goal, Measure

from ..actors.factories import OrganisationFactory, PersonFactory
from ..core.factories import FieldOfActionFactory, UserFactory
from ..utils import main_form
from .factories import (
    ConceptVersionFactory,
    GoalFactory,
    MeasureFactory,
    ResponsibilityFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("measures:index")


def _revision(**kwargs):
    return ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None, **kwargs)


def _codes(page):
    return [row.select_one("td").text for row in page.html.select(".catalogue-measure")]


@pytest.mark.parametrize("role", ["coordinator", "administration_user", "committee_member"])
def test_catalogue_index_shows_current_version_to_every_role(django_app, request, role):
    user = request.getfixturevalue(role)
    version = ConceptVersionFactory()
    field = FieldOfActionFactory(name="Sprache und Bildung")
    goal = GoalFactory(version=version, number=3, title="Sprache fördern", field_of_action=field)
    MeasureFactory(goal=goal, number=2, title="Sprachcafé", status=Measure.Status.DONE)
    page = django_app.get(INDEX, user=user)
    assert "Sprache und Bildung" in page.text
    assert "Ziel 3: Sprache fördern" in page.text
    assert _codes(page) == ["3.2"]
    assert "1 Maßnahme: 1 Umgesetzt" in page.html.select_one(".catalogue-counts").text
    assert page.html.select_one(".measure-status").text == "Umgesetzt"
    # Adopted: nobody edits it, only the coordination may start a revision.
    assert "/edit/" not in page.text
    assert ("Revision starten" in page.text) is (role == "coordinator")


def test_catalogue_index_refuses_user_without_role(django_app, user_without_role):
    django_app.get(INDEX, user=user_without_role, status=403)


def test_catalogue_index_without_concept(django_app, coordinator):
    page = django_app.get(INDEX, user=coordinator)
    assert "noch keine Fassung" in page.text
    # Where a concept comes from: the administration, for superusers.
    assert "Superuser legt das Konzept" in page.text
    assert reverse("admin:measures_concept_add") not in page.text
    superuser = UserFactory(is_superuser=True, is_staff=True)
    page = django_app.get(INDEX, user=superuser)
    page = page.click("Konzept in der Administration anlegen")
    assert page.request.path == reverse("admin:measures_concept_add")


def test_catalogue_filter_form_narrows_and_counts(django_app, coordinator):
    version = ConceptVersionFactory()
    goal = GoalFactory(version=version, number=1)
    lead = OrganisationFactory(name="FB II Familie & Soziales")
    MeasureFactory(goal=goal, number=1, lead=lead, status=Measure.Status.IN_PROGRESS)
    MeasureFactory(goal=goal, number=2, status=Measure.Status.PLANNED)
    GoalFactory(version=version, number=2, title="Leeres Ziel")
    page = django_app.get(INDEX, user=coordinator)
    assert "Leeres Ziel" in page.text
    form = page.forms["list-filters"]
    form["lead"] = str(lead.pk)
    page = form.submit()
    assert _codes(page) == ["1.1"]
    assert "1 Maßnahme: 1 In Umsetzung" in page.text
    assert "Leeres Ziel" not in page.text


def test_catalogue_version_switcher_and_compare_link(django_app, coordinator):
    old = ConceptVersionFactory(label="Fassung 2009", adopted_on=date(2009, 6, 1))
    new = ConceptVersionFactory(
        concept=old.concept, label="Fortschreibung 2026", based_on=old, adopted_on=date(2026, 1, 1)
    )
    page = django_app.get(INDEX, user=coordinator)
    assert "Fortschreibung 2026" in page.html.select_one("h1 + p").text
    assert reverse("measures:version_compare", args=[old.pk, new.pk]) in page.text
    # The current version may be revised ...
    assert reverse("measures:version_revise", args=[new.pk]) in page.text
    page = page.click("Fassung 2009 ·", index=0)
    assert page.request.path == old.get_absolute_url()
    # ... an older one not: adopted, its revision would undo its successor.
    assert "/revise/" not in page.text


def test_catalogue_revision_shows_edit_and_adopt_only_to_coordination(
    django_app, coordinator, committee_member
):
    revision = _revision()
    goal = GoalFactory(version=revision)
    measure = MeasureFactory(goal=goal)
    url = revision.get_absolute_url()
    page = django_app.get(url, user=coordinator)
    assert reverse("measures:measure_update", args=[measure.pk]) in page.text
    assert reverse("measures:goal_update", args=[goal.pk]) in page.text
    assert reverse("measures:goal_create", args=[revision.pk]) in page.text
    assert reverse("measures:version_adopt", args=[revision.pk]) in page.text
    page = django_app.get(url, user=committee_member)
    assert "/edit/" not in page.text
    assert reverse("measures:version_adopt", args=[revision.pk]) not in page.text


def _seed(version, count):
    fields = FieldOfActionFactory.create_batch(3)
    goals = [
        GoalFactory(version=version, number=n + 1, field_of_action=fields[n % 3]) for n in range(6)
    ]
    leads = OrganisationFactory.create_batch(4)
    for n in range(count):
        MeasureFactory(goal=goals[n % 6], number=n + 1, lead=leads[n % 4])


def _queries(django_app, user, url, count) -> int:
    Measure.objects.all().delete()
    Goal.objects.all().delete()
    _seed(ConceptVersion.objects.get(), count)
    django_app.get(url, user=user)
    with CaptureQueriesContext(connection) as queries:
        page = django_app.get(url, user=user)
    assert len(page.html.select(".catalogue-measure")) == count
    return len(queries)


@pytest.mark.parametrize("query", ["", "?status=planned&q=Maßnahme&field_of_action="])
def test_catalogue_query_count_constant(django_app, coordinator, query):
    url = _revision().get_absolute_url() + query
    small = _queries(django_app, coordinator, url, 10)
    assert _queries(django_app, coordinator, url, 100) == small
    assert small <= 14


# Goals and measures


def test_goal_create_and_update_forms(django_app, coordinator):
    revision = _revision()
    field = FieldOfActionFactory(name="Arbeit")
    GoalFactory(version=revision, number=1)
    page = django_app.get(reverse("measures:goal_create", args=[revision.pk]), user=coordinator)
    form = main_form(page)
    assert form["number"].value == "2"
    form["title"] = "Ausbildung und Arbeit"
    form["field_of_action"] = str(field.pk)
    page = form.submit().follow()
    goal = revision.goals.get(number=2)
    assert goal.field_of_action == field
    assert "Ziel 2: Ausbildung und Arbeit" in page.text

    form = main_form(
        django_app.get(reverse("measures:goal_update", args=[goal.pk]), user=coordinator)
    )
    form["number"] = "1"
    page = form.submit()
    assert "Diese Fassung hat bereits ein Ziel mit dieser Nummer." in page.text
    form = main_form(page)
    form["number"] = "5"
    form.submit().follow()
    goal.refresh_from_db()
    assert goal.number == 5


def test_measure_create_form_with_lead_partners_contact(django_app, coordinator):
    revision = _revision()
    goal = GoalFactory(version=revision, number=3)
    lead = OrganisationFactory(name="FB II Familie & Soziales")
    partner = OrganisationFactory(name="Caritas")
    archived = OrganisationFactory(name="Alte Initiative", is_archived=True)
    contact = PersonFactory(last_name="Haddad")
    page = django_app.get(reverse("measures:measure_create", args=[goal.pk]), user=coordinator)
    form = main_form(page)
    assert str(archived.pk) not in [value for value, *_ in form["lead"].options]
    form["number"] = "1"
    form["title"] = "Sprachcafé"
    form["lead"] = str(lead.pk)
    form["partners"] = [str(partner.pk)]
    form["contact"] = str(contact.pk)
    form["status"] = "in_progress"
    form["start_on"] = "2026-01-01"
    form["end_on"] = "2026-12-31"
    form["estimated_cost"] = "1200"
    page = form.submit().follow()
    measure = goal.measures.get()
    assert measure.code == "3.1"
    assert (measure.lead, measure.contact) == (lead, contact)
    assert list(measure.partners.all()) == [partner]
    assert page.request.path == measure.get_absolute_url()


def test_measure_update_form_reports_duplicate_number(django_app, coordinator):
    goal = GoalFactory(version=_revision())
    MeasureFactory(goal=goal, number=1)
    measure = MeasureFactory(goal=goal, number=2, title="Alt")
    page = django_app.get(reverse("measures:measure_update", args=[measure.pk]), user=coordinator)
    form = main_form(page)
    form["number"] = "1"
    form["title"] = "Neu"
    page = form.submit()
    assert "Dieses Ziel hat bereits eine Maßnahme mit dieser Nummer." in page.text
    measure.refresh_from_db()
    assert (measure.number, measure.title) == (2, "Alt")


@pytest.mark.parametrize("name", ["goal_create", "goal_update", "measure_create", "measure_update"])
def test_forms_on_adopted_version_redirect_with_message(django_app, coordinator, name):
    measure = MeasureFactory()
    version = measure.goal.version
    arg = {
        "goal_create": version.pk,
        "goal_update": measure.goal.pk,
        "measure_create": measure.goal.pk,
        "measure_update": measure.pk,
    }[name]
    page = django_app.get(reverse(f"measures:{name}", args=[arg]), user=coordinator).follow()
    assert page.request.path == version.get_absolute_url()
    assert "beschlossen und kann nicht mehr geändert werden" in page.text


@pytest.mark.parametrize("name", ["goal_create", "goal_update", "measure_create", "measure_update"])
def test_forms_refuse_administration(django_app, administration_user, name):
    measure = MeasureFactory(goal=GoalFactory(version=_revision()))
    arg = measure.goal.version.pk if name == "goal_create" else measure.goal.pk
    if name == "measure_update":
        arg = measure.pk
    django_app.get(reverse(f"measures:{name}", args=[arg]), user=administration_user, status=403)


# Measure detail


def test_measure_detail_shows_fields_partners_and_timeline(django_app, committee_member):
    measure = MeasureFactory(
        title="Sprachcafé", target_group="Neuzugewanderte", funding_note="Integrationspauschale"
    )
    measure.partners.add(OrganisationFactory(name="Caritasverband"))
    author = UserFactory(first_name="Petra", last_name="Lang")
    StatusUpdateFactory(measure=measure, date=date(2025, 1, 10), note="Start", author=author)
    StatusUpdateFactory(
        measure=measure, date=date(2025, 6, 1), note="Läuft gut", status=Measure.Status.DONE
    )
    page = django_app.get(measure.get_absolute_url(), user=committee_member)
    assert "Neuzugewanderte" in page.text
    assert "Caritasverband" in page.text
    assert "Integrationspauschale" in page.text
    entries = page.html.select(".measure-timeline li")
    assert [e.select_one("p").text for e in entries] == ["Läuft gut", "Start"]
    assert entries[0].select_one(".measure-status").text == "Umgesetzt"
    assert "Petra Lang" in entries[1].text
    assert reverse("measures:statusupdate_create", args=[measure.pk]) not in page.text


def test_measure_detail_update_button_for_lead_department(django_app, administration_user):
    measure = MeasureFactory()
    ResponsibilityFactory(user=administration_user, organisation=measure.lead)
    other = MeasureFactory(goal=measure.goal)
    page = django_app.get(measure.get_absolute_url(), user=administration_user)
    assert reverse("measures:statusupdate_create", args=[measure.pk]) in page.text
    page = django_app.get(other.get_absolute_url(), user=administration_user)
    assert reverse("measures:statusupdate_create", args=[other.pk]) not in page.text


def test_measure_detail_refuses_user_without_role(django_app, user_without_role):
    measure = MeasureFactory()
    django_app.get(measure.get_absolute_url(), user=user_without_role, status=403)


def test_catalogue_bench_catalogue_of_1000_measures(
    django_app, coordinator, django_assert_max_num_queries
):
    from bench.measures import seed_catalogue

    version = seed_catalogue()
    assert seed_catalogue() == version  # seeding twice adds nothing
    assert Measure.objects.filter(goal__version=version).count() == 1000
    django_app.get(version.get_absolute_url(), user=coordinator)
    with django_assert_max_num_queries(12):
        page = django_app.get(version.get_absolute_url(), user=coordinator)
    assert len(page.html.select(".catalogue-measure")) == 1000
    assert "1000 Maßnahmen" in page.html.select_one(".catalogue-counts").text
