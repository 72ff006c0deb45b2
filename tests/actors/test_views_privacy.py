"""Data protection screens: consent forms, export download, erasure, privacy log, retention."""

import json
import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from actors.models import CircleMembership, Consent, Person, PrivacyLogEntry, RetentionNotice
from actors.services import network, privacy, retention

from ..utils import main_form
from .factories import CircleMembershipFactory, ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

SURVEYS = Consent.Purpose.SURVEYS
INVITATIONS = Consent.Purpose.INVITATIONS
NAME = "Zwetschgenbaum"


@pytest.fixture
def person():
    return PersonFactory(first_name="Jolanda", last_name=NAME, email="jz@mail.example")


def _url(name, person):
    return reverse(f"actors:{name}", args=[person.pk])


def _erase_form(page):
    """The erasure form; the confirmation page also holds the data-export button."""
    return page.forms["erase-form"]


# --------------------------------------------------------------------------
# Privacy page
# --------------------------------------------------------------------------


def test_person_privacy_shows_bases_and_why_not_emailed(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS, note="Formular Runder Tisch")
    ConsentFactory(
        person=person,
        purpose=INVITATIONS,
        withdrawn_at=datetime(2026, 3, 4, 10, tzinfo=BERLIN),
        withdrawal_note="per Telefon",
    )
    page = django_app.get(_url("person_privacy", person), user=coordinator)
    assert "Datenschutz: Jolanda Zwetschgenbaum" in page.text
    assert "Formular Runder Tisch" in page.text
    assert "per Telefon" in page.text
    assert "Die Einwilligung für „Einladungen“ wurde am 4. März 2026 widerrufen." in page.text
    assert "Für „Informationsmails“ ist keine Rechtsgrundlage erfasst." in page.text
    for name in ("consent_create", "consent_withdraw", "person_erase"):
        assert page.html.select_one(f'a[href="{_url(name, person)}"]'), name
    # The export writes to the privacy log: a button (POST with CSRF token), never a link.
    assert not page.html.select_one(f'a[href="{_url("person_data_export", person)}"]')
    export = page.forms["data-export-form"]
    assert (export.method.lower(), export.action) == ("post", _url("person_data_export", person))
    assert export["csrfmiddlewaretoken"].value
    withdraw_one = f"{_url('consent_withdraw', person)}?purpose={SURVEYS}"
    assert page.html.select_one(f'a[href="{withdraw_one}"]')


def test_person_privacy_query_count_is_constant(
    django_app, coordinator, person, django_assert_max_num_queries
):
    django_app.get(_url("person_privacy", person), user=coordinator)
    for purpose in Consent.Purpose.values:
        ConsentFactory(person=person, purpose=purpose, recorded_by=coordinator)
        ConsentFactory(person=person, purpose=purpose, withdrawn_at=timezone.now())
        PrivacyLogEntry.objects.create(
            action=PrivacyLogEntry.Action.DATA_EXPORT, person_id_ref=person.pk, by=coordinator
        )
    with django_assert_max_num_queries(14):
        django_app.get(_url("person_privacy", person), user=coordinator)


def test_person_privacy_of_erased_person_says_so_without_actions(django_app, coordinator, person):
    privacy.person_erase(by=coordinator, person=person, reason="Antrag vom 3. Mai")
    page = django_app.get(_url("person_privacy", person), user=coordinator)
    assert "gelöscht (anonymisiert)" in page.text
    assert NAME not in page.text
    assert not page.html.select_one(f'a[href="{_url("person_erase", person)}"]')
    assert not page.html.select_one(f'a[href="{_url("consent_create", person)}"]')


def test_person_privacy_of_merged_duplicate_is_not_found(django_app, coordinator, person):
    duplicate = PersonFactory(merged_into=person)
    response = django_app.get(_url("person_privacy", duplicate), user=coordinator, status=404)
    assert response.status_code == 404


# --------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------


def test_consent_create_records_one_consent_per_purpose(django_app, coordinator, person):
    form = main_form(django_app.get(_url("consent_create", person), user=coordinator))
    form["purposes"] = [SURVEYS, INVITATIONS]
    form["basis"] = Consent.Basis.CONSENT
    form["method"] = Consent.Method.WRITTEN
    form["given_on"] = "2026-02-01"
    form["note"] = "Formular am Runden Tisch"
    page = form.submit().follow()
    consents = person.consents.order_by("purpose")
    assert [consent.purpose for consent in consents] == [INVITATIONS, SURVEYS]
    assert {consent.given_on for consent in consents} == {date(2026, 2, 1)}
    assert {consent.recorded_by for consent in consents} == {coordinator}
    assert "Rechtsgrundlage erfasst für: Bedarfsabfragen, Einladungen." in page.text


