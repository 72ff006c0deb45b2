"""Data protection services: the retention warning mail when the mail server fails,
the overview of cases, and the scheduled task. Shared set-up: test_retention.py."""

import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from actors.models import PrivacyLogEntry, RetentionNotice
from actors.services import retention
from actors.tasks import retention_notice_send_task, retention_run_task

from .test_retention import (  # fixtures and helpers of the retention tests
    GRACE,
    START,
    Action,
    Status,
    _inactive_person,
    _log,
    _smtp_failing,
)

pytestmark = pytest.mark.django_db


def test_retention_transient_mail_error_is_retried_by_the_task(
    traveller, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks():
        retention.retention_run()
    notice = RetentionNotice.objects.get(person=person)
    calls = _smtp_failing(monkeypatch, smtplib.SMTPServerDisconnected("down"), times=1)

    # As a worker would: the failed attempt raises, autoretry runs the task again.
    result = retention_notice_send_task.apply(args=[notice.pk], throw=False)

    assert result.get() == Status.SENT
    assert len(calls) == 2
    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.error) == (Status.SENT, 2, "")
    assert len(_log(person, Action.RETENTION_WARNED)) == 1


def test_retention_notice_send_task_retries_with_backoff_up_to_the_row_limit():
    assert issubclass(smtplib.SMTPServerDisconnected, retention_notice_send_task.autoretry_for)
    assert issubclass(TimeoutError, retention_notice_send_task.autoretry_for)
    assert retention_notice_send_task.retry_backoff
    # Celery must not give up before the notice row does.
    assert retention_notice_send_task.max_retries >= retention.NOTICE_MAX_ATTEMPTS - 1


def test_retention_transient_mail_error_keeps_the_notice_queued_with_the_reason(
    traveller, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks():
        retention.retention_run()
    notice = RetentionNotice.objects.get(person=person)
    _smtp_failing(monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    with pytest.raises(smtplib.SMTPServerDisconnected):
        retention.retention_notice_send(notice_id=notice.pk)

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.sending_since) == (Status.QUEUED, 1, None)
    assert notice.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    person.refresh_from_db()
    assert person.retention_warned_at is None


def test_retention_mail_given_up_after_the_last_attempt(traveller, run, mailoutbox, monkeypatch):
    """Mail server down for days: one attempt per run, then failed; anonymised after the grace."""
    person = _inactive_person()
    calls = _smtp_failing(monkeypatch, TimeoutError("timed out"))

    assert run().queued == 1
    for _day in range(retention.NOTICE_MAX_ATTEMPTS - 1):
        traveller.shift(timedelta(days=1))
        assert run().requeued == 1
    failed_at = timezone.now()

    assert len(calls) == retention.NOTICE_MAX_ATTEMPTS
    assert mailoutbox == []
    notice = RetentionNotice.objects.get(person=person)
    assert (notice.status, notice.attempts, notice.failed_at) == (
        Status.FAILED,
        retention.NOTICE_MAX_ATTEMPTS,
        failed_at,
    )
    assert notice.error == "TimeoutError: timed out"
    assert not _log(person, Action.RETENTION_WARNED)
    # A failed notice is final: the next runs neither mail nor queue again, and
    # the person is anonymised after the grace period from the failure.
    monkeypatch.undo()
    traveller.move_to(failed_at + GRACE - timedelta(hours=1))
    assert run() == retention.RetentionSummary()
    assert mailoutbox == []
    traveller.move_to(failed_at + GRACE)
    assert run().anonymised == 1


def test_retention_refused_address_fails_at_once(traveller, run, mailoutbox, monkeypatch):
    person = _inactive_person()
    refused = smtplib.SMTPRecipientsRefused({person.email: (550, b"No such user")})
    calls = _smtp_failing(monkeypatch, refused)
    run()
    assert len(calls) == 1
    notice = RetentionNotice.objects.get(person=person)
    assert (notice.status, notice.attempts) == (Status.FAILED, 1)
    assert "No such user" in notice.error


def test_retention_sent_mail_is_recorded_later_if_recording_failed(
    traveller, run, mailoutbox, monkeypatch
):
    """The mail went out but the log insert failed: never mailed again, recorded next run."""
    person = _inactive_person()
    create = PrivacyLogEntry.objects.create

    def create_failing(**kwargs):
        if kwargs["action"] == Action.RETENTION_WARNED:
            raise DatabaseError("disk full")
        return create(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(PrivacyLogEntry.objects, "create", create_failing)
        run()  # the task's error is reported (logged), the run goes on
    assert len(mailoutbox) == 1
    notice = RetentionNotice.objects.get(person=person)
    assert notice.status == Status.SENT
    person.refresh_from_db()
    assert person.retention_warned_at is None

    traveller.shift(timedelta(days=1))
    assert run() == retention.RetentionSummary()
    assert len(mailoutbox) == 1
    assert len(_log(person, Action.RETENTION_WARNED)) == 1
    person.refresh_from_db()
    assert person.retention_warned_at == START
    traveller.move_to(START + GRACE)
    assert run().anonymised == 1


def test_retention_notice_interrupted_too_often_is_given_up(
    traveller, mailoutbox, django_capture_on_commit_callbacks
):
    person = _inactive_person()
    with django_capture_on_commit_callbacks():
        retention.retention_run()
    notice = RetentionNotice.objects.get(person=person)
    RetentionNotice.objects.filter(pk=notice.pk).update(
        status=Status.SENDING,
        sending_since=START - timedelta(hours=2),
        attempts=retention.NOTICE_MAX_ATTEMPTS,
    )
    notice = retention.retention_notice_send(notice_id=notice.pk)
    assert (notice.status, notice.error) == (
        Status.FAILED,
        "Der Versand wurde zu oft unterbrochen.",
    )
    assert mailoutbox == []


def test_retention_cases_show_the_state_and_dates(traveller, run):
    warnable = _inactive_person()
    silent = _inactive_person(email="")
    run()
    pending = _inactive_person()
    traveller.move_to(START + timedelta(days=1))

    cases = {case.person.pk: case for case in retention.retention_cases()}

    now = timezone.now()
    assert cases[pending.pk].state(now) == "pending"
    assert cases[warnable.pk].state(now) == "warned"
    assert cases[warnable.pk].due_at == START + GRACE
    assert cases[warnable.pk].notice.status == Status.SENT
    assert cases[silent.pk].state(now) == "listed"
    assert cases[silent.pk].due_at == START + GRACE
    assert cases[silent.pk].warnable is False
    assert cases[silent.pk].notice is None
    traveller.move_to(START + GRACE)
    states = {case.person.pk: case.state(timezone.now()) for case in retention.retention_cases()}
    assert states == {warnable.pk: "due", silent.pk: "due", pending.pk: "pending"}


def test_retention_run_task_runs_the_job(traveller, mailoutbox, django_capture_on_commit_callbacks):
    _inactive_person()
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_run_task.apply()
    assert result.get() == {"listed": 1, "queued": 1, "requeued": 0, "anonymised": 0}
    # A second delivery (acks_late) is harmless.
    with django_capture_on_commit_callbacks(execute=True):
        again = retention_run_task.apply()
    assert again.get() == {"listed": 0, "queued": 0, "requeued": 0, "anonymised": 0}
    assert len(mailoutbox) == 1


def test_retention_task_is_scheduled_daily():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "actors.tasks.retention_run_task"
    ]
    assert len(entries) == 1
