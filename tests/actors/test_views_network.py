"""Screens of the network: lists, detail pages, forms, circles, per role."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import CircleMembership, Consent, Organisation, Person
from actors.services import network
from integration.core.models import FieldOfAction

from ..core.factories import FieldOfActionFactory
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


def _rows(page) -> list[str]:
    return [" ".join(row.text.split()) for row in page.html.select("table tbody tr")]


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


def test_person_detail_links_privacy_pages_only_for_writers(
    django_app, coordinator, administration_user
):
    person = PersonFactory()
    page = django_app.get(person.get_absolute_url(), user=coordinator)
    ready = page.context["privacy_urls_ready"]
    assert bool(page.html.select(f'a[href="{reverse("actors:person_update", args=[person.pk])}"]'))
    if ready:
        assert page.html.select(f'a[href="{reverse("actors:consent_create", args=[person.pk])}"]')
    page = django_app.get(person.get_absolute_url(), user=administration_user)
    assert not page.html.select(f'a[href^="{person.get_absolute_url()}"][class*="btn"]')


def test_person_detail_helper_tolerates_missing_routes():
    from actors.views.network import routes_exist

    assert routes_exist("actors:person_detail", args=[1])
    assert not routes_exist("actors:person_detail", "actors:does_not_exist", args=[1])


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
    form = main_form(page)
    labels = [label for _value, _selected, label in form["person"].options]
    assert any(label.startswith("Kovalenko, Olena – Sprachcafé") for label in labels)
    form["person"] = str(person.pk)
    form["role"] = CircleMembership.Role.CHAIR
    page = form.submit().follow()
    assert "wurde in AG Sprache aufgenommen" in page.text
    assert circle.memberships.get().role == CircleMembership.Role.CHAIR

    form = main_form(django_app.get(url, user=coordinator))
    form["person"] = str(person.pk)
    page = form.submit()
    assert "ist bereits Mitglied in AG Sprache" in page.text
    assert circle.memberships.count() == 1


def test_membership_needs_exactly_one_member(django_app, coordinator):
    circle = CircleFactory()
    form = main_form(
        django_app.get(reverse("actors:membership_create", args=[circle.pk]), user=coordinator)
    )
    page = form.submit()
    assert "entweder eine Person oder eine Organisation" in page.text


def test_membership_end_keeps_row(django_app, coordinator):
    membership = CircleMembershipFactory(start_date=timezone.localdate())
    page = django_app.get(reverse("actors:membership_end", args=[membership.pk]), user=coordinator)
    page = main_form(page).submit().follow()
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()
    assert "Frühere Mitglieder (1)" in " ".join(page.text.split())


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


def test_administration_reads_but_every_write_is_forbidden(django_app, administration_user):
    organisation = OrganisationFactory(name="Nicht ändern")
    for url in (
        reverse("actors:index"),
        reverse("actors:organisation_list"),
        organisation.get_absolute_url(),
        reverse("actors:person_list"),
        reverse("actors:circle_list"),
    ):
        assert django_app.get(url, user=administration_user).status_code == 200
    for url in _write_urls():
        response = django_app.get(url, user=administration_user, expect_errors=True)
        assert response.status_code == 403, url
        response = django_app.post(
            url,
            {"name": "Gekapert", "is_archived": "on"},
            user=administration_user,
            expect_errors=True,
        )
        assert response.status_code == 403, url
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


def test_committee_member_has_no_access_to_the_network(django_app, committee_member):
    person = PersonFactory()
    for url in (
        reverse("actors:index"),
        reverse("actors:person_list"),
        person.get_absolute_url(),
        reverse("actors:circle_list"),
    ):
        response = django_app.get(url, user=committee_member, expect_errors=True)
        assert response.status_code == 403
    response = django_app.post(
        reverse("actors:person_archive", args=[person.pk]),
        user=committee_member,
        expect_errors=True,
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.is_archived is False


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
