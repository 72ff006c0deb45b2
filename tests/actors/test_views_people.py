"""Screens of the network: people, their affiliations and circles."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from actors.models import Consent, Organisation, Person
from actors.services import network

from ..core.factories import FieldOfActionFactory, UserFactory
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
from .helpers import rows as _rows

pytestmark = pytest.mark.django_db


# People


def test_person_list_search_and_filters(django_app, coordinator):
    today = timezone.localdate()
    welfare = OrganisationFactory(name="Diakonie Hollerland", kind=Organisation.Kind.WELFARE)
    housing = FieldOfActionFactory(name="Wohnen")
    welfare.fields_of_action.add(housing)
    anna = PersonFactory(first_name="Anna", last_name="Yılmaz", is_volunteer=True)
    anna.languages.add(language("tr"))
    AffiliationFactory(person=anna, organisation=welfare)
    bernd = PersonFactory(first_name="Bernd", last_name="Krause", is_volunteer=False)
    AffiliationFactory(
        person=bernd,
        organisation=welfare,
        start_date=today - timedelta(days=90),
        end_date=today - timedelta(days=1),
    )
    ConsentFactory(person=bernd, purpose=Consent.Purpose.INVITATIONS)
    ConsentFactory(person=anna, purpose=Consent.Purpose.INVITATIONS, withdrawn_at=timezone.now())
    circle = CircleFactory()
    CircleMembershipFactory(circle=circle, person=bernd)
    PersonFactory(last_name="Archiviert", is_archived=True)
    url = reverse("actors:person_list")

    def names(params):
        page = django_app.get(url, params, user=coordinator)
        return [row.split(",")[0] for row in _rows(page)]

    assert names({}) == ["Krause", "Yılmaz"]
    assert names({"q": "anna yıl"}) == ["Yılmaz"]
    assert names({"q": "diakonie"}) == ["Krause", "Yılmaz"]
    assert names({"q": bernd.email}) == ["Krause"]
    assert names({"is_volunteer": "yes"}) == ["Yılmaz"]
    assert names({"is_volunteer": "no"}) == ["Krause"]
    assert names({"language": language("tr").pk}) == ["Yılmaz"]
    assert names({"circle": circle.pk}) == ["Krause"]
    # Only current affiliations count for the organisation's kind and field of action.
    assert names({"organisation_kind": "welfare"}) == ["Yılmaz"]
    assert names({"field_of_action": housing.pk}) == ["Yılmaz"]
    assert names({"consent": Consent.Purpose.INVITATIONS}) == ["Krause"]
    assert names({"archived": "only"}) == ["Archiviert"]
    assert names({"sort": "-name"}) == ["Yılmaz", "Krause"]


def test_person_list_query_count_is_constant(
    django_app, coordinator, django_assert_max_num_queries
):
    circle = CircleFactory()
    organisation = OrganisationFactory()
    url = reverse("actors:person_list")

    def create(count):
        for person in PersonFactory.create_batch(count):
            person.languages.add(language("de"), language("ar"))
            AffiliationFactory(person=person, organisation=organisation)
            ConsentFactory(person=person)
            CircleMembershipFactory(circle=circle, person=person)

    create(5)
    django_app.get(url, user=coordinator)  # logs in: session and user queries
    with django_assert_max_num_queries(14) as few:
        django_app.get(url, {"q": "wiesenbrueck", "circle": circle.pk}, user=coordinator)
    create(55)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = django_app.get(url, {"q": "wiesenbrueck", "circle": circle.pk}, user=coordinator)
    assert len(_rows(page)) == 50


def test_person_detail_shows_everything(django_app, coordinator):
    today = timezone.localdate()
    person = network.person_create(
        by=coordinator,
        salutation=Person.Salutation.MS,
        title="Dr.",
        first_name="Leyla",
        last_name="Demir",
        email="leyla.demir@example.org",
        is_volunteer=True,
        languages=[language("tr"), language("de")],
    )
    network.person_update(by=coordinator, person=person, phone="0170 123456")
    current = OrganisationFactory(name="Integrationslotsen Wiesenbrück")
    former = OrganisationFactory(name="Sprachcafé im Bürgerhaus")
    network.affiliation_add(by=coordinator, person=person, organisation=current, function="Lotsin")
    network.affiliation_add(
        by=coordinator,
        person=person,
        organisation=former,
        start_date=today - timedelta(days=300),
        end_date=today - timedelta(days=30),
    )
    network.membership_add(by=coordinator, circle=CircleFactory(name="Lotsen-Pool"), person=person)
    ConsentFactory(person=person, purpose=Consent.Purpose.SURVEYS)
    ConsentFactory(person=person, purpose=Consent.Purpose.INVITATIONS, withdrawn_at=timezone.now())

    page = django_app.get(person.get_absolute_url(), user=coordinator)
    text = " ".join(page.text.split())
    assert "Sehr geehrte Frau Dr. Demir" in text
    assert "Türkisch" in text
    assert "Integrationslotsen Wiesenbrück" in text
    assert "Frühere Zugehörigkeiten (1)" in text
    assert "Lotsen-Pool" in text
    # The consent table says why a purpose is not allowed.
    assert "Die Einwilligung für „Einladungen“ wurde am" in text
    assert "Für „Informationsmails“ ist keine Rechtsgrundlage erfasst." in text
    history = " ".join(page.html.select_one(".history-table").text.split())
    assert "0170 123456" in history
    assert "Zugehörigkeit: Integrationslotsen Wiesenbrück" in history
    assert "Mitgliedschaft: Lotsen-Pool" in history
    assert "Dublette zusammenführen" in text


def _user_with(*codenames):
    user = UserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="actors", codename__in=codenames)
    )
    return user


def test_person_detail_links_privacy_pages_by_permission(
    django_app, coordinator, administration_user
):
    person = PersonFactory()

    def links(user):
        page = django_app.get(person.get_absolute_url(), user=user)
        return {
            name
            for name in (
                "person_update",
                "person_archive",
                "person_merge",
                "person_privacy",
                "consent_create",
            )
            if page.html.select(f'a[href="{reverse(f"actors:{name}", args=[person.pk])}"]')
        }

    assert links(coordinator) == {
        "person_update",
        "person_archive",
        "person_merge",
        "person_privacy",
        "consent_create",
    }
    # The privacy page (with the privacy log) needs the log's view right too;
    # recording a consent needs the add right.
    assert links(_user_with("view_person")) == set()
    assert links(_user_with("view_person", "view_consent")) == set()
    assert links(_user_with("view_person", "view_consent", "view_privacylogentry")) == {
        "person_privacy"
    }
    assert links(_user_with("view_person", "view_consent", "add_consent")) == {"consent_create"}
    assert not links(administration_user) & {
        "person_update",
        "person_archive",
        "person_merge",
        "person_privacy",
        "consent_create",
    }


def test_person_create_with_languages(django_app, coordinator):
    form = main_form(django_app.get(reverse("actors:person_create"), user=coordinator))
    form["salutation"] = Person.Salutation.MR
    form["first_name"] = "Yusuf"
    form["last_name"] = "Rahimi"
    form["email"] = "yusuf.rahimi@example.org"
    form["languages"] = [str(language("fa").pk), str(language("de").pk)]
    page = form.submit().follow()
    person = Person.objects.get(last_name="Rahimi")
    assert {lang.code for lang in person.languages.all()} == {"fa", "de"}
    assert "wurde dem Netzwerk hinzugefügt" in page.text


def test_person_create_without_last_name_shows_german_error(django_app, coordinator):
    form = main_form(django_app.get(reverse("actors:person_create"), user=coordinator))
    form["first_name"] = "Ohne"
    page = form.submit()
    assert page.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in page.text
    assert not Person.objects.filter(first_name="Ohne").exists()


def test_person_update_and_archive(django_app, coordinator):
    person = PersonFactory(last_name="Schulte")
    form = main_form(
        django_app.get(reverse("actors:person_update", args=[person.pk]), user=coordinator)
    )
    form["phone"] = "05551 999"
    form.submit().follow()
    person.refresh_from_db()
    assert person.phone == "05551 999"

    page = django_app.get(reverse("actors:person_archive", args=[person.pk]), user=coordinator)
    main_form(page).submit().follow()
    person.refresh_from_db()
    assert person.is_archived is True
    assert Person.objects.filter(pk=person.pk).exists()


def test_affiliation_add_and_end_from_person_page(django_app, coordinator):
    person = PersonFactory()
    organisation = OrganisationFactory(name="Jugendmigrationsdienst")
    page = django_app.get(person.get_absolute_url(), user=coordinator)
    form = page.forms["affiliation-form"]
    form["organisation"] = str(organisation.pk)
    form["function"] = "Beratung"
    page = form.submit().follow()
    assert "gehört jetzt zu Jugendmigrationsdienst" in page.text
    affiliation = person.affiliations.get()
    assert affiliation.function == "Beratung"

    end_form = next(
        form
        for form in page.forms.values()
        if form.action == reverse("actors:affiliation_end", args=[affiliation.pk])
    )
    page = end_form.submit().follow()
    affiliation.refresh_from_db()
    assert affiliation.end_date == timezone.localdate()
    assert "Frühere Zugehörigkeiten (1)" in " ".join(page.text.split())


def test_affiliation_end_before_start_shows_german_error(django_app, coordinator):
    affiliation = AffiliationFactory(start_date=timezone.localdate())
    url = reverse("actors:affiliation_end", args=[affiliation.pk])
    form = main_form(django_app.get(url, user=coordinator))
    form["end_date"] = (timezone.localdate() - timedelta(days=5)).isoformat()
    page = form.submit()
    assert "Das Enddatum darf nicht vor dem Anfangsdatum liegen." in page.text
    affiliation.refresh_from_db()
    assert affiliation.end_date is None


def test_affiliation_ending_later_is_current_and_can_be_ended_earlier(django_app, coordinator):
    today = timezone.localdate()
    affiliation = AffiliationFactory(
        organisation__name="Migrationsberatung", end_date=today + timedelta(days=30)
    )
    person = affiliation.person
    page = django_app.get(person.get_absolute_url(), user=coordinator)
    current = page.html.select_one('table caption:-soup-contains("Aktuelle Zugehörigkeiten")')
    assert current is not None
    assert "Migrationsberatung" in current.find_parent("table").text
    assert "Frühere Zugehörigkeiten" not in page.text
    url = reverse("actors:affiliation_end", args=[affiliation.pk])
    page = main_form(django_app.get(url, user=coordinator)).submit().follow()
    affiliation.refresh_from_db()
    assert affiliation.end_date == today
    assert "Frühere Zugehörigkeiten (1)" in " ".join(page.text.split())


def test_ended_affiliation_cannot_be_ended_again(django_app, coordinator):
    affiliation = AffiliationFactory(end_date=timezone.localdate())
    url = reverse("actors:affiliation_end", args=[affiliation.pk])
    assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 404


def test_person_page_adds_person_to_a_circle(django_app, coordinator):
    from actors.models import CircleMembership

    from .factories import CircleFactory, PersonFactory

    person = PersonFactory(last_name="Haddad")
    circle = CircleFactory(name="Runder Tisch Integration")
    page = django_app.get(reverse("actors:person_detail", args=[person.pk]), user=coordinator)
    form = page.forms["membership-form"]
    form["circle"] = str(circle.pk)
    page = form.submit().follow()
    assert CircleMembership.objects.filter(circle=circle, person=person).count() == 1
    assert "Runder Tisch Integration" in page.text
    # A second time is refused with a German message, nothing doubled.
    page = django_app.get(reverse("actors:person_detail", args=[person.pk]), user=coordinator)
    form = page.forms["membership-form"]
    form["circle"] = str(circle.pk)
    page = form.submit()
    assert "ist bereits Mitglied" in page.text
    assert CircleMembership.objects.filter(circle=circle, person=person).count() == 1


def test_list_export_links_carry_the_current_filters(django_app, administration_user):
    from .factories import PersonFactory

    PersonFactory(last_name="Haddad")
    url = reverse("actors:person_list") + "?q=Haddad&page=1"
    page = django_app.get(url, user=administration_user)
    link = page.html.select_one('a[href*="format=xlsx"]')["href"]
    assert link.startswith(reverse("actors:person_export"))
    assert "q=Haddad" in link
    assert "page=" not in link
    download = django_app.get(link, user=administration_user)
    assert download.content_type.endswith("spreadsheetml.sheet")
