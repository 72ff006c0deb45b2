"""Data protection services: the retention job (inactive people listed, warned, anonymised).

The warning mail goes through the ``RetentionNotice`` outbox: the job queues it,
the send task delivers it after the commit (eager in tests, run by the
``run`` fixture the way a worker would).
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from actors.models import CircleMembership, Consent, Person, PrivacyLogEntry, RetentionNotice
from actors.services import network, retention
from actors.tasks import retention_notice_send_task

from .conftest import RETENTION_START
from .factories import CircleMembershipFactory, ConsentFactory, PersonFactory
from .helpers import EMAIL, NAME
from .helpers import history_rows_mentioning as _history_rows_mentioning

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

Action = PrivacyLogEntry.Action
Status = RetentionNotice.Status


# --------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------

START = RETENTION_START
INACTIVE = timedelta(days=settings.RETENTION_INACTIVE_DAYS)
GRACE = timedelta(days=settings.RETENTION_GRACE_DAYS)


def _inactive_person(**kwargs) -> Person:
    """A person whose last activity was before the retention period, without a basis."""
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        return PersonFactory(last_activity_at=timezone.now(), **kwargs)


def _log(person, action) -> list[PrivacyLogEntry]:
    return list(PrivacyLogEntry.objects.filter(person_id_ref=person.pk, action=action))


def _smtp_failing(monkeypatch, error: Exception, *, times: int | None = None) -> list:
    """Make the mail server fail ``times`` times (always when None); returns the calls."""
    calls = []
    send = retention.email_send

    def email_send(**kwargs):
        calls.append(kwargs)
        if times is None or len(calls) <= times:
            raise error
        return send(**kwargs)

    monkeypatch.setattr(retention, "email_send", email_send)
    return calls


def test_retention_run_leaves_active_people_and_people_with_a_basis(traveller, run, mailoutbox):
    recent = PersonFactory(last_activity_at=START - INACTIVE + timedelta(days=1))
    with_basis = _inactive_person()
    ConsentFactory(person=with_basis)
    Person.objects.filter(pk=with_basis.pk).update(last_activity_at=START - INACTIVE * 2)
    professional = _inactive_person()
    ConsentFactory(person=professional, basis=Consent.Basis.PROFESSIONAL)
    Person.objects.filter(pk=professional.pk).update(last_activity_at=START - INACTIVE * 2)

    summary = run()

    assert summary == retention.RetentionSummary()
    assert mailoutbox == []
    assert not PrivacyLogEntry.objects.exists()
    assert not RetentionNotice.objects.exists()
    assert not Person.objects.filter(pk__in=[recent.pk, with_basis.pk, professional.pk]).filter(
        anonymised_at__isnull=False
    )


def test_retention_run_lists_and_warns_once_by_german_mail(traveller, run, mailoutbox):
    person = _inactive_person(salutation=Person.Salutation.MR, last_name="Brinkmann")

    summary = run()

    assert (summary.listed, summary.queued, summary.anonymised) == (1, 1, 0)
    assert len(_log(person, Action.RETENTION_LISTED)) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1
    notice = RetentionNotice.objects.get(person=person)
    assert (notice.status, notice.attempts, notice.sent_at, notice.error) == (
        Status.SENT,
        1,
        START,
        "",
    )
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


def test_retention_run_only_queues_the_mail_until_the_commit(
    traveller, mailoutbox, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks() as callbacks:
        retention.retention_run()
    assert mailoutbox == []
    notice = RetentionNotice.objects.get(person=person)
    assert notice.status == Status.QUEUED
    assert not _log(person, Action.RETENTION_WARNED)
    assert len(callbacks) == 1


def test_retention_notice_is_sent_outside_any_transaction_and_lock(
    traveller, run, mailoutbox, monkeypatch
):
    """A hanging mail server must not hold the person's row lock or a transaction open."""
    person = _inactive_person()
    # The test itself runs inside pytest-django's transaction: that depth is the floor.
    outer_blocks = len(connection.atomic_blocks)
    seen = []
    send = retention.email_send

    def email_send(**kwargs):
        notice = RetentionNotice.objects.get(person=person)
        seen.append((len(connection.atomic_blocks), notice.status, notice.sending_since))
        return send(**kwargs)

    monkeypatch.setattr(retention, "email_send", email_send)
    run()
    assert seen == [(outer_blocks, Status.SENDING, START)]
    assert len(mailoutbox) == 1


def test_retention_run_twice_a_day_lists_and_warns_once(traveller, run, mailoutbox):
    person = _inactive_person()
    run()
    traveller.shift(timedelta(hours=12))
    summary = run()
    assert summary == retention.RetentionSummary()
    assert len(mailoutbox) == 1
    assert len(_log(person, Action.RETENTION_LISTED)) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1
    assert RetentionNotice.objects.filter(person=person).count() == 1


def test_retention_notice_send_task_delivered_twice_sends_once(traveller, run, mailoutbox):
    person = _inactive_person()
    run()
    notice = RetentionNotice.objects.get(person=person)
    assert retention_notice_send_task.apply(args=[notice.pk]).get() == Status.SENT
    assert len(mailoutbox) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1


