"""Selectors of the network's screens: figures, circle list, history with diffs."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors import selectors
from actors.filters import OrganisationFilterSet, PersonFilterSet
from actors.models import Circle, CircleMembership, Organisation, Person
from actors.services import network

from .factories import (
    AffiliationFactory,
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


# One meaning of "current": no end date, or an end date after today.


def test_current_q_and_is_current_agree_on_the_end_date():
    today = timezone.localdate()
    circle = CircleFactory()
    open_ended = CircleMembershipFactory(circle=circle)
    ends_later = CircleMembershipFactory(circle=circle, end_date=today + timedelta(days=1))
    ends_today = CircleMembershipFactory(circle=circle, end_date=today)
    ended = CircleMembershipFactory(
        circle=circle, start_date=today - timedelta(days=9), end_date=today - timedelta(days=1)
    )
    current = set(CircleMembership.objects.filter(selectors.current_q()))
    assert current == {open_ended, ends_later}
    assert [selectors.is_current(m) for m in (open_ended, ends_later, ends_today, ended)] == [
        True,
        True,
        False,
        False,
    ]
    # The same through a relation.
    assert list(Circle.objects.filter(selectors.current_q("memberships__")).distinct()) == [circle]


def test_membership_add_refuses_while_one_ends_later(coordinator):
    circle = CircleFactory(name="AG Wohnen")
    person = PersonFactory()
    CircleMembershipFactory(
        circle=circle, person=person, end_date=timezone.localdate() + timedelta(days=10)
    )
    with pytest.raises(ValidationError, match="ist bereits Mitglied in AG Wohnen"):
        network.membership_add(by=coordinator, circle=circle, person=person)
    assert circle.memberships.count() == 1


def test_membership_add_allows_a_new_one_after_the_end(coordinator):
    circle = CircleFactory()
    person = PersonFactory()
    CircleMembershipFactory(circle=circle, person=person, end_date=timezone.localdate())
    network.membership_add(by=coordinator, circle=circle, person=person)
    assert circle.memberships.count() == 2


def test_list_prefetches_count_an_end_date_in_the_future_as_current(coordinator):
    today = timezone.localdate()
    person = PersonFactory()
    organisation = OrganisationFactory(name="Caritas")
    AffiliationFactory(person=person, organisation=organisation, end_date=today + timedelta(days=5))
    AffiliationFactory(person=person, end_date=today)
    circle = CircleFactory()
    CircleMembershipFactory(
        circle=circle, person=None, organisation=organisation, end_date=today + timedelta(days=5)
    )
    CircleMembershipFactory(circle=circle, person=person, end_date=today + timedelta(days=5))

    row = selectors.person_list(user=coordinator).get(pk=person.pk)
    assert [a.organisation for a in row.current_affiliations] == [organisation]
    row = selectors.person_choices(user=coordinator).get(pk=person.pk)
    assert [a.organisation for a in row.current_affiliations] == [organisation]
    row = selectors.organisation_list(user=coordinator).get(pk=organisation.pk)
    assert [m.circle for m in row.current_circle_memberships] == [circle]
    member = next(m for m in selectors.circle_members(circle=circle) if m.person_id)
    assert [a.organisation for a in member.person.current_affiliations] == [organisation]


def test_person_search_matches_every_word_in_name_or_email(coordinator):
    amina = PersonFactory(first_name="Amina", last_name="Haddad", email="a.h@example.org")
    PersonFactory(first_name="Amina", last_name="Yılmaz", email="amina@example.org")
    PersonFactory(first_name="Bernd", last_name="Haddad", email="bernd@example.org")
    people = selectors.person_choices(user=coordinator)
    assert list(selectors.person_search(people=people, q="amina haddad")) == [amina]
    assert list(selectors.person_search(people=people, q="A.H@EXAMPLE")) == [amina]
    assert selectors.person_search(people=people, q="").count() == 3