def test_consent_create_refuses_a_purpose_with_a_valid_basis(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS, given_on=date(2025, 11, 3))
    form = main_form(django_app.get(_url("consent_create", person), user=coordinator))
    form["purposes"] = [SURVEYS, INVITATIONS]
    form["basis"] = Consent.Basis.PROFESSIONAL
    form["method"] = Consent.Method.OFFICIAL
    page = form.submit()
    assert page.status_code == 200
    assert "„Bedarfsabfragen“ hat bereits eine gültige Rechtsgrundlage" in page.text
    assert person.consents.count() == 1


def test_consent_create_refuses_a_future_date_in_german(django_app, coordinator, person):
    form = main_form(django_app.get(_url("consent_create", person), user=coordinator))
    form["purposes"] = [SURVEYS]
    form["basis"] = Consent.Basis.CONSENT
    form["method"] = Consent.Method.ORAL
    form["given_on"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    page = form.submit()
    assert "Das Datum darf nicht in der Zukunft liegen." in page.text
    assert not person.consents.exists()


def test_consent_create_requires_a_purpose(django_app, coordinator, person):
    form = main_form(django_app.get(_url("consent_create", person), user=coordinator))
    form["basis"] = Consent.Basis.CONSENT
    form["method"] = Consent.Method.ORAL
    page = form.submit()
    assert "Dieses Feld ist zwingend erforderlich." in page.text
    assert not person.consents.exists()


def test_consent_withdraw_one_purpose_preselected_from_link(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS)
    ConsentFactory(person=person, purpose=INVITATIONS)
    url = f"{_url('consent_withdraw', person)}?purpose={INVITATIONS}"
    form = main_form(django_app.get(url, user=coordinator))
    assert form["purpose"].value == INVITATIONS
    form["note"] = "telefonisch am 3. Mai"
    page = form.submit().follow()
    assert "Widerrufen für: Einladungen." in page.text
    withdrawn = person.consents.get(purpose=INVITATIONS)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_note == "telefonisch am 3. Mai"
    assert person.consents.get(purpose=SURVEYS).withdrawn_at is None


def test_consent_withdraw_all(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS)
    ConsentFactory(person=person, purpose=INVITATIONS)
    form = main_form(django_app.get(_url("consent_withdraw", person), user=coordinator))
    assert form["purpose"].value == "all"
    form.submit().follow()
    assert not person.consents.filter(withdrawn_at__isnull=True).exists()
    entry = PrivacyLogEntry.objects.get(action=PrivacyLogEntry.Action.CONSENT_WITHDRAWN)
    assert entry.by == coordinator


def test_consent_withdraw_without_valid_basis_says_so(django_app, coordinator, person):
    page = django_app.get(_url("consent_withdraw", person), user=coordinator)
    assert "keine gültige Rechtsgrundlage mehr" in page.text


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def test_person_data_export_downloads_json_and_logs(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS)
    page = django_app.get(_url("person_privacy", person), user=coordinator)
    response = page.forms["data-export-form"].submit()
    assert response.content_type == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert f"person-{person.pk}" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.body.decode())
    assert data["Person"]["Nachname"] == NAME
    entry = PrivacyLogEntry.objects.get(action=PrivacyLogEntry.Action.DATA_EXPORT)
    assert (entry.person_id_ref, entry.by) == (person.pk, coordinator)


def test_person_data_export_from_the_erasure_page(django_app, coordinator, person):
    page = django_app.get(_url("person_erase", person), user=coordinator)
    response = page.forms["data-export-form"].submit()
    assert response.content_type == "application/json"
    assert PrivacyLogEntry.objects.filter(action=PrivacyLogEntry.Action.DATA_EXPORT).count() == 1


def test_person_data_export_by_get_is_refused_and_not_logged(django_app, coordinator, person):
    """A prefetched link or a cross-site GET must not write to the privacy log."""
    response = django_app.get(
        _url("person_data_export", person), user=coordinator, expect_errors=True
    )
    assert response.status_code == 405
    assert not PrivacyLogEntry.objects.exists()


def test_person_data_export_post_needs_the_csrf_token(django_app, coordinator, person):
    response = django_app.post(
        _url("person_data_export", person), user=coordinator, expect_errors=True
    )
    assert response.status_code == 403
    assert "Das Formular ist abgelaufen" in response.text
    assert not PrivacyLogEntry.objects.exists()


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------


