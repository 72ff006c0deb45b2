"""Screens of the network: circles and their members."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import CircleMembership, Consent

from ..utils import main_form
from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
)
from .helpers import rows as _rows

pytestmark = pytest.mark.django_db


# Circles


def test_circle_list_counts_current_members(django_app, administration_user):
    circle = CircleFactory(name="Runder Tisch Integration")
    CircleMembershipFactory.create_batch(3, circle=circle)
    CircleMembershipFactory(circle=circle, person=None, organisation=OrganisationFactory())
    CircleMembershipFactory(circle=circle, end_date=timezone.localdate())
    page = django_app.get(reverse("actors:circle_list"), user=administration_user)
    assert _rows(page)[0].endswith("3 1")


def test_circle_detail_emails_and_reasons(django_app, coordinator, django_assert_max_num_queries):
    circle = CircleFactory(name="Runder Tisch Integration")
    allowed = [
        PersonFactory(last_name=name, email=f"{name.lower()}@example.org")
        for name in ("Albers", "Bauer")
    ]
    for person in allowed:
        ConsentFactory(person=person, purpose=Consent.Purpose.INVITATIONS)
        CircleMembershipFactory(circle=circle, person=person)
    no_email = PersonFactory(last_name="Ohnemail", email="")
    withdrawn = PersonFactory(last_name="Widerruf")
    ConsentFactory(
        person=withdrawn, purpose=Consent.Purpose.INVITATIONS, withdrawn_at=timezone.now()
    )
    never = PersonFactory(last_name="Nie")
    ConsentFactory(person=never, purpose=Consent.Purpose.SURVEYS)
    for person in (no_email, withdrawn, never):
        CircleMembershipFactory(circle=circle, person=person)
    gone = PersonFactory(last_name="Ehemalig")
    ConsentFactory(person=gone, purpose=Consent.Purpose.INVITATIONS)
    CircleMembershipFactory(
        circle=circle,
        person=gone,
        start_date=timezone.localdate() - timedelta(days=9),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    CircleMembershipFactory(
        circle=circle, person=None, organisation=OrganisationFactory(name="Caritas")
    )

    django_app.get(circle.get_absolute_url(), user=coordinator)
    with django_assert_max_num_queries(10):
        page = django_app.get(circle.get_absolute_url(), user=coordinator)
    textarea = page.html.select_one("textarea#circle-email-addresses")
    assert textarea.has_attr("readonly")
    assert textarea.text == "albers@example.org; bauer@example.org"
    left_out = " ".join(page.html.select_one(".left-out").text.split())
    assert "Ohnemail: Es ist keine E-Mail-Adresse hinterlegt." in left_out
    assert "Widerruf: Die Einwilligung für „Einladungen“ wurde am" in left_out
    assert "Nie: Für „Einladungen“ ist keine Rechtsgrundlage erfasst." in left_out
    assert "Ehemalig" not in left_out
    assert "Ehemalig" in page.html.select_one("details").text
    assert "Caritas" in page.text
    assert page.html.select_one('button[data-copy-target="circle-email-addresses"]')
    assert page.html.select_one('script[src$="js/copy.js"]')
    assert not page.html.select("script:not([src])")


def test_circle_create_and_update(django_app, coordinator):
    form = main_form(django_app.get(reverse("actors:circle_create"), user=coordinator))
    form["name"] = "AG Gesundheit"
    form["kind"] = "working_group"
    page = form.submit().follow()
    circle = page.context["object"]
    assert circle.name == "AG Gesundheit"
    form = main_form(
        django_app.get(reverse("actors:circle_update", args=[circle.pk]), user=coordinator)
    )
    form["is_archived"] = True
    form.submit().follow()
    circle.refresh_from_db()
    assert circle.is_archived is True


def test_membership_add_person_and_double_is_a_form_error(django_app, coordinator):
    circle = CircleFactory(name="AG Sprache")
    person = PersonFactory(first_name="Olena", last_name="Kovalenko")
    AffiliationFactory(person=person, organisation__name="Sprachcafé")
    url = reverse("actors:membership_create", args=[circle.pk])
    page = django_app.get(url, user=coordinator)
    form = page.forms["membership-form"]
    labels = [label for _value, _selected, label in form["person"].options]
    assert any(label.startswith("Kovalenko, Olena – Sprachcafé") for label in labels)
    form["person"] = str(person.pk)
    form["role"] = CircleMembership.Role.CHAIR
    page = form.submit().follow()
    assert "wurde in AG Sprache aufgenommen" in page.text
    assert circle.memberships.get().role == CircleMembership.Role.CHAIR

    form = django_app.get(url, user=coordinator).forms["membership-form"]
    form["person"] = str(person.pk)
    page = form.submit()
    assert "ist bereits Mitglied in AG Sprache" in page.text
    assert circle.memberships.count() == 1


def test_membership_needs_exactly_one_member(django_app, coordinator):
    circle = CircleFactory()
    page = django_app.get(reverse("actors:membership_create", args=[circle.pk]), user=coordinator)
    page = page.forms["membership-form"].submit()
    assert "entweder eine Person oder eine Organisation" in page.text


def test_membership_end_keeps_row(django_app, coordinator):
    membership = CircleMembershipFactory(start_date=timezone.localdate())
    page = django_app.get(reverse("actors:membership_end", args=[membership.pk]), user=coordinator)
    page = main_form(page).submit().follow()
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()
    assert "Frühere Mitglieder (1)" in " ".join(page.text.split())


def test_membership_ending_later_counts_and_can_be_ended_earlier(django_app, coordinator):
    today = timezone.localdate()
    circle = CircleFactory(name="AG Arbeit")
    membership = CircleMembershipFactory(
        circle=circle, person__last_name="Späterweg", end_date=today + timedelta(days=14)
    )
    page = django_app.get(circle.get_absolute_url(), user=coordinator)
    assert "Aktuelle Mitglieder (1)" in " ".join(page.text.split())
    assert _rows(django_app.get(reverse("actors:circle_list"), user=coordinator))[0].endswith("1 0")
    # Adding the same person again is refused while the membership lasts.
    url = reverse("actors:membership_create", args=[circle.pk])
    form = django_app.get(url, user=coordinator).forms["membership-form"]
    form["person"] = str(membership.person.pk)
    assert "ist bereits Mitglied in AG Arbeit" in form.submit().text
    page = django_app.get(reverse("actors:membership_end", args=[membership.pk]), user=coordinator)
    main_form(page).submit().follow()
    membership.refresh_from_db()
    assert membership.end_date == today


def test_ended_membership_cannot_be_ended_again(django_app, coordinator):
    membership = CircleMembershipFactory(end_date=timezone.localdate())
    url = reverse("actors:membership_end", args=[membership.pk])
    assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 404


def test_add_member_search_narrows_the_people_offered(django_app, coordinator):
    circle = CircleFactory(name="AG Gesundheit")
    olena = PersonFactory(first_name="Olena", last_name="Kovalenko", email="olena@example.org")
    PersonFactory(first_name="Bernd", last_name="Krause", email="bernd@example.org")
    PersonFactory(first_name="Olena", last_name="Archiviert", is_archived=True)
    organisation = OrganisationFactory(name="Caritas")
    page = django_app.get(reverse("actors:membership_create", args=[circle.pk]), user=coordinator)
    search = page.forms["person-search"]
    assert search.method.lower() == "get"
    assert page.html.select_one('label[for="id_q"]')
    search["q"] = "olena"
    page = search.submit()
    assert page.request.GET["q"] == "olena"
    form = page.forms["membership-form"]
    assert [value for value, _s, _l in form["person"].options if value] == [str(olena.pk)]
    assert "Passende Personen zur Auswahl: 1." in page.html.select_one("#person-search-status").text
    # Organisations stay a plain select of all active ones.
    assert str(organisation.pk) in [value for value, _s, _l in form["organisation"].options]
    form["person"] = str(olena.pk)
    page = form.submit().follow()
    assert circle.memberships.get().person == olena

    page = django_app.get(
        reverse("actors:membership_create", args=[circle.pk]), {"q": "niemand"}, user=coordinator
    )
    assert [v for v, _s, _l in page.forms["membership-form"]["person"].options if v] == []
    assert "Niemand passt zur Suche." in page.text


def test_add_member_offers_at_most_fifty_people(
    django_app, coordinator, django_assert_max_num_queries
):
    from actors.selectors import PERSON_CHOICE_LIMIT

    circle = CircleFactory()
    url = reverse("actors:membership_create", args=[circle.pk])
    PersonFactory.create_batch(PERSON_CHOICE_LIMIT, last_name="Schmidt")
    page = django_app.get(url, user=coordinator)
    assert "Bitte Suche verfeinern" not in page.text
    PersonFactory.create_batch(5, last_name="Schmidt")
    AffiliationFactory.create_batch(3)
    with django_assert_max_num_queries(15):
        page = django_app.get(url, {"q": "schmidt"}, user=coordinator)
    options = [v for v, _s, _l in page.forms["membership-form"]["person"].options if v]
    assert len(options) == PERSON_CHOICE_LIMIT
    status = page.html.select_one("#person-search-status")
    assert status["role"] == "status"
    assert "Bitte Suche verfeinern" in status.text
    assert page.html.select_one("select#id_person")["aria-describedby"] == "person-search-status"


def test_circle_page_shows_its_change_history(django_app, coordinator):
    from actors.services import network

    from .factories import PersonFactory

    circle = network.circle_create(by=coordinator, name="AG Wohnen", kind="working_group")
    network.circle_update(by=coordinator, circle=circle, description="Wohnungssuche")
    person = PersonFactory(first_name="Amina", last_name="Haddad")
    network.membership_add(by=coordinator, circle=circle, person=person)
    page = django_app.get(reverse("actors:circle_detail", args=[circle.pk]), user=coordinator)
    history = page.html.select_one(".history-table").text
    assert "Amina Haddad" in history
    assert "Wohnungssuche" in history
    assert coordinator.get_full_name() in history


def test_circle_page_history_queries_do_not_grow(
    django_app, coordinator, django_assert_max_num_queries
):
    from actors.services import network

    from .factories import PersonFactory

    circle = network.circle_create(by=coordinator, name="AG Wohnen", kind="working_group")
    url = reverse("actors:circle_detail", args=[circle.pk])
    network.membership_add(by=coordinator, circle=circle, person=PersonFactory())
    django_app.get(url, user=coordinator)
    for _ in range(10):
        network.membership_add(by=coordinator, circle=circle, person=PersonFactory())
    with django_assert_max_num_queries(14):
        django_app.get(url, user=coordinator)


def test_circle_page_shows_newest_history_and_all_on_request(django_app, coordinator):
    from actors.services import network

    from .factories import PersonFactory

    circle = network.circle_create(by=coordinator, name="AG Wohnen", kind="working_group")
    for _ in range(34):
        network.membership_add(by=coordinator, circle=circle, person=PersonFactory())
    url = reverse("actors:circle_detail", args=[circle.pk])
    page = django_app.get(url, user=coordinator)
    assert len(page.html.select(".history-table tbody tr")) == 30
    page = page.click("Alle 35 Einträge anzeigen")
    assert len(page.html.select(".history-table tbody tr")) == 35
