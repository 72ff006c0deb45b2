"""Delivery services: launch, the outbox, retries.

Tasks run eagerly (tests/settings.py); on-commit work runs through
``django_capture_on_commit_callbacks(execute=True)``.
"""

import smtplib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from kombu.exceptions import OperationalError

from actors.models import Consent
from actors.services.network import consent_withdraw
from actors.surveys import tasks, tokens
from actors.surveys.models import Invitation, Mail, Survey
from actors.surveys.services import delivery
from actors.surveys.services.delivery import outbox

from .delivery_helpers import recipients, running, survey_with_recipients

pytestmark = pytest.mark.django_db


# --- Launch -------------------------------------------------------------------------


def test_survey_launch_twice_sends_each_invitation_once(launch, mailoutbox):
    survey = survey_with_recipients(3)
    emails = sorted(survey.invitations.values_list("person__email", flat=True))

    launch(survey)
    launch(survey)  # a double click

    survey.refresh_from_db()
    assert survey.status == Survey.Status.RUNNING
    assert survey.launched_at is not None
    assert recipients(mailoutbox) == emails
    assert set(Mail.objects.values_list("status", "attempts")) == {("sent", 1)}
    # The sweep finds nothing left to do.
    delivery.mails_sweep()
    assert len(mailoutbox) == 3


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_questions", "mindestens eine Frage"),
        ("no_recipients", "mindestens eine Empfängerin"),
        ("closed_date", "Schlussdatum"),
    ],
)
def test_survey_launch_refused_for_incomplete_survey(setup, message, launch, mailoutbox):
    survey = survey_with_recipients(2)
    if setup == "no_questions":
        survey.questions.all().delete()
    elif setup == "no_recipients":
        survey.invitations.all().delete()
    else:
        yesterday = timezone.localdate() - timedelta(days=1)
        Survey.objects.filter(pk=survey.pk).update(opens_on=yesterday, closes_on=yesterday)

    with pytest.raises(ValidationError) as error:
        launch(survey)

    assert message in " ".join(error.value.messages)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    assert not Mail.objects.exists()
    assert mailoutbox == []


def test_survey_launch_with_broker_down_succeeds_and_the_sweep_sends_later(
    launch, mailoutbox, monkeypatch
):
    survey = survey_with_recipients(3)

    class BrokerDown:
        @staticmethod
        def delay(*args):
            raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks, "survey_dispatch_task", BrokerDown)
        launch(survey)

    survey.refresh_from_db()
    assert survey.status == Survey.Status.RUNNING
    assert not Mail.objects.exists()
    assert mailoutbox == []

    summary = delivery.mails_sweep()
    delivery.mails_sweep()

    assert summary.created == 3
    assert recipients(mailoutbox) == sorted(
        survey.invitations.values_list("person__email", flat=True)
    )
    assert Mail.objects.filter(status=Mail.Status.SENT).count() == 3


