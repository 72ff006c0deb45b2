"""Merging duplicate people: the service and the two-step screen."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actors import selectors
from actors.models import Consent, Person, PrivacyLogEntry
from actors.services import merge, network

from ..utils import main_form
from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    language,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(coordinator):
    keep = network.person_create(
        by=coordinator, first_name="Amina", last_name="Haddad", email="", phone=""
    )
    duplicate = network.person_create(
        by=coordinator,
        title="Dr.",
        first_name="Amina",
        last_name="Haddad",
        email="amina.haddad@example.org",
        phone="0170 555",
        languages=[language("ar")],
    )
    keep.languages.add(language("de"))
    return keep, duplicate


def test_person_merge_moves_everything(coordinator, pair):
    keep, duplicate = pair
    shared = CircleFactory(name="Runder Tisch")
    only_duplicate = CircleFactory(name="Lotsen-Pool")
    CircleMembershipFactory(circle=shared, person=keep)
    double = CircleMembershipFactory(circle=shared, person=duplicate)
    moved = CircleMembershipFactory(circle=only_duplicate, person=duplicate)
    affiliation = AffiliationFactory(person=duplicate, organisation__name="Caritas")
    ConsentFactory(person=keep, purpose=Consent.Purpose.SURVEYS)
    competing = ConsentFactory(person=duplicate, purpose=Consent.Purpose.SURVEYS)
    invitations = ConsentFactory(person=duplicate, purpose=Consent.Purpose.INVITATIONS)
    withdrawn = ConsentFactory(
        person=duplicate, purpose=Consent.Purpose.TASKS, withdrawn_at=timezone.now()
    )

    result = merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)

    assert result == keep
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert duplicate.is_archived is True
    # Empty contact fields are filled, nothing of keep is overwritten.
    assert (keep.email, keep.phone, keep.title) == ("amina.haddad@example.org", "0170 555", "Dr.")
    assert {lang.code for lang in keep.languages.all()} == {"ar", "de"}
    affiliation.refresh_from_db()
    assert affiliation.person == keep
    moved.refresh_from_db()
    assert moved.person == keep
    double.refresh_from_db()
    assert double.person == duplicate
    assert double.end_date == timezone.localdate()
    assert keep.circle_memberships.filter(circle=shared, end_date__isnull=True).count() == 1
    # One valid basis per purpose: keep's wins, the competing one stays on the duplicate.
    competing.refresh_from_db()
    assert competing.person == duplicate
    assert competing.withdrawn_at is None
    invitations.refresh_from_db()
    assert invitations.person == keep
    withdrawn.refresh_from_db()
    assert withdrawn.person == keep
    assert withdrawn.withdrawn_at is not None
    assert selectors.consent_check(person=keep, purpose=Consent.Purpose.INVITATIONS).allowed
    entry = PrivacyLogEntry.objects.get(action=PrivacyLogEntry.Action.MERGE)
    assert entry.person_id_ref == duplicate.pk
    assert entry.by == coordinator
    assert duplicate.history.first().history_user == coordinator


def test_person_merge_keeps_both_histories_readable(coordinator, pair):
    keep, duplicate = pair
    network.person_update(by=coordinator, person=duplicate, notes="Spricht auch Französisch")
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    subjects = {entry.subject for entry in selectors.person_history(person=keep)}
    assert "Person" in subjects
    assert f"Zusammengeführte Dublette: {duplicate}" in subjects
    changes = [
        change.new for entry in selectors.person_history(person=keep) for change in entry.changes
    ]
    assert "Spricht auch Französisch" in changes


@pytest.mark.parametrize("state", ["self", "anonymised", "merged"])
def test_person_merge_refuses_in_german(coordinator, pair, state):
    keep, duplicate = pair
    if state == "self":
        duplicate = keep
        message = "nicht mit sich selbst"
    elif state == "anonymised":
        Person.objects.filter(pk=duplicate.pk).update(anonymised_at=timezone.now())
        message = "wurde anonymisiert"
    else:
        Person.objects.filter(pk=duplicate.pk).update(merged_into=PersonFactory())
        message = "bereits mit einem anderen Eintrag zusammengeführt"
    with pytest.raises(ValidationError, match=message):
        merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    assert not PrivacyLogEntry.objects.exists()


def test_person_merge_repoints_earlier_duplicates(coordinator, pair):
    keep, duplicate = pair
    earlier = PersonFactory(merged_into=duplicate, is_archived=True)
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    earlier.refresh_from_db()
    assert earlier.merged_into == keep


def test_merge_screens_choose_confirm_and_merge(django_app, coordinator, pair):
    keep, duplicate = pair
    page = django_app.get(keep.get_absolute_url(), user=coordinator)
    page = page.click("Dublette zusammenführen")
    form = page.forms["merge-form"]
    form["duplicate"] = str(duplicate.pk)
    page = form.submit().follow()
    assert page.request.path == reverse("actors:person_merge_confirm", args=[keep.pk, duplicate.pk])
    cards = page.html.select(".card")
    assert "Dieser Eintrag bleibt" in cards[0].text
    assert "amina.haddad@example.org" in cards[1].text
    page = main_form(page).submit().follow()
    assert "wurde mit" in page.text
    assert page.request.path == keep.get_absolute_url()
    text = " ".join(page.text.split())
    assert "Zusammengeführte Dubletten" in text
    assert "Zusammengeführte Dublette: Dr. Amina Haddad" in text
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep

    # The duplicate's old address leads to the person kept.
    page = django_app.get(duplicate.get_absolute_url(), user=coordinator).follow()
    assert page.request.path == keep.get_absolute_url()


def test_merge_screen_shows_service_refusal(django_app, coordinator, pair):
    keep, _duplicate = pair
    url = reverse("actors:person_merge_confirm", args=[keep.pk, keep.pk])
    page = main_form(django_app.get(url, user=coordinator)).submit().follow()
    assert "nicht mit sich selbst" in page.text
    keep.refresh_from_db()
    assert keep.merged_into is None
    assert not keep.is_archived


def test_merge_choice_excludes_the_person_and_merged_ones(django_app, coordinator, pair):
    keep, duplicate = pair
    gone = PersonFactory(merged_into=duplicate)
    page = django_app.get(reverse("actors:person_merge", args=[keep.pk]), user=coordinator)
    values = {value for value, _selected, _label in page.forms["merge-form"]["duplicate"].options}
    assert str(duplicate.pk) in values
    assert str(keep.pk) not in values
    assert str(gone.pk) not in values


def test_future_membership_of_duplicate_is_ended_today_and_never_current(coordinator, pair):
    keep, duplicate = pair
    today = timezone.localdate()
    circle = CircleFactory()
    CircleMembershipFactory(circle=circle, person=keep)
    later = CircleMembershipFactory(
        circle=circle, person=duplicate, start_date=today + timedelta(days=5)
    )
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    later.refresh_from_db()
    assert later.person == duplicate
    # Never took effect: starts and ends today, so it is not current and the row
    # (with its history) stays.
    assert (later.start_date, later.end_date) == (today, today)
    assert not selectors.is_current(later)
    current = [m.person for m in selectors.circle_members(circle=circle) if selectors.is_current(m)]
    assert current == [keep]
    row = selectors.circle_list(user=coordinator).get()
    assert row.people_count == 1


def test_keep_membership_ending_later_counts_as_current(coordinator, pair):
    keep, duplicate = pair
    today = timezone.localdate()
    circle = CircleFactory()
    CircleMembershipFactory(circle=circle, person=keep, end_date=today + timedelta(days=30))
    double = CircleMembershipFactory(circle=circle, person=duplicate)
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    double.refresh_from_db()
    assert double.person == duplicate
    assert double.end_date == today
    assert keep.circle_memberships.count() == 1


def test_merged_duplicate_never_shows_as_member(coordinator):
    """Even a current row left on a merged duplicate (older data) is not listed."""
    circle = CircleFactory()
    keep = PersonFactory(last_name="Behalten")
    CircleMembershipFactory(circle=circle, person=keep)
    CircleMembershipFactory(circle=circle, person=PersonFactory(merged_into=keep))
    CircleMembershipFactory(circle=circle, person=None, organisation=OrganisationFactory())
    members = list(selectors.circle_members(circle=circle))
    assert [m.person for m in members if m.person_id] == [keep]
    assert len(members) == 2
    row = selectors.circle_list(user=coordinator).get()
    assert (row.people_count, row.organisations_count) == (1, 1)


def test_affiliations_to_the_same_organisation_are_not_doubled(coordinator, pair):
    keep, duplicate = pair
    today = timezone.localdate()
    caritas = OrganisationFactory(name="Caritas")
    awo = OrganisationFactory(name="AWO")
    kept = AffiliationFactory(person=keep, organisation=caritas, function="Leitung")
    double = AffiliationFactory(person=duplicate, organisation=caritas, function="Beratung")
    planned = AffiliationFactory(
        person=duplicate, organisation=caritas, start_date=today + timedelta(days=3)
    )
    former = AffiliationFactory(
        person=duplicate,
        organisation=caritas,
        start_date=today - timedelta(days=90),
        end_date=today - timedelta(days=30),
    )
    other = AffiliationFactory(person=duplicate, organisation=awo)

    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)

    for affiliation in (kept, double, planned, former, other):
        affiliation.refresh_from_db()
    current = keep.affiliations.filter(selectors.current_q())
    assert sorted(a.organisation.name for a in current) == ["AWO", "Caritas"]
    assert current.get(organisation=caritas) == kept
    assert (double.person, double.end_date) == (duplicate, today)
    assert (planned.person, planned.start_date, planned.end_date) == (duplicate, today, today)
    # Former affiliations move as history; they do not compete.
    assert former.person == keep
    assert other.person == keep


def test_merging_an_active_duplicate_unarchives_the_entry_kept(coordinator, pair):
    keep, duplicate = pair
    network.person_update(by=coordinator, person=keep, is_archived=True)
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.is_archived is False


def test_merging_an_archived_duplicate_leaves_the_entry_kept_archived(coordinator, pair):
    keep, duplicate = pair
    network.person_update(by=coordinator, person=keep, is_archived=True)
    network.person_update(by=coordinator, person=duplicate, is_archived=True)
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.is_archived is True


def test_merge_screen_says_the_entry_kept_is_active_again(django_app, coordinator, pair):
    keep, duplicate = pair
    network.person_update(by=coordinator, person=keep, is_archived=True)
    url = reverse("actors:person_merge_confirm", args=[keep.pk, duplicate.pk])
    page = main_form(django_app.get(url, user=coordinator)).submit().follow()
    assert "ist er wieder aktiv" in page.html.select_one(".messages").text
    keep.refresh_from_db()
    assert keep.is_archived is False


def test_person_page_query_count_does_not_grow_with_duplicates(
    django_app, coordinator, pair, django_assert_max_num_queries
):
    keep, duplicate = pair
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    url = keep.get_absolute_url()
    django_app.get(url, user=coordinator)  # logs in: session and user queries
    with django_assert_max_num_queries(30) as one:
        django_app.get(url, user=coordinator)
    for _ in range(7):
        merge.person_merge(by=coordinator, keep=keep, duplicate=PersonFactory())
    assert keep.merged_duplicates.count() == 8
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = django_app.get(url, user=coordinator)
    assert page.text.count("Zusammengeführte Dublette:") >= 8


def test_merge_search_narrows_the_choice(django_app, coordinator, pair):
    keep, duplicate = pair
    PersonFactory(first_name="Bernd", last_name="Krause", email="bernd@example.org")
    url = reverse("actors:person_merge", args=[keep.pk])
    page = django_app.get(url, user=coordinator)
    search = page.forms["person-search"]
    assert search.method.lower() == "get"
    search["q"] = "amina.haddad@"
    page = search.submit()
    form = page.forms["merge-form"]
    values = [value for value, _selected, _label in form["duplicate"].options if value]
    assert values == [str(duplicate.pk)]
    assert "Bitte Suche verfeinern" not in page.text
    # The choice is posted to the same address, search included, and accepted.
    form["duplicate"] = str(duplicate.pk)
    page = form.submit().follow()
    assert page.request.path == reverse("actors:person_merge_confirm", args=[keep.pk, duplicate.pk])


def test_merge_choice_is_capped_and_asks_to_refine(django_app, coordinator, pair):
    keep, _duplicate = pair
    PersonFactory.create_batch(selectors.PERSON_CHOICE_LIMIT + 5, last_name="Müller")
    page = django_app.get(reverse("actors:person_merge", args=[keep.pk]), user=coordinator)
    options = [o for o in page.forms["merge-form"]["duplicate"].options if o[0]]
    assert len(options) == selectors.PERSON_CHOICE_LIMIT
    status = page.html.select_one("#person-search-status")
    assert status["role"] == "status"
    assert "Bitte Suche verfeinern" in status.text
    select = page.html.select_one("select#id_duplicate")
    assert "person-search-status" in select["aria-describedby"]
    assert page.html.select_one('label[for="id_q"]')