def test_retention_notice_being_sent_by_another_worker_is_skipped(
    traveller, mailoutbox, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks():
        retention.retention_run()
    notice = RetentionNotice.objects.get(person=person)
    RetentionNotice.objects.filter(pk=notice.pk).update(
        status=Status.SENDING, sending_since=START - timedelta(minutes=5), attempts=1
    )
    assert retention.retention_notice_send(notice_id=notice.pk).status == Status.SENDING
    assert mailoutbox == []


def test_retention_run_sends_notices_left_queued_or_stuck_in_sending(
    traveller, run, mailoutbox, django_capture_on_commit_callbacks
):
    queued, stuck, busy = _inactive_person(), _inactive_person(), _inactive_person()
    # The broker was down: the callbacks of the first run are lost.
    with django_capture_on_commit_callbacks():
        retention.retention_run()
    RetentionNotice.objects.filter(person=stuck).update(
        status=Status.SENDING, sending_since=START - timedelta(hours=2), attempts=1
    )
    traveller.shift(timedelta(days=1))
    RetentionNotice.objects.filter(person=busy).update(
        status=Status.SENDING, sending_since=timezone.now() - timedelta(minutes=5), attempts=1
    )

    summary = run()

    assert summary.requeued == 2
    assert summary.queued == 0
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([queued.email, stuck.email])
    assert RetentionNotice.objects.get(person=busy).status == Status.SENDING
    # The grace period counts from the sending, not from the queueing.
    stuck.refresh_from_db()
    assert stuck.retention_warned_at == START + timedelta(days=1)


def test_retention_no_mail_when_consent_renewed_before_it_is_sent(
    traveller, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks() as callbacks:
        retention.retention_run()
    network.consent_record(
        by=coordinator,
        person=person,
        purpose=Consent.Purpose.SURVEYS,
        basis=Consent.Basis.CONSENT,
        method=Consent.Method.EMAIL,
        given_on=timezone.localdate(),
    )
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert RetentionNotice.objects.get(person=person).status == Status.CANCELLED
    assert not _log(person, Action.RETENTION_WARNED)


def test_retention_no_mail_when_active_before_it_is_sent(
    traveller, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks() as callbacks:
        retention.retention_run()
    traveller.shift(timedelta(minutes=1))
    network.person_update(by=coordinator, person=person, phone="05251 4711")
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert RetentionNotice.objects.get(person=person).status == Status.CANCELLED


def test_retention_run_anonymises_after_the_grace_period(traveller, run, mailoutbox):
    person = _inactive_person(last_name=NAME, email=EMAIL)
    circle_membership = CircleMembershipFactory(person=person)
    run()

    traveller.move_to(START + GRACE - timedelta(hours=1))
    assert run().anonymised == 0
    person.refresh_from_db()
    assert person.anonymised_at is None

    traveller.move_to(START + GRACE)
    summary = run()
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
    assert not RetentionNotice.objects.filter(person=person).exists()
    assert len(mailoutbox) == 1  # nothing mailed when anonymising

    traveller.shift(timedelta(days=1))
    assert run() == retention.RetentionSummary()


def test_retention_run_never_mails_people_who_withdrew(traveller, run, mailoutbox):
    person = _inactive_person()
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        ConsentFactory(person=person, withdrawn_at=timezone.now())

    summary = run()

    assert (summary.listed, summary.queued) == (1, 0)
    assert mailoutbox == []
    person.refresh_from_db()
    assert person.retention_warned_at is None
    # Not warnable: the grace period runs from the listing.
    traveller.move_to(START + GRACE)
    assert run().anonymised == 1
    assert mailoutbox == []


def test_retention_run_does_not_mail_people_without_email(traveller, run, mailoutbox):
    person = _inactive_person(email="")
    run()
    assert mailoutbox == []
    assert not RetentionNotice.objects.exists()
    traveller.move_to(START + GRACE)
    run()
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_retention_run_lists_archived_people_too(traveller, run):
    person = _inactive_person(is_archived=True)
    assert run().listed == 1
    assert _log(person, Action.RETENTION_LISTED)


def test_retention_renewed_consent_resets_the_cycle(traveller, run, mailoutbox, coordinator):
    person = _inactive_person()
    run()
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
    assert run() == retention.RetentionSummary()
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_retention_renewed_then_withdrawn_consent_starts_a_new_cycle(
    traveller, run, mailoutbox, coordinator
):
    person = _inactive_person()
    run()
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
    assert run() == retention.RetentionSummary()
    # Inactive again for the whole period: a new cycle lists, but never mails
    # (the person withdrew), and anonymises after the grace period.
    second = START + timedelta(days=10) + INACTIVE + timedelta(days=1)
    traveller.move_to(second)
    assert run().listed == 1
    assert len(_log(person, Action.RETENTION_LISTED)) == 2
    assert len(mailoutbox) == 1
    traveller.move_to(second + GRACE)
    assert run().anonymised == 1


def test_retention_new_activity_resets_and_a_later_cycle_warns_again(
    traveller, run, mailoutbox, coordinator
):
    person = _inactive_person()
    run()
    traveller.move_to(START + timedelta(days=5))
    network.person_update(by=coordinator, person=person, phone="05251 4711")
    traveller.move_to(START + GRACE * 2)
    assert run() == retention.RetentionSummary()

    later = START + timedelta(days=5) + INACTIVE + timedelta(days=1)
    traveller.move_to(later)
    summary = run()
    assert (summary.listed, summary.queued) == (1, 1)
    assert len(mailoutbox) == 2
    assert RetentionNotice.objects.filter(person=person, status=Status.SENT).count() == 2
    person.refresh_from_db()
    assert person.retention_warned_at == later


def test_retention_warning_does_not_count_as_activity(traveller, run):
    """Without last_activity_at, updated_at is the fallback; the warning must not move it."""
    person = _inactive_person()
    with time_machine.travel(START - INACTIVE - timedelta(days=1), tick=False):
        Person.objects.filter(pk=person.pk).update(last_activity_at=None, updated_at=timezone.now())
    run()
    traveller.move_to(START + GRACE)
    assert run().anonymised == 1