def test_person_erase_confirmation_names_what_happens(django_app, coordinator, person):
    CircleMembershipFactory(person=person)
    page = django_app.get(_url("person_erase", person), user=coordinator)
    assert "kann nicht rückgängig gemacht werden" in page.text
    assert "„Gelöschte Person“" in page.text
    assert "Mitgliedschaften in Netzwerkrunden (1)" in page.text
    form = _erase_form(page)
    assert form.method.lower() == "post"


def test_person_erase_needs_the_confirmation(django_app, coordinator, person):
    form = _erase_form(django_app.get(_url("person_erase", person), user=coordinator))
    form["reason"] = "Löschantrag per Brief"
    page = form.submit()
    assert page.status_code == 200
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_person_erase_refuses_a_reason_with_the_name(django_app, coordinator, person):
    form = _erase_form(django_app.get(_url("person_erase", person), user=coordinator))
    form["reason"] = f"Antrag von {NAME}"
    form["confirm"] = True
    page = form.submit()
    assert "darf weder den Namen noch die E-Mail-Adresse" in page.text
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_person_erase_through_the_form(django_app, coordinator, person):
    circle_membership = CircleMembershipFactory(person=person)
    members_before = CircleMembership.objects.filter(circle=circle_membership.circle).count()
    form = _erase_form(django_app.get(_url("person_erase", person), user=coordinator))
    form["reason"] = "Löschantrag per Brief vom 3. Mai"
    form["confirm"] = True
    page = form.submit().follow()
    assert "Die Daten der Person wurden gelöscht." in page.text
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert person.last_name == "Gelöschte Person"
    assert CircleMembership.objects.filter(circle=circle_membership.circle).count() == (
        members_before
    )
    assert not Person.history.filter(last_name=NAME).exists()
    # Opening the erasure again only says it is done.
    again = django_app.get(_url("person_erase", person), user=coordinator).follow()
    assert "wurden bereits gelöscht" in again.text


def test_person_erase_is_post_only_for_the_change(django_app, coordinator, person):
    django_app.get(_url("person_erase", person), user=coordinator)
    person.refresh_from_db()
    assert person.anonymised_at is None


# --------------------------------------------------------------------------
# Permissions on writes
# --------------------------------------------------------------------------


# Without CSRF checks, so that a 403 can only come from the permission check; the
# coordinator's request through the same app is the positive control.
PRIVACY_WRITES = [
    (
        "consent_create",
        {"purposes": SURVEYS, "basis": "consent", "method": "oral", "given_on": "2026-01-02"},
    ),
    ("consent_withdraw", {"purpose": "all"}),
    ("person_data_export", {}),
    ("person_erase", {"reason": "Antrag", "confirm": "on"}),
]


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
@pytest.mark.parametrize(("name", "data"), PRIVACY_WRITES)
def test_privacy_writes_are_forbidden_without_the_right(
    django_app_factory, request, role, name, data, person
):
    ConsentFactory(person=person, purpose=INVITATIONS)
    user = request.getfixturevalue(role)
    app = django_app_factory(csrf_checks=False)
    response = app.post(_url(name, person), data, user=user, expect_errors=True)
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.text
    person.refresh_from_db()
    assert person.anonymised_at is None
    assert person.consents.count() == 1
    assert person.consents.get().withdrawn_at is None
    assert not PrivacyLogEntry.objects.exists()


@pytest.mark.parametrize(("name", "data"), PRIVACY_WRITES)
def test_privacy_writes_by_the_coordinator_pass_the_same_request(
    django_app_factory, coordinator, name, data, person
):
    ConsentFactory(person=person, purpose=INVITATIONS)
    app = django_app_factory(csrf_checks=False)
    response = app.post(_url(name, person), data, user=coordinator)
    assert response.status_code in (200, 302)
    if name == "consent_create":
        assert person.consents.count() == 2
    elif name == "person_data_export":
        assert response.content_type == "application/json"
    else:
        assert PrivacyLogEntry.objects.exists()


# --------------------------------------------------------------------------
# Privacy log and retention overview
# --------------------------------------------------------------------------


