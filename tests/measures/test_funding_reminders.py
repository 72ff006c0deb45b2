"""Reminders of grants' report deadlines: once per deadline, to the right people."""

import logging
import re
import smtplib
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine

from integration.core.roles import Role
from measures.models import Grant
from measures.services import funding
from measures.services.funding import grant_report_remind
from measures.tasks import grant_report_remind_task

from ..core.factories import UserFactory
from .factories import GrantFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 16)
LINK = re.compile(r"https://integration\.example\.org(/concept/funding/grants/\d+/)")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(f"{TODAY.isoformat()} 08:00 +01:00", tick=False):
        yield


def due(days: int, **kwargs) -> Grant:
    return GrantFactory(report_due_on=TODAY + timedelta(days=days), **kwargs)


def test_grant_report_remind_sends_once_per_deadline(coordinator, mailoutbox, settings):
    settings.GRANT_REPORT_REMINDER_DAYS = 14
    grant = due(5, title="KIM Case Management")
    due(15)  # not yet
    assert grant_report_remind() == 1
    assert grant_report_remind() == 0
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [coordinator.email]
    assert mail.subject == "Nachweisfrist am 21.03.2026: KIM Case Management"
    assert "Das ist in 5 Tagen." in mail.body
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    grant.refresh_from_db()
    assert grant.report_reminded_for == grant.report_due_on


def test_grant_report_remind_link_opens_the_grant(coordinator, mailoutbox, django_app):
    grant = due(3)
    grant_report_remind()
    path = LINK.search(mailoutbox[0].body)[1]
    assert path == grant.get_absolute_url()
    page = django_app.get(path, user=coordinator)
    assert "fällig in 3 Tagen" in page.text


def test_grant_report_remind_includes_overdue_skips_submitted_and_open_statuses(
    coordinator, mailoutbox
):
    overdue = due(-30, title="Überfällig")
    due(2, report_submitted_on=TODAY - timedelta(days=1))
    due(2, status=Grant.Status.APPLIED)
    due(2, status=Grant.Status.REJECTED)
    settled = due(0, status=Grant.Status.SETTLED, title="Heute")
    assert grant_report_remind() == 2
    subjects = sorted(mail.subject for mail in mailoutbox)
    assert subjects == [
        "Nachweisfrist am 14.02.2026: Überfällig",
        "Nachweisfrist am 16.03.2026: Heute",
    ]
    assert "Die Frist ist verstrichen" in mailoutbox[0].body + mailoutbox[1].body
    assert "Das ist heute." in mailoutbox[0].body + mailoutbox[1].body
    assert {overdue.pk, settled.pk} == set(
        Grant.objects.filter(report_reminded_for__isnull=False).values_list("pk", flat=True)
    )


def test_grant_report_remind_goes_to_responsible_else_active_coordinators(mailoutbox, roles):
    responsible = UserFactory(email="kaemmerei@wiesenbrueck.example")
    coordinators = [UserFactory(), UserFactory()]
    for user in coordinators:
        user.groups.add(roles[Role.COORDINATION.value])
    UserFactory(is_active=False).groups.add(roles[Role.COORDINATION.value])
    UserFactory(email="").groups.add(roles[Role.COORDINATION.value])
    UserFactory().groups.add(roles[Role.ADMINISTRATION.value])
    due(1, responsible=responsible)
    due(1, responsible=UserFactory(is_active=False))
    grant_report_remind()
    recipients = sorted(mail.to for mail in mailoutbox)
    assert recipients == sorted([[responsible.email], sorted(u.email for u in coordinators)])


def test_grant_report_remind_changed_deadline_is_reminded_again(coordinator, mailoutbox):
    grant = due(4)
    grant_report_remind()
    Grant.objects.filter(pk=grant.pk).update(report_due_on=TODAY + timedelta(days=10))
    assert grant_report_remind() == 1
    assert grant_report_remind() == 0
    assert len(mailoutbox) == 2
    assert "26.03.2026" in mailoutbox[1].subject


def test_grant_report_remind_claim_wins_once(coordinator):
    # Two workers read the same grant; the conditional update lets one of them send.
    grant = due(4)
    first, second = Grant.objects.get(pk=grant.pk), Grant.objects.get(pk=grant.pk)
    assert funding._claim(first) is True
    assert funding._claim(second) is False


def test_grant_report_remind_race_sends_once(coordinator, mailoutbox):
    grant = due(4)
    stale = list(Grant.objects.filter(pk=grant.pk))
    grant_report_remind()
    # A second worker that had listed the grant before the first claimed it.
    with mock.patch.object(funding, "grants_due_for_reminder", return_value=stale):
        assert grant_report_remind() == 0
    assert len(mailoutbox) == 1


def test_grant_report_remind_smtp_error_is_logged_and_retried(coordinator, mailoutbox, caplog):
    grant = due(4)
    other = due(6)
    refused = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    real_send = funding.email_send
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise refused
        return real_send(**kwargs)

    with (
        mock.patch.object(funding, "email_send", side_effect=flaky),
        caplog.at_level(logging.WARNING, logger="measures.services.funding"),
    ):
        assert grant_report_remind() == 1
    assert "not delivered" in caplog.text
    grant.refresh_from_db()
    other.refresh_from_db()
    # The failed grant is free for the next day's run; the other one went out.
    assert grant.report_reminded_for is None
    assert other.report_reminded_for == other.report_due_on
    assert grant_report_remind() == 1
    assert len(mailoutbox) == 2


def test_grant_report_remind_without_recipient_sends_nothing(mailoutbox, caplog):
    grant = due(4)
    with caplog.at_level(logging.WARNING, logger="measures.services.funding"):
        assert grant_report_remind() == 0
    assert "nobody" in caplog.text
    grant.refresh_from_db()
    assert grant.report_reminded_for is None


def test_grant_report_remind_task_runs_the_service(coordinator, mailoutbox):
    due(4)
    assert grant_report_remind_task.apply().get() == 1
    assert grant_report_remind_task.apply().get() == 0
    assert len(mailoutbox) == 1


def test_grant_report_remind_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "measures.tasks.grant_report_remind_task" in tasks
    assert settings.GRANT_REPORT_REMINDER_DAYS == 14
