"""Data protection services: data export (Art. 15) and erasure (Art. 17)."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from actors.models import (
    Affiliation,
    CircleMembership,
    Consent,
    Person,
    PrivacyLogEntry,
    RetentionNotice,
)
from actors.selectors import consent_check
from actors.services import network, privacy

from .factories import (
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    language,
)
from .helpers import EMAIL, NAME
from .helpers import history_rows_mentioning as _history_rows_mentioning

pytestmark = pytest.mark.django_db

Action = PrivacyLogEntry.Action


@pytest.fixture
def jolanda(coordinator):
    """A volunteer with a history: created, changed, consented, withdrawn, in a circle."""
    person = network.person_create(
        by=coordinator,
        salutation=Person.Salutation.MS,
        title="Dr.",
        first_name="Jolanda",
        last_name=NAME,
        email=EMAIL,
        phone="05251 123456",
        notes="Spricht auch Tigrinya, Kontakt über Frau Özdemir",
        is_volunteer=True,
        languages=[language("ar")],
    )
    network.person_update(by=coordinator, person=person, email=EMAIL, phone="0176 99887766")
    network.consent_record(
        by=coordinator,
        person=person,
        purpose=Consent.Purpose.SURVEYS,
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.WRITTEN,
        given_on=date(2025, 3, 1),
        note=f"Formular von Jolanda {NAME} unterschrieben",
    )
    network.consent_record(
        by=coordinator,
        person=person,
        purpose=Consent.Purpose.INVITATIONS,
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.EMAIL,
        given_on=date(2025, 3, 2),
    )
    network.consent_withdraw(
        by=coordinator, person=person, purpose=Consent.Purpose.INVITATIONS, note="per Telefon"
    )
    network.affiliation_add(
        by=coordinator,
        person=person,
        organisation=OrganisationFactory(name="Flüchtlingshilfe Wiesenbrück"),
        function="Sprecherin der Initiative",
    )
    return person


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def test_person_data_export_collects_everything(coordinator, jolanda):
    circle = CircleFactory(name="Runder Tisch Integration")
    network.membership_add(by=coordinator, circle=circle, person=jolanda)
    export = privacy.person_data_export(by=coordinator, person=jolanda)

    assert export["Personen-Nr."] == jolanda.pk
    assert export["Person"]["Nachname"] == NAME
    assert export["Person"]["E-Mail"] == EMAIL
    assert export["Person"]["Anrede"] == "Frau"
    assert export["Gesprochene Sprachen"] == [language("ar").name]
    assert export["Zugehörigkeiten"][0]["Organisation"] == "Flüchtlingshilfe Wiesenbrück"
    assert export["Zugehörigkeiten"][0]["Funktion"] == "Sprecherin der Initiative"
    assert export["Mitgliedschaften"][0]["Netzwerkrunde"] == "Runder Tisch Integration"
    consents = export["Einwilligungen und Rechtsgrundlagen"]
    assert {consent["Zweck"] for consent in consents} == {"Bedarfsabfragen", "Einladungen"}
    withdrawn = next(consent for consent in consents if consent["Zweck"] == "Einladungen")
    assert withdrawn["Widerrufen am"] is not None
    assert withdrawn["Vermerk zum Widerruf"] == "per Telefon"

    history = export["Änderungsverlauf"]
    person_entries = [entry for entry in history if entry["Datensatz"].startswith("Person")]
    assert [entry["Art"] for entry in person_entries] == ["Angelegt", "Geändert"]
    assert person_entries[0]["Geänderte Felder"]["Nachname"] == NAME
    assert person_entries[1]["Geänderte Felder"] == {"Telefon": "0176 99887766"}
    assert all("Datum" in entry for entry in history)
    assert export["Datenschutzprotokoll"][0]["Aktion"] == "Einwilligung widerrufen"
    json.dumps(export)  # plain JSON: strings, numbers, lists, dicts


def test_person_data_export_is_logged(coordinator, jolanda):
    privacy.person_data_export(by=coordinator, person=jolanda)
    entry = PrivacyLogEntry.objects.get(action=Action.DATA_EXPORT)
    assert (entry.person_id_ref, entry.by, entry.detail) == (jolanda.pk, coordinator, "")


def test_person_data_export_includes_merged_duplicates(coordinator, jolanda):
    duplicate = PersonFactory(last_name=NAME, email="alt@mail.example", merged_into=jolanda)
    ConsentFactory(person=duplicate, purpose=Consent.Purpose.TASKS)
    export = privacy.person_data_export(by=coordinator, person=jolanda)
    assert export["Zusammengeführte Dubletten"][0]["E-Mail"] == "alt@mail.example"
    purposes = {consent["Zweck"] for consent in export["Einwilligungen und Rechtsgrundlagen"]}
    assert "Erinnerungen an Arbeitsaufträge" in purposes


def test_person_data_export_lists_retention_warnings(coordinator, jolanda):
    RetentionNotice.objects.create(
        person=jolanda, status=RetentionNotice.Status.FAILED, attempts=5, error="Timeout"
    )
    export = privacy.person_data_export(by=coordinator, person=jolanda)
    [notice] = export["Löschhinweise"]
    assert (notice["Status"], notice["Versuche"], notice["Fehler"]) == (
        "Fehlgeschlagen",
        5,
        "Timeout",
    )


def test_person_data_export_query_count_does_not_grow_with_history(
    coordinator, jolanda, django_assert_max_num_queries
):
    for number in range(15):
        network.person_update(by=coordinator, person=jolanda, phone=f"0176 {number}")
    with django_assert_max_num_queries(13):
        privacy.person_data_export(by=coordinator, person=jolanda)


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------


def test_person_erase_anonymises_the_person(coordinator, jolanda):
    person = privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    person.refresh_from_db()
    assert person.full_name == "Gelöschte Person"
    assert (person.title, person.first_name, person.email, person.phone, person.notes) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert person.salutation == Person.Salutation.NONE
    assert person.is_archived is True
    assert person.anonymised_at is not None
    assert not person.languages.exists()
    assert not person.consents.filter(withdrawn_at__isnull=True).exists()
    assert set(person.consents.values_list("note", "withdrawal_note")) == {("", "")}


def test_person_erase_scrubs_the_history_of_name_and_email(coordinator, jolanda):
    assert _history_rows_mentioning(NAME)  # the history holds the name before
    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    for text in (NAME, "Jolanda", EMAIL, "0176", "Tigrinya", "Özdemir", "per Telefon"):
        assert _history_rows_mentioning(text) == [], text
    # One entry per row remains and says what happened.
    person_history = list(Person.history.filter(id=jolanda.pk))
    assert len(person_history) == 1
    assert person_history[0].history_change_reason == "Anonymisiert (Art. 17 DSGVO)"
    assert person_history[0].history_user == coordinator
    consent_history = Consent.history.filter(person_id=jolanda.pk)
    assert consent_history.count() == jolanda.consents.count()
    assert {row.history_change_reason for row in consent_history} == {
        "Anonymisiert (Art. 17 DSGVO)"
    }


def test_person_erase_keeps_memberships_and_affiliations_for_the_figures(coordinator, jolanda):
    circle = CircleFactory(name="Runder Tisch Integration")
    CircleMembershipFactory.create_batch(44, circle=circle)
    network.membership_add(by=coordinator, circle=circle, person=jolanda)
    organisation = jolanda.affiliations.get().organisation
    assert circle.memberships.count() == 45

    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")

    assert circle.memberships.count() == 45
    assert CircleMembership.objects.filter(person=jolanda).count() == 1
    assert organisation.affiliations.count() == 1
    # The free-text function could point at someone; it is gone, here and in history.
    assert Affiliation.objects.get(person=jolanda).function == ""
    assert not Affiliation.history.filter(function__icontains="Sprecherin").exists()


def test_person_erase_logs_reason_without_name(coordinator, jolanda):
    privacy.person_erase(by=coordinator, person=jolanda, reason="Löschantrag per Brief vom 3. Mai")
    entry = PrivacyLogEntry.objects.get(action=Action.ERASURE)
    assert (entry.person_id_ref, entry.by) == (jolanda.pk, coordinator)
    assert entry.detail == "Löschantrag per Brief vom 3. Mai"
    for entry in PrivacyLogEntry.objects.all():
        assert NAME not in entry.detail
        assert "Jolanda" not in entry.detail
        assert NAME not in str(entry)


def test_person_erase_refuses_a_reason_naming_the_person(coordinator, jolanda):
    with pytest.raises(ValidationError) as error:
        privacy.person_erase(by=coordinator, person=jolanda, reason=f"Antrag von Frau {NAME}")
    assert "darf weder den Namen" in error.value.messages[0]
    jolanda.refresh_from_db()
    assert jolanda.anonymised_at is None
    assert not PrivacyLogEntry.objects.filter(action=Action.ERASURE).exists()


@pytest.mark.parametrize(
    "reason",
    ["Antrag von Frau Okonkwo-Berg", "Antrag per E-Mail von j.okonkwo@alt.example", "Jolanta"],
)
def test_person_erase_refuses_a_reason_naming_a_merged_duplicate(coordinator, jolanda, reason):
    """A duplicate may carry a former name or address; the log must not keep it either."""
    middle = PersonFactory(first_name="Jolanta", last_name="Okonkwo-Berg", merged_into=jolanda)
    # Also through a chain: merged into a duplicate that was merged into the person.
    PersonFactory(
        first_name="J.", last_name="Okonkwo", email="j.okonkwo@alt.example", merged_into=middle
    )
    with pytest.raises(ValidationError) as error:
        privacy.person_erase(by=coordinator, person=jolanda, reason=reason)
    assert "darf weder den Namen" in error.value.messages[0]
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()
    assert not PrivacyLogEntry.objects.filter(action=Action.ERASURE).exists()


def test_person_erase_deletes_retention_notices(coordinator, jolanda):
    """A mail server's error may quote the address."""
    duplicate = PersonFactory(merged_into=jolanda)
    for person in (jolanda, duplicate):
        RetentionNotice.objects.create(
            person=person,
            status=RetentionNotice.Status.FAILED,
            error=f"SMTPRecipientsRefused: {{'{person.email}': (550, 'No such user')}}",
        )
    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    assert not RetentionNotice.objects.exists()


