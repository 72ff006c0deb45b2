"""Selectors of the network's screens: figures, circle list, history with diffs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actors import selectors
from actors.filters import OrganisationFilterSet, PersonFilterSet
from actors.models import Organisation, Person
from actors.services import network

from .factories import (
    CircleFactory,
    CircleMembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def test_network_figures_count_active_rows(coordinator, django_assert_num_queries):
    OrganisationFactory.create_batch(2)
    OrganisationFactory(is_archived=True)
    PersonFactory(is_volunteer=True)
    PersonFactory(is_volunteer=False)
    PersonFactory(is_archived=True)
    PersonFactory(merged_into=PersonFactory(is_volunteer=False))
    CircleFactory()
    coordinator.has_perm("actors.view_person")  # fill the permission cache
    with django_assert_num_queries(3):
        figures = selectors.network_figures(user=coordinator)
    assert figures == {"organisations": 2, "people": 3, "volunteers": 1, "circles": 1}


def test_network_figures_are_zero_without_permission(committee_member):
    OrganisationFactory()
    assert selectors.network_figures(user=committee_member)["organisations"] == 0


def test_circle_list_counts_only_current_members(coordinator):
    circle = CircleFactory()
    CircleMembershipFactory.create_batch(2, circle=circle)
    CircleMembershipFactory(circle=circle, end_date=timezone.localdate())
    CircleMembershipFactory(circle=circle, person=None, organisation=OrganisationFactory())
    row = selectors.circle_list(user=coordinator).get()
    assert (row.people_count, row.organisations_count) == (2, 1)


def test_organisation_history_shows_field_diffs_with_labels(coordinator):
    organisation = network.organisation_create(
        by=coordinator, name="Jobcenter Hollerland", kind=Organisation.Kind.OTHER
    )
    network.organisation_update(
        by=coordinator, organisation=organisation, kind=Organisation.Kind.JOBCENTER
    )
    network.organisation_update(by=coordinator, organisation=organisation, is_archived=True)
    entries = selectors.organisation_history(organisation=organisation)
    assert [entry.action for entry in entries] == ["geändert", "geändert", "angelegt"]
    archived, kind, _created = entries
    assert [(c.field, c.old, c.new) for c in kind.changes] == [("Art", "Sonstige", "Jobcenter")]
    assert [(c.old, c.new) for c in archived.changes] == [("nein", "ja")]
    assert all(entry.user == str(coordinator) for entry in entries)


def test_person_history_covers_affiliations_and_memberships(coordinator):
    person = PersonFactory()
    organisation = OrganisationFactory(name="AWO")
    affiliation = network.affiliation_add(by=coordinator, person=person, organisation=organisation)
    network.affiliation_end(by=coordinator, affiliation=affiliation, end_date=timezone.localdate())
    network.membership_add(by=coordinator, circle=CircleFactory(name="AG Wohnen"), person=person)
    subjects = [entry.subject for entry in selectors.person_history(person=person)]
    assert subjects.count("Zugehörigkeit: AWO") == 2
    assert "Mitgliedschaft: AG Wohnen" in subjects


def test_filtersets_work_without_a_view_and_hide_archived():
    OrganisationFactory(name="Aktiv")
    OrganisationFactory(name="Archiv", is_archived=True)
    names = [o.name for o in OrganisationFilterSet(queryset=Organisation.objects.all()).qs]
    assert names == ["Aktiv"]
    data = {"archived": "all", "sort": "-name"}
    names = [o.name for o in OrganisationFilterSet(data, queryset=Organisation.objects.all()).qs]
    assert names == ["Archiv", "Aktiv"]


def test_person_filterset_organisation_kind_ignores_former_affiliations():
    from .factories import AffiliationFactory

    today = timezone.localdate()
    current = PersonFactory(last_name="Heute")
    former = PersonFactory(last_name="Damals")
    school = OrganisationFactory(kind=Organisation.Kind.SCHOOL)
    AffiliationFactory(person=current, organisation=school)
    AffiliationFactory(
        person=former,
        organisation=school,
        start_date=today - timedelta(days=30),
        end_date=today - timedelta(days=1),
    )
    qs = PersonFilterSet({"organisation_kind": "school"}, queryset=Person.objects.all()).qs
    assert list(qs) == [current]