def test_privacylog_list_shows_numbers_not_names(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS)
    other = PersonFactory()
    privacy.person_data_export(by=coordinator, person=other)
    privacy.person_erase(by=coordinator, person=person, reason="Löschantrag per Brief")
    page = django_app.get(reverse("actors:privacylog_list"), user=coordinator)
    assert "Löschung (anonymisiert)" in page.text
    assert "Löschantrag per Brief" in page.text
    assert NAME not in page.text
    assert other.last_name not in page.text
    filtered = django_app.get(
        reverse("actors:privacylog_list"), {"person": person.pk}, user=coordinator
    )
    assert "Datenauskunft" not in filtered.html.select_one("table").text
    by_action = django_app.get(
        reverse("actors:privacylog_list"), {"action": "data_export"}, user=coordinator
    )
    assert "Löschung" not in by_action.html.select_one("table").text


def test_privacylog_list_shows_withdrawn_purposes_in_german(django_app, coordinator, person):
    ConsentFactory(person=person, purpose=SURVEYS)
    network.consent_withdraw(by=coordinator, person=person)
    page = django_app.get(reverse("actors:privacylog_list"), user=coordinator)
    assert "Bedarfsabfragen" in page.html.select_one("table").text


def test_retention_list_shows_listed_warned_and_dates(
    django_app, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    start = datetime(2026, 1, 5, 9, tzinfo=BERLIN)
    inactive = timedelta(days=settings.RETENTION_INACTIVE_DAYS + 1)
    with time_machine.travel(start - inactive, tick=False):
        warned = PersonFactory(last_name="Brinkmann", last_activity_at=timezone.now())
        silent = PersonFactory(last_name="Okonkwo", email="", last_activity_at=timezone.now())
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        retention.retention_run()
    with time_machine.travel(start + timedelta(days=2), tick=False):
        page = django_app.get(reverse("actors:retention_list"), user=coordinator)
    rows = {row.select_one("td").text.strip(): row for row in page.html.select("tbody tr")}
    assert set(rows) == {warned.full_name, silent.full_name}
    assert "benachrichtigt" in rows[warned.full_name].text
    assert "4. Februar 2026" in rows[warned.full_name].text
    assert "gelistet" in rows[silent.full_name].text
    assert "keine E-Mail" in rows[silent.full_name].text


def test_retention_list_shows_waiting_retrying_and_failed_mails(
    django_app, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    start = datetime(2026, 1, 5, 9, tzinfo=BERLIN)
    inactive = timedelta(days=settings.RETENTION_INACTIVE_DAYS + 1)
    with time_machine.travel(start - inactive, tick=False):
        waiting, retrying, failed = (
            PersonFactory(last_name=name, last_activity_at=timezone.now())
            for name in ("Abendroth", "Brinkmann", "Czerny")
        )
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks():
            retention.retention_run()
        notices = {notice.person_id: notice for notice in RetentionNotice.objects.all()}

        def smtp_down(**kwargs):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

        monkeypatch.setattr(retention, "email_send", smtp_down)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            retention.retention_notice_send(notice_id=notices[retrying.pk].pk)
        RetentionNotice.objects.filter(pk=notices[failed.pk].pk).update(
            status=RetentionNotice.Status.FAILED,
            attempts=5,
            failed_at=timezone.now(),
            error="SMTPRecipientsRefused: 550 No such user",
        )
    with time_machine.travel(start + timedelta(days=2), tick=False):
        page = django_app.get(reverse("actors:retention_list"), user=coordinator)
    rows = {row.select_one("td").text.strip(): row for row in page.html.select("tbody tr")}
    assert "E-Mail wartet auf den Versand" in rows[waiting.full_name].text
    retrying_text = " ".join(rows[retrying.full_name].text.split())
    assert "bisherige Versuche: 1" in retrying_text
    assert "Connection unexpectedly closed" in retrying_text
    failed_text = " ".join(rows[failed.full_name].text.split())
    assert "Die E-Mail konnte nicht versandt werden: SMTPRecipientsRefused" in failed_text
    # Undeliverable: anonymised after the grace period from the failure.
    assert "4. Februar 2026" in failed_text


def test_retention_list_query_count_is_constant(
    django_app, coordinator, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    start = datetime(2026, 1, 5, 9, tzinfo=BERLIN)
    inactive = timedelta(days=settings.RETENTION_INACTIVE_DAYS + 1)

    def add_people(count):
        with time_machine.travel(start - inactive, tick=False):
            PersonFactory.create_batch(count, last_activity_at=timezone.now())
        with (
            time_machine.travel(start, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            retention.retention_run()

    add_people(1)
    django_app.get(reverse("actors:retention_list"), user=coordinator)
    add_people(5)
    with django_assert_max_num_queries(8):
        page = django_app.get(reverse("actors:retention_list"), user=coordinator)
    assert len(page.html.select("tbody tr")) == 6