def test_person_erase_reason_check_matches_whole_words_only(coordinator):
    person = PersonFactory(first_name="Ali", last_name="Er", email="ali@mail.example")
    privacy.person_erase(by=coordinator, person=person, reason="Aktualisierung: Erledigt")
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_person_erase_requires_a_reason(coordinator, jolanda):
    with pytest.raises(ValidationError):
        privacy.person_erase(by=coordinator, person=jolanda, reason="   ")


def test_person_erase_twice_changes_nothing(coordinator, jolanda):
    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    jolanda.refresh_from_db()
    before = (
        jolanda.anonymised_at,
        jolanda.updated_at,
        Person.history.count(),
        Consent.history.count(),
        PrivacyLogEntry.objects.count(),
    )
    privacy.person_erase(by=coordinator, person=jolanda, reason="nochmal")
    jolanda.refresh_from_db()
    after = (
        jolanda.anonymised_at,
        jolanda.updated_at,
        Person.history.count(),
        Consent.history.count(),
        PrivacyLogEntry.objects.count(),
    )
    assert after == before


def test_person_erase_anonymises_merged_duplicates(coordinator, jolanda):
    duplicate = PersonFactory(first_name="Jolanda", last_name=NAME, merged_into=jolanda)
    ConsentFactory(person=duplicate, note=f"Notiz zu {NAME}")
    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    duplicate.refresh_from_db()
    assert duplicate.full_name == "Gelöschte Person"
    assert duplicate.anonymised_at is not None
    assert not Person.objects.filter(last_name=NAME).exists()
    assert not Consent.objects.filter(note__icontains=NAME).exists()


def test_person_erase_refuses_a_merged_duplicate(coordinator, jolanda):
    duplicate = PersonFactory(merged_into=jolanda)
    with pytest.raises(ValidationError):
        privacy.person_erase(by=coordinator, person=duplicate, reason="Antrag")


def test_erased_person_cannot_be_changed_or_emailed(coordinator, jolanda):
    privacy.person_erase(by=coordinator, person=jolanda, reason="Antrag vom 3. Mai")
    jolanda.refresh_from_db()
    with pytest.raises(ValidationError):
        network.person_update(by=coordinator, person=jolanda, last_name=NAME)
    assert consent_check(person=jolanda, purpose=Consent.Purpose.SURVEYS).allowed is False
