"""Choosing recipients: circles, filtered lists and single people, with the consent rule."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.models import CircleMembership, Consent, Organisation, Person
from actors.surveys import tokens
from actors.surveys.models import Invitation, Survey
from actors.surveys.services import builder

from ..factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
)
from .factories import InvitationFactory, SurveyFactory, consenting_person

pytestmark = pytest.mark.django_db


def _member(circle, person=None, **kwargs):
    person = person or consenting_person()
    CircleMembershipFactory(circle=circle, person=person, **kwargs)
    return person


def test_recipients_add_invites_the_current_members_of_a_circle(coordinator):
    survey = SurveyFactory()
    circle = CircleFactory(name="Runder Tisch")
    members = [_member(circle) for _ in range(3)]
    yesterday = timezone.localdate() - timedelta(days=1)
    _member(circle, start_date=yesterday - timedelta(days=30), end_date=yesterday)
    CircleMembershipFactory(circle=circle, person=None, organisation=OrganisationFactory())

    summary = builder.recipients_add(by=coordinator, survey=survey, circles=[circle])

    assert (summary.added, summary.already, summary.left_out) == (3, 0, [])
    assert set(survey.invitations.values_list("person_id", flat=True)) == {p.pk for p in members}


def test_recipients_add_leaves_out_people_without_a_basis_with_the_reason(coordinator):
    survey = SurveyFactory()
    circle = CircleFactory()
    allowed = _member(circle)
    never = _member(circle, PersonFactory(last_name="Ohnegrund"))
    ConsentFactory(person=never, purpose=Consent.Purpose.INVITATIONS)
    withdrawn = _member(circle, PersonFactory(last_name="Widerruf"))
    ConsentFactory(person=withdrawn, withdrawn_at=timezone.now())
    no_email = _member(circle, PersonFactory(last_name="Ohnemail", email=""))
    ConsentFactory(person=no_email)

    summary = builder.recipients_add(by=coordinator, survey=survey, circles=[circle])

    assert summary.added == 1
    assert list(survey.invitations.values_list("person_id", flat=True)) == [allowed.pk]
    reasons = {person.last_name: reason for person, reason in summary.left_out}
    assert reasons["Ohnegrund"] == "Für „Bedarfsabfragen“ ist keine Rechtsgrundlage erfasst."
    assert reasons["Widerruf"].startswith("Die Einwilligung für „Bedarfsabfragen“ wurde am")
    assert reasons["Ohnemail"] == "Es ist keine E-Mail-Adresse hinterlegt."
    # By surname.
    assert [person.last_name for person, _reason in summary.left_out] == sorted(reasons)


def test_recipients_add_twice_invites_nobody_twice(coordinator):
    survey = SurveyFactory()
    circle = CircleFactory()
    first = [_member(circle) for _ in range(2)]
    builder.recipients_add(by=coordinator, survey=survey, people=first[:1])

    summary = builder.recipients_add(by=coordinator, survey=survey, people=first, circles=[circle])
    assert (summary.added, summary.already) == (1, 1)
    summary = builder.recipients_add(by=coordinator, survey=survey, circles=[circle])
    assert (summary.added, summary.already) == (0, 2)
    assert survey.invitations.count() == 2


def test_recipients_add_counts_a_person_in_two_circles_once(coordinator):
    survey = SurveyFactory()
    person = consenting_person()
    circles = [CircleFactory(), CircleFactory()]
    for circle in circles:
        _member(circle, person)
    summary = builder.recipients_add(by=coordinator, survey=survey, circles=circles)
    assert summary.added == 1


def test_recipients_add_takes_a_queryset_of_people(coordinator):
    survey = SurveyFactory()
    volunteers = [consenting_person(is_volunteer=True) for _ in range(2)]
    consenting_person(is_volunteer=False)
    summary = builder.recipients_add(
        by=coordinator, survey=survey, people=Person.objects.filter(is_volunteer=True)
    )
    assert summary.added == 2
    assert set(survey.invitations.values_list("person_id", flat=True)) == {p.pk for p in volunteers}


def test_recipients_add_snapshots_circles_and_kind_of_organisation(coordinator):
    survey = SurveyFactory()
    round_table = CircleFactory(name="Runder Tisch")
    guides = CircleFactory(name="Integrationslotsen")
    former = CircleFactory(name="Ehemalige AG")
    person = _member(round_table)
    _member(guides, person)
    yesterday = timezone.localdate() - timedelta(days=1)
    _member(former, person, start_date=yesterday - timedelta(days=9), end_date=yesterday)
    AffiliationFactory(
        person=person, organisation=OrganisationFactory(name="Zentrum", kind="jobcenter")
    )
    AffiliationFactory(
        person=person,
        organisation=OrganisationFactory(name="Caritas", kind=Organisation.Kind.WELFARE),
    )
    AffiliationFactory(
        person=person,
        organisation=OrganisationFactory(name="Alte Schule", kind=Organisation.Kind.SCHOOL),
        end_date=yesterday,
    )
    without = consenting_person()

    builder.recipients_add(by=coordinator, survey=survey, people=[without], circles=[guides])

    invitation = survey.invitations.get(person=person)
    # All current circles, not only the one chosen; the first current organisation by name.
    assert set(invitation.circles.all()) == {round_table, guides}
    assert invitation.organisation_kind == Organisation.Kind.WELFARE
    other = survey.invitations.get(person=without)
    assert (list(other.circles.all()), other.organisation_kind) == ([], "")


def test_recipients_add_stores_only_the_hash_of_a_working_token(coordinator):
    survey = SurveyFactory()
    builder.recipients_add(by=coordinator, survey=survey, people=[consenting_person()])
    invitation = survey.invitations.get()
    token = tokens.invitation_token(invitation)
    assert tokens.token_looks_valid(token)
    assert invitation.token_hash == tokens.token_hash(token)
    assert token not in {invitation.nonce, invitation.token_hash, str(invitation.uuid)}
    assert len(invitation.nonce) == 32


def _queries_for(coordinator, count: int) -> int:
    survey = SurveyFactory()
    circles = [CircleFactory(), CircleFactory()]
    people = []
    for number in range(count):
        person = _member(circles[number % 2])
        AffiliationFactory(person=person)
        people.append(person)
    # Without a basis: left out, each with the reason.
    people += PersonFactory.create_batch(max(1, count // 5))
    with CaptureQueriesContext(connection) as queries:
        summary = builder.recipients_add(
            by=coordinator,
            survey=survey,
            circles=circles,
            people=Person.objects.filter(pk__in=[person.pk for person in people]),
        )
    assert summary.added == count
    return len(queries)


def test_recipients_add_needs_the_same_queries_for_5_and_50_people(coordinator):
    assert _queries_for(coordinator, 5) == _queries_for(coordinator, 50)


def test_recipients_add_invites_5000_people_quickly(coordinator):
    survey = SurveyFactory()
    circle = CircleFactory(name="Alle")
    organisation = OrganisationFactory()
    people = Person.objects.bulk_create(
        Person(last_name=f"Nachname {n:04}", email=f"p{n}@example.org") for n in range(5000)
    )
    Consent.objects.bulk_create(
        Consent(
            person=person,
            purpose=Consent.Purpose.SURVEYS,
            basis=Consent.Basis.CONSENT,
            method=Consent.Method.WRITTEN,
            given_on=timezone.localdate(),
        )
        for person in people[:4500]
    )
    CircleMembership.objects.bulk_create(
        CircleMembership(circle=circle, person=person) for person in people
    )
    AffiliationFactory._meta.model.objects.bulk_create(
        AffiliationFactory.build(person=person, organisation=organisation) for person in people
    )

    if connection.vendor == "postgresql":
        # Rows inserted in the test's own transaction have no planner statistics
        # (a plan for empty tables takes seconds); autovacuum analyses real tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE actors_person, actors_consent, actors_circlemembership")
    started = time.monotonic()
    summary = builder.recipients_add(by=coordinator, survey=survey, circles=[circle])
    elapsed = time.monotonic() - started

    assert (summary.added, len(summary.left_out)) == (4500, 500)
    assert Invitation.circles.through.objects.filter(circle=circle).count() == 4500
    # Measured about 1 s on SQLite and PostgreSQL; the bound catches work per person.
    assert elapsed < 10


@pytest.mark.parametrize("status", [Survey.Status.RUNNING, Survey.Status.CLOSED])
def test_recipients_cannot_change_after_the_launch(coordinator, status):
    survey = SurveyFactory(status=status)
    invitation = InvitationFactory(survey=survey)
    message = "Die Empfänger können nur vor dem Start geändert werden."
    with pytest.raises(ValidationError, match=message):
        builder.recipients_add(by=coordinator, survey=survey, people=[consenting_person()])
    with pytest.raises(ValidationError, match=message):
        builder.invitation_remove(by=coordinator, invitation=invitation)
    assert list(survey.invitations.all()) == [invitation]


def test_invitation_remove_takes_a_person_off_a_draft(coordinator):
    invitation = InvitationFactory()
    builder.invitation_remove(by=coordinator, invitation=invitation)
    assert not Invitation.objects.exists()


def test_recipients_add_skips_merged_duplicates_in_circles(coordinator):
    survey = SurveyFactory()
    circle = CircleFactory()
    kept = _member(circle)
    duplicate = _member(circle)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=kept)
    summary = builder.recipients_add(by=coordinator, survey=survey, circles=[circle])
    assert (summary.added, summary.left_out) == (1, [])


def test_recipients_add_leaves_out_archived_people_with_the_reason(coordinator):
    survey = SurveyFactory()
    archived = consenting_person(is_archived=True, last_name="Archiv")
    summary = builder.recipients_add(by=coordinator, survey=survey, people=[archived])
    assert summary.added == 0
    assert summary.left_out == [(archived, "Die Person ist archiviert.")]


# The recipient page


def _tick(form, name: str, *values) -> None:
    """Tick the checkboxes ``name`` with the given values."""
    wanted = {str(value) for value in values}
    for field in form.fields[name]:
        if field._value in wanted:
            field.checked = True


def _recipients_url(survey) -> str:
    return reverse("surveys:recipient_list", args=[survey.pk])


def _names(page) -> list[str]:
    return [
        " ".join(row.select_one("td").text.split())
        for row in page.html.select(".recipient-list tbody tr")
    ]


def test_recipient_page_adds_circles_and_lists_who_was_left_out(django_app, coordinator):
    survey = SurveyFactory()
    circle = CircleFactory(name="Runder Tisch Integration")
    _member(circle, consenting_person(last_name="Albers", first_name="Anna"))
    never = _member(circle, PersonFactory(last_name="Nie", first_name="Nora"))
    ConsentFactory(person=never, purpose=Consent.Purpose.INVITATIONS)
    _member(circle, PersonFactory(last_name="Ohnemail", first_name="Olga", email=""))
    CircleFactory(name="Leerer Kreis")

    page = django_app.get(_recipients_url(survey), user=coordinator)
    label = " ".join(page.html.select_one(f"label[for=circle-{circle.pk}]").text.split())
    assert label == (
        "Runder Tisch Integration 3 Personen, davon dürfen 1 befragt werden"
        " · 2 ohne Rechtsgrundlage für Bedarfsabfragen"
    )
    form = page.forms["add-circles"]
    _tick(form, "circles", circle.pk)
    page = form.submit().follow()

    assert page.request.path == _recipients_url(survey)
    assert "Empfänger hinzugefügt: 1. Bereits vorher ausgewählt: 0. Ausgelassen: 2." in page.text
    left_out = [" ".join(item.text.split()) for item in page.html.select(".left-out li")]
    assert left_out == [
        "Nora Nie: Für „Bedarfsabfragen“ ist keine Rechtsgrundlage erfasst.",
        "Olga Ohnemail: Es ist keine E-Mail-Adresse hinterlegt.",
    ]
    assert _names(page) == ["Albers, Anna"]
    row = " ".join(page.html.select_one(".recipient-list tbody tr").text.split())
    assert "Runder Tisch Integration" in row
    # The result is shown once.
    page = django_app.get(_recipients_url(survey), user=coordinator)
    assert not page.html.select(".recipients-result")
    assert "1 bereits ausgewählt" in page.html.select_one(f"label[for=circle-{circle.pk}]").text


def test_recipient_page_adds_people_found_by_the_search(django_app, coordinator):
    survey = SurveyFactory()
    wanted = consenting_person(last_name="Haddad", first_name="Amina")
    AffiliationFactory(person=wanted, organisation=OrganisationFactory(name="Caritas"))
    consenting_person(last_name="Haddad", first_name="Karim")
    consenting_person(last_name="Schulz")

    page = django_app.get(_recipients_url(survey), user=coordinator)
    form = page.forms["search-people"]
    form["q"] = "hadd"
    page = form.submit()
    labels = [" ".join(label.text.split()) for label in page.html.select("#add-people label")]
    assert labels == ["Haddad, Amina – Caritas", "Haddad, Karim"]
    form = page.forms["add-people"]
    _tick(form, "people", wanted.pk)
    page = form.submit().follow()
    assert _names(page) == ["Haddad, Amina"]

    page = django_app.get(_recipients_url(survey) + "?q=haddad", user=coordinator)
    assert "disabled" in page.html.select_one(f"#person-{wanted.pk}").attrs
    assert "bereits ausgewählt" in page.html.select_one(f"label[for=person-{wanted.pk}]").text


def test_recipient_page_adds_all_matches_of_the_filter(django_app, coordinator):
    survey = SurveyFactory()
    jobcenter = OrganisationFactory(name="Jobcenter", kind=Organisation.Kind.JOBCENTER)
    staff = [consenting_person(last_name=f"Amt{n}") for n in range(3)]
    for person in staff:
        AffiliationFactory(person=person, organisation=jobcenter)
    no_basis = PersonFactory(last_name="Amtlos")
    AffiliationFactory(person=no_basis, organisation=jobcenter)
    consenting_person(last_name="Anderswo")

    page = django_app.get(_recipients_url(survey), user=coordinator)
    assert "add-filtered" not in page.forms
    form = page.forms["list-filters"]
    form["f-organisation_kind"] = Organisation.Kind.JOBCENTER
    page = form.submit()
    assert "4 gefunden" in page.text
    button = page.forms["add-filtered"].submit().follow()

    assert "Empfänger hinzugefügt: 3." in button.text
    assert sorted(name.split(",")[0] for name in _names(button)) == ["Amt0", "Amt1", "Amt2"]
    assert "Amtlos: Für „Bedarfsabfragen“ ist keine Rechtsgrundlage erfasst." in " ".join(
        button.html.select_one(".left-out").text.split()
    )


def test_recipient_add_refuses_an_unfiltered_list(django_app_factory, coordinator):
    django_app = django_app_factory(csrf_checks=False)
    survey = SurveyFactory()
    consenting_person()
    response = django_app.post(
        reverse("surveys:recipient_add", args=[survey.pk]),
        {"source": "filter", "f-sort": "-name", "f-archived": "all"},
        user=coordinator,
    )
    page = response.follow()
    assert "Filtern Sie zuerst die Liste" in page.text
    assert not survey.invitations.exists()


def test_recipient_page_removes_a_recipient(django_app, coordinator):
    survey = SurveyFactory()
    invitation = InvitationFactory(survey=survey, person=PersonFactory(last_name="Weg"))
    InvitationFactory(survey=survey, person=PersonFactory(last_name="Bleibt"))
    page = django_app.get(_recipients_url(survey), user=coordinator)
    url = reverse("surveys:invitation_remove", args=[invitation.pk])
    form = next(form for form in page.forms.values() if form.action == url)
    page = form.submit().follow()
    assert "gehört nicht mehr zu den Empfängern" in page.text
    assert [name.split(",")[0] for name in _names(page)] == ["Bleibt"]


def test_recipient_page_of_a_sent_survey_only_lists(django_app, coordinator):
    survey = SurveyFactory(status=Survey.Status.RUNNING)
    InvitationFactory(survey=survey)
    page = django_app.get(_recipients_url(survey), user=coordinator)
    assert len(_names(page)) == 1
    assert not page.html.select("#add-circles, #add-people, #list-filters, .invitation-remove")
    assert "Angeschrieben (1)" in page.text


def test_recipient_page_needs_the_same_queries_for_few_and_many(django_app, coordinator):
    survey = SurveyFactory()
    circles = [CircleFactory(), CircleFactory()]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            django_app.get(_recipients_url(survey) + "?q=a&f-is_volunteer=yes", user=coordinator)
        return len(captured)

    person = _member(circles[0])
    AffiliationFactory(person=person)
    builder.recipients_add(by=coordinator, survey=survey, people=[person])
    queries()  # the first request also logs in
    few = queries()
    for number in range(30):
        person = _member(circles[number % 2])
        AffiliationFactory(person=person)
        _member(CircleFactory(), person)
    builder.recipients_add(by=coordinator, survey=survey, circles=circles)
    assert queries() == few
