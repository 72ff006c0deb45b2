"""Screens of the network: the overview, organisations, and what each role may do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import Organisation
from actors.services import network
from integration.core.models import FieldOfAction

from ..core.factories import FieldOfActionFactory
from ..utils import main_form
from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from .helpers import rows as _rows

pytestmark = pytest.mark.django_db


# Overview


def test_index_shows_counts_in_constant_queries(
    django_app, coordinator, django_assert_max_num_queries
):
    OrganisationFactory.create_batch(3)
    OrganisationFactory(is_archived=True)
    PersonFactory.create_batch(4, is_volunteer=True)
    PersonFactory(is_volunteer=False)
    CircleFactory.create_batch(2)
    django_app.get(reverse("actors:index"), user=coordinator)
    with django_assert_max_num_queries(12):
        page = django_app.get(reverse("actors:index"), user=coordinator)
    figures = [card.select_one(".display-6").text for card in page.html.select(".figure-card")]
    assert figures == ["3", "5", "4", "2"]
    assert "Netzwerkrunden" in page.text


# Organisations


def test_organisation_list_search_filter_and_default_hides_archived(django_app, coordinator):
    housing = FieldOfActionFactory(name="Wohnen")
    caritas = OrganisationFactory(
        name="Caritasverband Wiesenbrück", short_name="Caritas", kind=Organisation.Kind.WELFARE
    )
    caritas.fields_of_action.add(housing)
    OrganisationFactory(name="Sprachcafé im Bürgerhaus", email="cafe@buergerhaus.example")
    OrganisationFactory(name="Alte Kleiderkammer", is_archived=True)
    url = reverse("actors:organisation_list")

    page = django_app.get(url, user=coordinator)
    assert "Alte Kleiderkammer" not in page.text
    assert "Caritasverband" in page.text

    page = django_app.get(url, {"q": "buergerhaus"}, user=coordinator)
    assert [row.split(" ")[0] for row in _rows(page)] == ["Sprachcafé"]
    page = django_app.get(url, {"q": "caritas"}, user=coordinator)
    assert len(_rows(page)) == 1
    page = django_app.get(url, {"kind": "welfare"}, user=coordinator)
    assert "Caritasverband" in page.text
    assert "Sprachcafé" not in page.text
    page = django_app.get(url, {"field_of_action": housing.pk}, user=coordinator)
    assert len(_rows(page)) == 1
    assert "Wohnen" in page.text
    page = django_app.get(url, {"archived": "only"}, user=coordinator)
    assert [row.split(" ")[0] for row in _rows(page)] == ["Alte"]
    page = django_app.get(url, {"archived": "all"}, user=coordinator)
    assert len(_rows(page)) == 3


def test_organisation_list_circle_filter_and_sorting(django_app, coordinator):
    circle = CircleFactory(name="Koordinierungsstab")
    first = OrganisationFactory(name="Anker e. V.")
    second = OrganisationFactory(name="Zukunft e. V.")
    CircleMembershipFactory(circle=circle, person=None, organisation=second)
    CircleMembershipFactory(
        circle=circle,
        person=None,
        organisation=first,
        start_date=timezone.localdate() - timedelta(days=10),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    url = reverse("actors:organisation_list")
    page = django_app.get(url, {"circle": circle.pk}, user=coordinator)
    assert len(_rows(page)) == 1
    assert "Zukunft" in _rows(page)[0]
    assert "Koordinierungsstab" in _rows(page)[0]
    page = django_app.get(url, {"sort": "-name"}, user=coordinator)
    assert _rows(page)[0].startswith("Zukunft")
    page = django_app.get(url, user=coordinator)
    assert _rows(page)[0].startswith("Anker")


def test_organisation_list_paginates_by_fifty(django_app, coordinator):
    OrganisationFactory.create_batch(55)
    url = reverse("actors:organisation_list")
    page = django_app.get(url, user=coordinator)
    assert len(_rows(page)) == 50
    assert "Seite 1 von 2" in page.text
    page = page.click("Weiter", href="page=2")
    assert len(_rows(page)) == 5


def test_organisation_list_query_count_is_constant(
    django_app, coordinator, django_assert_max_num_queries
):
    circle = CircleFactory()
    field = FieldOfActionFactory()
    url = reverse("actors:organisation_list")

    def create(count):
        for organisation in OrganisationFactory.create_batch(count):
            organisation.fields_of_action.add(field)
            CircleMembershipFactory(circle=circle, person=None, organisation=organisation)

    create(5)
    django_app.get(url, user=coordinator)  # logs in: session and user queries
    with django_assert_max_num_queries(12) as few:
        django_app.get(url, user=coordinator)
    create(55)
    with django_assert_max_num_queries(len(few.captured_queries)):
        django_app.get(url, user=coordinator)


def test_organisation_detail_shows_people_circles_and_history(django_app, coordinator):
    organisation = network.organisation_create(
        by=coordinator, name="Diakonisches Werk", kind=Organisation.Kind.WELFARE
    )
    network.organisation_update(
        by=coordinator, organisation=organisation, phone="05551 1234", city="Wiesenbrück"
    )
    AffiliationFactory(organisation=organisation, person__last_name="Jetztig", function="Leitung")
    AffiliationFactory(
        organisation=organisation,
        person__last_name="Frühergewesen",
        start_date=timezone.localdate() - timedelta(days=100),
        end_date=timezone.localdate() - timedelta(days=3),
    )
    circle = CircleFactory(name="Runder Tisch Integration")
    network.membership_add(by=coordinator, circle=circle, organisation=organisation)

    page = django_app.get(organisation.get_absolute_url(), user=coordinator)
    assert "Jetztig" in page.text
    assert "Leitung" in page.text
    assert "Frühergewesen" in page.html.select_one("details").text
    assert "Runder Tisch Integration" in page.text
    history = page.html.select_one(".history-table").text
    assert str(coordinator) in history
    assert "Telefon" in history
    assert "05551 1234" in history
    assert "geändert" in history
    assert "angelegt" in history


def test_organisation_create_with_fields_of_action(django_app, coordinator):
    language_field = FieldOfActionFactory(name="Sprache & Bildung")
    form = main_form(django_app.get(reverse("actors:organisation_create"), user=coordinator))
    form["name"] = "Volkshochschule Hollerland"
    form["kind"] = Organisation.Kind.OTHER
    form["fields_of_action"] = [str(language_field.pk)]
    page = form.submit().follow()
    organisation = Organisation.objects.get(name="Volkshochschule Hollerland")
    assert list(organisation.fields_of_action.all()) == [language_field]
    assert "wurde angelegt" in page.text
    assert organisation.history.first().history_user == coordinator


def test_organisation_duplicate_name_shows_german_error(django_app, coordinator):
    OrganisationFactory(name="Caritasverband Wiesenbrück")
    form = main_form(django_app.get(reverse("actors:organisation_create"), user=coordinator))
    form["name"] = "caritasverband wiesenbrück"
    page = form.submit()
    assert page.status_code == 200
    assert "existiert bereits" in page.text
    assert Organisation.objects.filter(name__iexact="caritasverband wiesenbrück").count() == 1


def test_organisation_update_through_form(django_app, coordinator):
    organisation = OrganisationFactory(name="AWO Ortsverein")
    url = reverse("actors:organisation_update", args=[organisation.pk])
    form = main_form(django_app.get(url, user=coordinator))
    form["short_name"] = "AWO"
    form.submit().follow()
    organisation.refresh_from_db()
    assert organisation.short_name == "AWO"


def test_organisation_archive_keeps_row_and_unarchive(django_app, coordinator):
    organisation = OrganisationFactory(name="Kleiderkammer St. Marien")
    page = django_app.get(
        reverse("actors:organisation_archive", args=[organisation.pk]), user=coordinator
    )
    page = main_form(page).submit().follow()
    assert "wurde archiviert" in page.text
    organisation.refresh_from_db()
    assert organisation.is_archived is True
    list_page = django_app.get(reverse("actors:organisation_list"), user=coordinator)
    assert "Kleiderkammer" not in list_page.text

    page = django_app.get(
        reverse("actors:organisation_unarchive", args=[organisation.pk]), user=coordinator
    )
    main_form(page).submit().follow()
    organisation.refresh_from_db()
    assert organisation.is_archived is False


# Roles


def _write_urls():
    organisation = OrganisationFactory()
    person = PersonFactory()
    circle = CircleFactory()
    membership = CircleMembershipFactory(circle=circle)
    affiliation = AffiliationFactory(person=person)
    return [
        reverse("actors:organisation_create"),
        reverse("actors:organisation_update", args=[organisation.pk]),
        reverse("actors:organisation_archive", args=[organisation.pk]),
        reverse("actors:organisation_unarchive", args=[organisation.pk]),
        reverse("actors:person_create"),
        reverse("actors:person_update", args=[person.pk]),
        reverse("actors:person_archive", args=[person.pk]),
        reverse("actors:person_unarchive", args=[person.pk]),
        reverse("actors:person_merge", args=[person.pk]),
        reverse("actors:person_merge_confirm", args=[person.pk, PersonFactory().pk]),
        reverse("actors:affiliation_create", args=[person.pk]),
        reverse("actors:affiliation_end", args=[affiliation.pk]),
        reverse("actors:circle_create"),
        reverse("actors:circle_update", args=[circle.pk]),
        reverse("actors:membership_create", args=[circle.pk]),
        reverse("actors:membership_end", args=[membership.pk]),
    ]


def test_administration_reads_but_every_write_is_forbidden(
    django_app_factory, administration_user, coordinator
):
    # Without the CSRF check a 403 can only come from the permission check; the
    # coordinator posting the same data shows the request itself gets through.
    app = django_app_factory(csrf_checks=False)
    organisation = OrganisationFactory(name="Nicht ändern")
    for url in (
        reverse("actors:index"),
        reverse("actors:organisation_list"),
        organisation.get_absolute_url(),
        reverse("actors:person_list"),
        reverse("actors:circle_list"),
    ):
        assert app.get(url, user=administration_user).status_code == 200
    data = {"name": "Gekapert", "is_archived": "on"}
    for url in _write_urls():
        response = app.get(url, user=administration_user, expect_errors=True)
        assert response.status_code == 403, url
        assert "Zugriff verweigert" in response.text, url
        response = app.post(url, data, user=administration_user, expect_errors=True)
        assert response.status_code == 403, url
        assert "Zugriff verweigert" in response.text, url
        response = app.post(url, data, user=coordinator, expect_errors=True)
        assert response.status_code in (200, 302), url
    organisation.refresh_from_db()
    assert organisation.name == "Nicht ändern"
    assert organisation.is_archived is False


def test_administration_sees_no_write_buttons(django_app, administration_user):
    person = PersonFactory()
    circle = CircleFactory()
    page = django_app.get(person.get_absolute_url(), user=administration_user)
    assert "Bearbeiten" not in page.text
    assert "Dublette zusammenführen" not in page.text
    assert "affiliation-form" not in page.forms
    page = django_app.get(circle.get_absolute_url(), user=administration_user)
    assert "Mitglied hinzufügen" not in page.text


def test_committee_member_has_no_access_to_the_network(
    django_app_factory, committee_member, coordinator
):
    app = django_app_factory(csrf_checks=False)
    person = PersonFactory()
    for url in (
        reverse("actors:index"),
        reverse("actors:person_list"),
        person.get_absolute_url(),
        reverse("actors:circle_list"),
    ):
        response = app.get(url, user=committee_member, expect_errors=True)
        assert response.status_code == 403
        assert "Zugriff verweigert" in response.text
    url = reverse("actors:person_archive", args=[person.pk])
    response = app.post(url, user=committee_member, expect_errors=True)
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.text
    person.refresh_from_db()
    assert person.is_archived is False
    # Positive control: the same request by the coordination archives.
    assert app.post(url, user=coordinator).status_code == 302
    person.refresh_from_db()
    assert person.is_archived is True


def test_fields_of_action_offered_are_active_or_already_set(django_app, coordinator):
    active = FieldOfActionFactory(name="Gesundheit")
    retired = FieldOfActionFactory(name="Alt", is_active=False)
    organisation = OrganisationFactory()
    organisation.fields_of_action.add(retired)
    form = main_form(
        django_app.get(
            reverse("actors:organisation_update", args=[organisation.pk]), user=coordinator
        )
    )
    offered = {field._value for field in form.fields["fields_of_action"]}
    assert {str(active.pk), str(retired.pk)} <= offered
    other = FieldOfAction.objects.create(name="Nie aktiv", is_active=False)
    assert str(other.pk) not in offered