def test_survey_launch_before_opening_day_sends_on_that_day(launch, mailoutbox, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    opens_on = timezone.localdate() + timedelta(days=3)
    survey = survey_with_recipients(2, opens_on=opens_on)

    launch(survey)
    delivery.mails_sweep()

    assert mailoutbox == []
    assert Mail.objects.filter(status=Mail.Status.QUEUED).count() == 2
    assert {mail.due_at for mail in Mail.objects.all()} == {survey.opens_at}

    time_machine.move_to(survey.opens_at + timedelta(minutes=1), tick=False)
    delivery.mails_sweep()

    assert len(mailoutbox) == 2


# --- Sending: errors, retries, claims --------------------------------------------------


def test_mails_send_transient_error_retries_with_backoff_then_fails(
    settings, scripted, mailoutbox, time_machine
):
    settings.SURVEY_MAIL_MAX_ATTEMPTS = 3
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = running(survey_with_recipients(1))
    busy = smtplib.SMTPResponseException(451, b"4.3.2 Please try again later")
    scripted.script = [busy, busy, busy]

    delivery.mails_sweep()
    mail = Mail.objects.get()
    assert (mail.status, mail.attempts) == (Mail.Status.QUEUED, 1)
    assert mail.retry_after == start + timedelta(minutes=1)
    assert mail.error == (
        "Mailserver nicht erreichbar, neuer Versuch folgt: 451 4.3.2 Please try again later"
    )

    # Before the backoff has passed the sweep leaves it alone.
    time_machine.move_to(start + timedelta(seconds=50), tick=False)
    delivery.mails_sweep()
    assert Mail.objects.get().attempts == 1

    time_machine.move_to(start + timedelta(minutes=1, seconds=5), tick=False)
    delivery.mails_sweep()
    mail = Mail.objects.get()
    assert (mail.status, mail.attempts) == (Mail.Status.QUEUED, 2)
    assert mail.retry_after == start + timedelta(minutes=3, seconds=5)

    time_machine.move_to(start + timedelta(minutes=4), tick=False)
    delivery.mails_sweep()
    mail = Mail.objects.get()
    assert (mail.status, mail.attempts) == (Mail.Status.FAILED, 3)
    assert mail.failed_at == start + timedelta(minutes=4)
    assert mail.error.startswith("Aufgegeben nach 3 Versuchen: 451")
    assert mailoutbox == []
    assert survey.status == Survey.Status.RUNNING


def test_mails_send_refused_recipient_fails_at_once_and_the_batch_goes_on(scripted, mailoutbox):
    running(survey_with_recipients(3))
    first = Mail.objects.order_by("due_at", "pk").first()
    refused = smtplib.SMTPRecipientsRefused(
        {first.invitation.person.email: (550, b"5.1.1 User unknown")}
    )
    scripted.script = [refused]

    delivery.mails_sweep()

    first.refresh_from_db()
    assert (first.status, first.attempts) == (Mail.Status.FAILED, 1)
    assert first.error == "Vom Mailserver abgelehnt: 550 5.1.1 User unknown"
    assert first.failed_at is not None
    assert len(mailoutbox) == 2
    assert scripted.opened == 1  # one connection for the whole batch


def test_mails_send_rejected_message_fails_at_once(scripted, mailoutbox):
    running(survey_with_recipients(1))
    scripted.script = [smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam")]

    delivery.mails_sweep()

    mail = Mail.objects.get()
    assert (mail.status, mail.attempts) == (Mail.Status.FAILED, 1)
    assert mail.error == "Vom Mailserver abgelehnt: 554 5.7.1 Message rejected as spam"


def test_mails_send_reopens_a_broken_connection_for_the_rest(scripted, mailoutbox):
    running(survey_with_recipients(3))
    scripted.script = [None, smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    summary = delivery.mails_send(mail_ids=list(Mail.objects.values_list("pk", flat=True)))

    assert (summary.sent, summary.retrying) == (2, 1)
    assert scripted.opened == 2
    broken = Mail.objects.get(status=Mail.Status.QUEUED)
    assert broken.retry_after is not None
    assert "Connection unexpectedly closed" in broken.error


def test_mails_send_unreachable_server_leaves_the_batch_to_the_sweep(scripted, mailoutbox):
    running(survey_with_recipients(3))
    scripted.open_error = ConnectionRefusedError(111, "Connection refused")
    ids = list(Mail.objects.order_by("pk").values_list("pk", flat=True))

    summary = delivery.mails_send(mail_ids=ids)

    assert summary.retrying == 1
    assert mailoutbox == []
    # One attempt counted; the others wait a minute without using one up.
    assert sorted(Mail.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    assert all(mail.retry_after for mail in Mail.objects.all())
    assert Mail.objects.filter(status=Mail.Status.QUEUED).count() == 3


def test_mails_send_skips_a_row_a_live_worker_sends_and_reclaims_a_stale_one(mailoutbox):
    running(survey_with_recipients(1))
    mail = Mail.objects.get()
    recently = timezone.now() - timedelta(minutes=1)
    Mail.objects.filter(pk=mail.pk).update(
        status=Mail.Status.SENDING, sending_since=recently, attempts=1
    )

    summary = delivery.mails_send(mail_ids=[mail.pk])
    delivery.mails_sweep()

    assert summary.skipped == 1
    assert mailoutbox == []
    assert Mail.objects.get().status == Mail.Status.SENDING

    dead_since = timezone.now() - delivery.sending_timeout() - timedelta(minutes=1)
    Mail.objects.filter(pk=mail.pk).update(sending_since=dead_since)
    delivery.mails_sweep()

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (Mail.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_mails_sweep_gives_up_a_row_every_attempt_of_which_was_interrupted(settings, mailoutbox):
    running(survey_with_recipients(1))
    dead_since = timezone.now() - delivery.sending_timeout() - timedelta(minutes=1)
    Mail.objects.update(
        status=Mail.Status.SENDING,
        sending_since=dead_since,
        attempts=settings.SURVEY_MAIL_MAX_ATTEMPTS,
    )

    summary = delivery.mails_sweep()

    mail = Mail.objects.get()
    assert summary.given_up == 1
    assert (mail.status, mail.error) == (
        Mail.Status.FAILED,
        "Der Versand wurde zu oft unterbrochen.",
    )
    assert mail.failed_at is not None
    assert mailoutbox == []


def test_mails_send_twice_sends_once(mailoutbox):
    running(survey_with_recipients(2))
    ids = list(Mail.objects.values_list("pk", flat=True))

    delivery.mails_send(mail_ids=ids)
    second = delivery.mails_send(mail_ids=ids)

    assert len(mailoutbox) == 2
    assert second.skipped == 2


def test_mails_send_cancels_when_consent_was_withdrawn_after_the_launch(mailoutbox):
    survey = running(survey_with_recipients(2))
    invitation = survey.invitations.order_by("pk").first()
    consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS)

    delivery.mails_sweep()

    mail = Mail.objects.get(invitation=invitation)
    assert mail.status == Mail.Status.CANCELLED
    assert "widerrufen" in mail.error
    assert mail.attempts == 0
    assert recipients(mailoutbox) == [
        survey.invitations.exclude(pk=invitation.pk).get().person.email
    ]


def test_mails_send_cancels_after_opt_out(mailoutbox):
    survey = running(survey_with_recipients(1))
    Invitation.objects.update(opted_out_at=timezone.now())

    delivery.mails_sweep()

    assert Mail.objects.get().status == Mail.Status.CANCELLED
    assert Mail.objects.get().error == "Abgemeldet"
    assert mailoutbox == []
    assert survey.invitations.count() == 1


def test_mail_retry_queues_a_failed_mail_and_sends_it(
    coordinator, scripted, mailoutbox, django_capture_on_commit_callbacks
):
    running(survey_with_recipients(1))
    scripted.script = [smtplib.SMTPRecipientsRefused({"x": (550, b"no such user")})]
    delivery.mails_sweep()
    mail = Mail.objects.get()
    assert mail.status == Mail.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        delivery.mail_retry(by=coordinator, mail=mail)

    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.error) == (Mail.Status.SENT, 1, "")
    assert mail.failed_at is None
    assert len(mailoutbox) == 1
    with pytest.raises(ValidationError):
        delivery.mail_retry(by=coordinator, mail=mail)


def test_mails_send_greylisted_recipient_is_tried_again(scripted, mailoutbox):
    running(survey_with_recipients(1))
    mail = Mail.objects.get()
    scripted.script = [
        smtplib.SMTPRecipientsRefused(
            {mail.invitation.person.email: (450, b"4.2.0 Greylisted, come back later")}
        )
    ]
    delivery.mails_sweep()
    mail.refresh_from_db()
    assert mail.status == Mail.Status.QUEUED
    assert mail.retry_after is not None
    assert "Greylisted" in mail.error


def test_mails_send_an_error_in_one_mail_does_not_hold_up_the_batch(scripted, mailoutbox):
    running(survey_with_recipients(3))
    scripted.script = [None, ValueError("cannot encode the address")]
    delivery.mails_sweep()
    statuses = sorted(Mail.objects.values_list("status", flat=True))
    assert statuses == [Mail.Status.FAILED, Mail.Status.SENT, Mail.Status.SENT]
    failed = Mail.objects.get(status=Mail.Status.FAILED)
    assert failed.error == "Interner Fehler beim Erstellen der E-Mail: ValueError"
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("meanwhile", ["closed", "opted_out", "consent_withdrawn"])
def test_mails_send_stops_a_claimed_batch_when_the_rules_change_meanwhile(
    coordinator, scripted, mailoutbox, meanwhile, monkeypatch
):
    # The batch looks again before every mail (in production once a second).
    monkeypatch.setattr(outbox, "CLAIM_RECHECK_SECONDS", 0)
    survey = running(survey_with_recipients(3))
    invitations = list(survey.invitations.order_by("pk"))

    def change():
        if meanwhile == "closed":
            delivery.survey_close(by=coordinator, survey=survey)
        elif meanwhile == "opted_out":
            from actors.surveys.services import responses

            for invitation in invitations:
                responses.invitation_opt_out(token=tokens.invitation_token(invitation))
        else:
            for invitation in invitations:
                consent_withdraw(by=None, person=invitation.person, purpose=Consent.Purpose.SURVEYS)

    # The first mail goes out, then the rules change while the batch is being sent.
    scripted.script = [change]
    delivery.mails_sweep()

    assert len(mailoutbox) == 1
    assert Mail.objects.filter(status=Mail.Status.SENT).count() == 1
    assert Mail.objects.filter(status=Mail.Status.CANCELLED).count() == 2


def test_mails_send_looks_at_the_rules_again_only_once_a_second(coordinator, scripted, mailoutbox):
    survey = running(survey_with_recipients(3))
    # Closed after the claim, within the second: the claimed batch still goes out.
    scripted.script = [lambda: delivery.survey_close(by=coordinator, survey=survey)]
    delivery.mails_sweep()
    assert len(mailoutbox) == 3
