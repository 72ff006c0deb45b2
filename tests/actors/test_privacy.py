"""Data protection services: data export (Art. 15), erasure (Art. 17), retention job."""

import json
import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from actors.models import (
    Affiliation,
    CircleMembership,
    Consent,
    Person,
    PrivacyLogEntry,
)
from actors.selectors import consent_check
from actors.services import network, privacy, retention
from actors.tasks import retention_run_task

from .factories import (
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    language,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

Action = PrivacyLogEntry.Action
NAME, EMAIL = "Zwetschgenbaum", "jolanda.zwetschgenbaum@mail.example"


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


def test_person_data_export_query_count_does_not_grow_with_history(
    coordinator, jolanda, django_assert_max_num_queries
):
    for number in range(15):
        network.person_update(by=coordinator, person=jolanda, phone=f"0176 {number}")
    with django_assert_max_num_queries(12):
        privacy.person_data_export(by=coordinator, person=jolanda)


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------


def _history_rows_mentioning(text: str) -> list:
    text_filter = (
        Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(email__icontains=text)
        | Q(phone__icontains=text)
        | Q(notes__icontains=text)
    )
    rows = list(Person.history.filter(text_filter))
    rows += list(
        Consent.history.filter(Q(note__icontains=text) | Q(withdrawal_note__icontains=text))
    )
    return rows


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


# --------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------

START = datetime(2026, 1, 5, 9, 0, tzinfo=BERLIN)
INACTIVE = timedelta(days=settings.RETENTION_INACTIVE_DAYS)
GRACE = timedelta(days=settings.RETENTION_GRACE_DAYS)


@pytest.fixture
def traveller():
    """Time stands still at START; ``traveller.move_to(...)`` jumps."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _inactive_person(**kwargs) -> Person:
    """A person whose last activity was before the retention period, without a basis."""
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        return PersonFactory(last_activity_at=timezone.now(), **kwargs)


def _log(person, action) -> list[PrivacyLogEntry]:
    return list(PrivacyLogEntry.objects.filter(person_id_ref=person.pk, action=action))


def test_retention_run_leaves_active_people_and_people_with_a_basis(traveller, mailoutbox):
    recent = PersonFactory(last_activity_at=START - INACTIVE + timedelta(days=1))
    with_basis = _inactive_person()
    ConsentFactory(person=with_basis)
    Person.objects.filter(pk=with_basis.pk).update(last_activity_at=START - INACTIVE * 2)
    professional = _inactive_person()
    ConsentFactory(person=professional, basis=Consent.Basis.PROFESSIONAL)
    Person.objects.filter(pk=professional.pk).update(last_activity_at=START - INACTIVE * 2)

    summary = retention.retention_run()

    assert summary == retention.RetentionSummary()
    assert mailoutbox == []
    assert not PrivacyLogEntry.objects.exists()
    assert not Person.objects.filter(pk__in=[recent.pk, with_basis.pk, professional.pk]).filter(
        anonymised_at__isnull=False
    )


def test_retention_run_lists_and_warns_once_by_german_mail(traveller, mailoutbox):
    person = _inactive_person(salutation=Person.Salutation.MR, last_name="Brinkmann")

    summary = retention.retention_run()

    assert (summary.listed, summary.warned, summary.anonymised) == (1, 1, 0)
    assert len(_log(person, Action.RETENTION_LISTED)) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1
    person.refresh_from_db()
    assert person.retention_warned_at == START
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [person.email]
    assert mail.subject == f"Ihre Kontaktdaten werden gelöscht – {settings.MUNICIPALITY_NAME}"
    deletion = timezone.localdate(START + GRACE)
    assert "Sehr geehrter Herr Brinkmann" in mail.body
    assert f"am {deletion.day}. Februar 2026 löschen" in mail.body
    assert "Einwilligung" in mail.body
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    html = mail.alternatives[0][0]
    # No tracking: no images, no links with identifiers.
    assert "<img" not in html
    assert "href" not in html


def test_retention_run_twice_a_day_lists_and_warns_once(traveller, mailoutbox):
    person = _inactive_person()
    retention.retention_run()
    traveller.shift(timedelta(hours=12))
    summary = retention.retention_run()
    assert summary == retention.RetentionSummary()
    assert len(mailoutbox) == 1
    assert len(_log(person, Action.RETENTION_LISTED)) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1


def test_retention_run_anonymises_after_the_grace_period(traveller, mailoutbox):
    person = _inactive_person(last_name=NAME, email=EMAIL)
    circle_membership = CircleMembershipFactory(person=person)
    retention.retention_run()

    traveller.move_to(START + GRACE - timedelta(hours=1))
    assert retention.retention_run().anonymised == 0
    person.refresh_from_db()
    assert person.anonymised_at is None

    traveller.move_to(START + GRACE)
    summary = retention.retention_run()
    assert summary.anonymised == 1
    person.refresh_from_db()
    assert person.full_name == "Gelöschte Person"
    assert person.anonymised_at == START + GRACE
    assert CircleMembership.objects.filter(pk=circle_membership.pk).exists()
    entry = PrivacyLogEntry.objects.get(action=Action.RETENTION_ANONYMISED)
    assert (entry.person_id_ref, entry.by, entry.detail) == (
        person.pk,
        None,
        "Aufbewahrungsfrist abgelaufen",
    )
    assert not PrivacyLogEntry.objects.filter(action=Action.ERASURE).exists()
    assert _history_rows_mentioning(NAME) == []
    assert len(mailoutbox) == 1  # nothing mailed when anonymising

    traveller.shift(timedelta(days=1))
    assert retention.retention_run() == retention.RetentionSummary()


def test_retention_run_never_mails_people_who_withdrew(traveller, mailoutbox):
    person = _inactive_person()
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        ConsentFactory(person=person, withdrawn_at=timezone.now())

    summary = retention.retention_run()

    assert (summary.listed, summary.warned) == (1, 0)
    assert mailoutbox == []
    person.refresh_from_db()
    assert person.retention_warned_at is None
    # Not warnable: the grace period runs from the listing.
    traveller.move_to(START + GRACE)
    assert retention.retention_run().anonymised == 1
    assert mailoutbox == []


def test_retention_run_does_not_mail_people_without_email(traveller, mailoutbox):
    person = _inactive_person(email="")
    retention.retention_run()
    assert mailoutbox == []
    traveller.move_to(START + GRACE)
    retention.retention_run()
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_retention_run_lists_archived_people_too(traveller):
    person = _inactive_person(is_archived=True)
    assert retention.retention_run().listed == 1
    assert _log(person, Action.RETENTION_LISTED)


def test_retention_renewed_consent_resets_the_cycle(traveller, mailoutbox, coordinator):
    person = _inactive_person()
    retention.retention_run()
    traveller.move_to(START + timedelta(days=10))
    network.consent_record(
        by=coordinator,
        person=person,
        purpose=Consent.Purpose.SURVEYS,
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.EMAIL,
        given_on=timezone.localdate(),
    )
    traveller.move_to(START + GRACE * 2)
    assert retention.retention_run() == retention.RetentionSummary()
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_retention_renewed_then_withdrawn_consent_starts_a_new_cycle(
    traveller, mailoutbox, coordinator
):
    person = _inactive_person()
    retention.retention_run()
    traveller.move_to(START + timedelta(days=10))
    network.consent_record(
        by=coordinator,
        person=person,
        purpose=Consent.Purpose.SURVEYS,
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.EMAIL,
        given_on=timezone.localdate(),
    )
    network.consent_withdraw(by=coordinator, person=person)
    # Long after the old deadline, but the renewal was activity: nothing happens.
    traveller.move_to(START + GRACE * 2)
    assert retention.retention_run() == retention.RetentionSummary()
    # Inactive again for the whole period: a new cycle lists, but never mails
    # (the person withdrew), and anonymises after the grace period.
    second = START + timedelta(days=10) + INACTIVE + timedelta(days=1)
    traveller.move_to(second)
    assert retention.retention_run().listed == 1
    assert len(_log(person, Action.RETENTION_LISTED)) == 2
    assert len(mailoutbox) == 1
    traveller.move_to(second + GRACE)
    assert retention.retention_run().anonymised == 1


def test_retention_new_activity_resets_and_a_later_cycle_warns_again(
    traveller, mailoutbox, coordinator
):
    person = _inactive_person()
    retention.retention_run()
    traveller.move_to(START + timedelta(days=5))
    network.person_update(by=coordinator, person=person, phone="05251 4711")
    traveller.move_to(START + GRACE * 2)
    assert retention.retention_run() == retention.RetentionSummary()

    later = START + timedelta(days=5) + INACTIVE + timedelta(days=1)
    traveller.move_to(later)
    summary = retention.retention_run()
    assert (summary.listed, summary.warned) == (1, 1)
    assert len(mailoutbox) == 2
    person.refresh_from_db()
    assert person.retention_warned_at == later


def test_retention_warning_does_not_count_as_activity(traveller):
    """Without last_activity_at, updated_at is the fallback; the warning must not move it."""
    person = _inactive_person()
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        Person.objects.filter(pk=person.pk).update(last_activity_at=None, updated_at=timezone.now())
    retention.retention_run()
    traveller.move_to(START + GRACE)
    assert retention.retention_run().anonymised == 1


def test_retention_failed_mail_is_retried_and_not_counted_as_warned(
    traveller, mailoutbox, monkeypatch
):
    person = _inactive_person()

    def smtp_down(**kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    with monkeypatch.context() as patch:
        patch.setattr(retention, "email_send", smtp_down)
        summary = retention.retention_run()
    assert (summary.listed, summary.warned, summary.failed) == (1, 0, 1)
    person.refresh_from_db()
    assert person.retention_warned_at is None
    assert not _log(person, Action.RETENTION_WARNED)

    traveller.move_to(START + GRACE)  # not warned yet, so not due either
    summary = retention.retention_run()
    assert (summary.warned, summary.anonymised) == (1, 0)
    assert len(mailoutbox) == 1


def test_retention_cases_show_the_state_and_dates(traveller):
    warnable = _inactive_person()
    silent = _inactive_person(email="")
    retention.retention_run()
    pending = _inactive_person()
    traveller.move_to(START + timedelta(days=1))

    cases = {case.person.pk: case for case in retention.retention_cases()}

    now = timezone.now()
    assert cases[pending.pk].state(now) == "pending"
    assert cases[warnable.pk].state(now) == "warned"
    assert cases[warnable.pk].due_at == START + GRACE
    assert cases[silent.pk].state(now) == "listed"
    assert cases[silent.pk].due_at == START + GRACE
    assert cases[silent.pk].warnable is False
    traveller.move_to(START + GRACE)
    states = {case.person.pk: case.state(timezone.now()) for case in retention.retention_cases()}
    assert states == {warnable.pk: "due", silent.pk: "due", pending.pk: "pending"}


def test_retention_run_task_runs_the_job(traveller, mailoutbox):
    _inactive_person()
    result = retention_run_task.apply()
    assert result.get() == {"listed": 1, "warned": 1, "anonymised": 0, "failed": 0}
    # A second delivery (acks_late) is harmless.
    assert retention_run_task.apply().get() == {
        "listed": 0,
        "warned": 0,
        "anonymised": 0,
        "failed": 0,
    }
    assert len(mailoutbox) == 1


def test_retention_task_is_scheduled_daily():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "actors.tasks.retention_run_task"
    ]
    assert len(entries) == 1
