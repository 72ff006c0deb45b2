"""Delivery of stale reminders: SMTP errors per recipient, retries, a real connection."""

import logging
import smtplib

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.cache import cache

from measures.services import updates
from measures.services.updates import stale_reminder_send
from measures.tasks import stale_reminder_send_task

from ..actors.factories import OrganisationFactory
from .test_stale import TODAY, claim, reachable_person, stale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(f"{TODAY.isoformat()} 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def department():
    return OrganisationFactory(name="FB II Familie & Soziales")


def three_recipients(department):
    people = [reachable_person(email=f"kontakt{n}@example.org") for n in range(3)]
    for person in people:
        stale(department, contact=person)
    claim(department)
    return people


def fail_for(monkeypatch, errors: dict[str, list[Exception]]):
    """Let ``email_send`` raise the next of ``errors[address]``, else send; returns the tries."""
    tried = []
    send = updates.email_send

    def email_send(**kwargs):
        address = kwargs["to"][0]
        tried.append(address)
        if errors.get(address):
            raise errors[address].pop(0)
        return send(**kwargs)

    monkeypatch.setattr(updates, "email_send", email_send)
    return tried


def refused(address: str, code: int) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (code, b"5.1.1 User unknown")})


def test_stale_reminder_send_refused_address_does_not_stop_the_others(
    department, mailoutbox, monkeypatch, caplog
):
    first, bad, last = three_recipients(department)
    tried = fail_for(monkeypatch, {bad.email: [refused(bad.email, 550)]})

    with caplog.at_level(logging.WARNING, logger="measures.services.updates"):
        result = stale_reminder_send_task.apply(args=[department.pk, TODAY.isoformat()])

    assert result.successful()
    assert result.get() == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]
    assert "550 5.1.1 User unknown" in caplog.text
    # Refused for good: a second run does not try that address again today.
    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert tried == [first.email, bad.email, last.email]


def test_stale_reminder_send_5xx_answer_is_permanent(department, mailoutbox, monkeypatch):
    first, bad, last = three_recipients(department)
    fail_for(monkeypatch, {bad.email: [smtplib.SMTPDataError(554, b"5.7.1 Rejected")]})

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]


def test_stale_reminder_send_greylisted_address_retried_after_the_others(
    department, mailoutbox, monkeypatch
):
    first, greylisted, last = three_recipients(department)
    tried = fail_for(monkeypatch, {greylisted.email: [refused(greylisted.email, 450)]})

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        stale_reminder_send(lead_id=department.pk, day=TODAY)
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 1
    assert [mail.to for mail in mailoutbox][2:] == [[greylisted.email]]
    assert tried == [first.email, greylisted.email, last.email, greylisted.email]


def test_stale_reminder_send_broken_connection_retries_only_those_not_mailed(
    department, mailoutbox, monkeypatch
):
    first, second, third = three_recipients(department)
    tried = fail_for(monkeypatch, {second.email: [smtplib.SMTPServerDisconnected("gone")]})

    with pytest.raises(smtplib.SMTPServerDisconnected):
        stale_reminder_send(lead_id=department.pk, day=TODAY)
    assert [mail.to for mail in mailoutbox] == [[first.email]]

    # The marks are in the database: another worker (an empty cache) sends the rest only.
    cache.clear()
    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [second.email], [third.email]]
    assert tried == [first.email, second.email, second.email, third.email]


def test_stale_reminder_send_task_retries_transient_errors(department, mailoutbox, monkeypatch):
    first, second, third = three_recipients(department)
    tried = fail_for(monkeypatch, {second.email: [TimeoutError("timed out")]})
    args = [department.pk, TODAY.isoformat()]

    # Eager with propagation (tests/settings.py): the retry surfaces as Retry.
    with pytest.raises(Retry) as retry:
        stale_reminder_send_task.apply(args=args)
    assert isinstance(retry.value.exc, TimeoutError)
    assert [mail.to for mail in mailoutbox] == [[first.email]]

    assert stale_reminder_send_task.apply(args=args).get() == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [second.email], [third.email]]
    assert tried == [first.email, second.email, second.email, third.email]


class Refusing:
    """An aiosmtpd handler that refuses one address with 550 and keeps the rest."""

    def __init__(self, address: str):
        self.address = address
        self.accepted: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == self.address:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_stale_reminder_send_refused_address_on_a_real_connection(department, settings):
    from aiosmtpd.controller import Controller

    from ..mail_sink import free_port

    first, bad, last = three_recipients(department)
    handler = Refusing(bad.email)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

        assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    finally:
        controller.stop()
    assert handler.accepted == [first.email, last.email]
