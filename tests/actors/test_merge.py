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
    form = main_form(page)
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
    form = main_form(
        django_app.get(reverse("actors:person_merge", args=[keep.pk]), user=coordinator)
    )
    values = {value for value, _selected, _label in form["duplicate"].options}
    assert str(duplicate.pk) in values
    assert str(keep.pk) not in values
    assert str(gone.pk) not in values


def test_membership_of_duplicate_in_future_stays_valid(coordinator, pair):
    keep, duplicate = pair
    circle = CircleFactory()
    CircleMembershipFactory(circle=circle, person=keep)
    later = CircleMembershipFactory(
        circle=circle, person=duplicate, start_date=timezone.localdate() + timedelta(days=5)
    )
    merge.person_merge(by=coordinator, keep=keep, duplicate=duplicate)
    later.refresh_from_db()
    assert later.end_date == later.start_date
