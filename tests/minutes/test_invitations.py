"""Invitations: a round per send, double clicks, consent, the mail's content, and the
delivery through the outbox with a mail server that fails first."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors.models import Consent
from minutes.models import Attachment, InvitationRound, Meeting, MeetingMail
from minutes.services import invitations as services

from ..actors.factories import ConsentFactory, PersonFactory
from ..mail_sink import free_port
from .factories import (
    AgendaItemFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
)

pytestmark = pytest.mark.django_db


def member(body, *, consent=True, **kwargs):
    person = PersonFactory(**kwargs)
    MembershipFactory(body=body, person=person, start_date=datetime.date(2020, 11, 1))
    if consent:
        ConsentFactory(person=person, purpose=Consent.Purpose.INVITATIONS)
    return person


@pytest.fixture
def meeting(body):
    location = LocationFactory(
        room="Aula", street_address="Schulstraße 3", postal_code="27239", locality="Twistringen"
    )
    return MeetingFactory(
        body=body,
        date=datetime.date(2026, 12, 3),
        start_time=datetime.time(19, 0),
        location=location,
    )


@pytest.fixture
def send(coordinator, django_capture_on_commit_callbacks):
    """Send the invitation and run what the commit triggers (the delivery)."""

    def run(meeting, last_round=0):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_send(
                by=coordinator, meeting=meeting, last_round_number=last_round
            )

    return run


def test_invitation_send_makes_a_round_with_a_mail_per_member(send, meeting, body, mailoutbox):
    first, second = member(body), member(body)
    result = send(meeting)
    assert result.round.number == 1
    assert sorted(m.person_id for m in result.round.mails.all()) == sorted([first.pk, second.pk])
    assert sorted(address for m in mailoutbox for address in m.to) == sorted(
        [first.email, second.email]
    )
    assert set(MeetingMail.objects.values_list("status", flat=True)) == {MeetingMail.Status.SENT}
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.INVITED

    again = send(meeting, last_round=1)
    assert again.round.number == 2
    assert len(mailoutbox) == 4
    assert mailoutbox[-1].subject.startswith("Aktualisierte Einladung")


def test_invitation_send_a_double_click_sends_nothing_more(send, meeting, body, mailoutbox):
    member(body)
    send(meeting, last_round=0)
    assert send(meeting, last_round=0) is None
    assert InvitationRound.objects.count() == 1
    assert len(mailoutbox) == 1


def test_invitation_send_leaves_out_members_without_consent_and_former_members(
    send, meeting, body, other_body, mailoutbox
):
    invited = member(body)
    refused = member(body, consent=False, last_name="Ohnezustimmung")
    former = member(body)
    former.memberships.update(end_date=datetime.date(2021, 1, 1))
    member(other_body)
    result = send(meeting)
    assert [m.to for m in mailoutbox] == [[invited.email]]
    assert [entry["person"] for entry in result.recipients.left_out] == [refused]
    assert result.recipients.left_out[0]["reason"] == (
        "Für „Einladungen“ ist keine Rechtsgrundlage erfasst."
    )


def test_invitation_send_refuses_cancelled_meetings_and_bodies_nobody_may_be_invited(
    send, meeting, body
):
    member(body, consent=False)
    with pytest.raises(ValidationError):
        send(meeting)
    member(body)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    with pytest.raises(ValidationError) as error:
        send(meeting)
    assert "abgesagt" in error.value.messages[0]
    assert not InvitationRound.objects.exists()


def test_invitation_mail_shows_meeting_agenda_and_links(send, meeting, body, mailoutbox, settings):
    settings.SITE_URL = "https://integration.example"
    member(body, salutation="ms", last_name="Yılmaz")
    paper = PaperFactory(year=2020, serial=31, title="Integrationslotsen")
    AgendaItemFactory(meeting=meeting, title="Bericht der Verwaltung", paper=paper)
    AgendaItemFactory(meeting=meeting, title="Personalangelegenheit", is_public=False)
    file = Attachment.objects.create(
        paper=paper,
        name="Stellenbeschreibung",
        file="papers/x.pdf",
        file_name="x.pdf",
        mime_type="application/pdf",
        size=1,
    )
    send(meeting)
    text = mailoutbox[0].body
    html = mailoutbox[0].alternatives[0][0]
    assert mailoutbox[0].subject == f"Einladung: {body.name} am 03.12.2026"
    assert text.startswith("Sehr geehrte Frau Yılmaz,")
    assert "Donnerstag, 03.12.2026, 19:00 Uhr" in text
    assert "Aula, Schulstraße 3, 27239 Twistringen" in text
    assert "TOP Ö 1  Bericht der Verwaltung" in text
    assert "Tagesordnung – nichtöffentlicher Teil" in text
    assert "TOP N 1  Personalangelegenheit" in text
    assert f"https://integration.example/committees/meetings/{meeting.pk}/" in text
    assert f"https://integration.example/committees/papers/{paper.pk}/" in html
    assert f"https://integration.example/committees/attachments/{file.pk}/" in text
    assert "Vorlage 2020/031" in text


def test_invitation_delivery_retries_after_a_failing_server_then_sends(
    coordinator,
    meeting,
    body,
    settings,
    smtp_sink,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens: connection refused
    settings.EMAIL_TIMEOUT = 5
    person = member(body)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(by=coordinator, meeting=meeting, last_round_number=0)
    mail = MeetingMail.objects.get()
    assert mail.status == MeetingMail.Status.QUEUED
    assert mail.retry_after is not None
    assert mail.error.startswith("Mailserver nicht erreichbar")
    assert services.invitation_mails_sweep() == 0  # not due yet

    settings.EMAIL_PORT = smtp_sink.port
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=2), tick=False)
    assert services.invitation_mails_sweep() == 1
    mail.refresh_from_db()
    assert mail.status == MeetingMail.Status.SENT
    assert smtp_sink.recipients()[person.email] == 1
    # A second sweep (or the task delivered twice) sends nothing more.
    services.invitation_mails_sweep()
    services.invitation_mails_send(mail_ids=[mail.pk])
    assert smtp_sink.count() == 1


def test_invitation_mail_retry_requeues_a_failed_mail(coordinator, send, meeting, body, mailoutbox):
    person = member(body)
    send(meeting)
    mail = MeetingMail.objects.get()
    with pytest.raises(ValidationError):
        services.invitation_mail_retry(by=coordinator, mail=mail)  # sent, not failed
    MeetingMail.objects.filter(pk=mail.pk).update(
        status=MeetingMail.Status.FAILED, error="Vom Mailserver abgelehnt: 550", attempts=6
    )
    services.invitation_mail_retry(by=coordinator, mail=mail)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.error) == (MeetingMail.Status.QUEUED, 0, "")
    services.invitation_mails_sweep()
    mail.refresh_from_db()
    assert mail.status == MeetingMail.Status.SENT
    assert [m.to for m in mailoutbox] == [[person.email], [person.email]]


def test_invitation_delivery_cancels_mails_whose_consent_was_withdrawn(
    coordinator, meeting, body, mailoutbox
):
    person = member(body)
    services.invitation_send(by=coordinator, meeting=meeting, last_round_number=0)
    person.consents.update(withdrawn_at=timezone.now())
    services.invitation_mails_sweep()
    mail = MeetingMail.objects.get()
    assert mail.status == MeetingMail.Status.CANCELLED
    assert "widerrufen" in mail.error
    assert mailoutbox == []


def test_invitation_delivery_cancels_mails_to_former_members(
    coordinator, meeting, body, mailoutbox
):
    """The mail names the non-public items: nobody who left the body receives it, not
    by a retry, the sweep or "erneut senden"."""
    person = member(body)
    services.invitation_send(by=coordinator, meeting=meeting, last_round_number=0)
    person.memberships.update(end_date=datetime.date(2026, 1, 31))
    services.invitation_mails_sweep()
    mail = MeetingMail.objects.get()
    assert mail.status == MeetingMail.Status.CANCELLED
    assert mail.error == "Nicht mehr Mitglied des Gremiums"
    assert mailoutbox == []
    MeetingMail.objects.filter(pk=mail.pk).update(status=MeetingMail.Status.FAILED)
    with pytest.raises(ValidationError, match="nicht mehr Mitglied"):
        services.invitation_mail_retry(by=coordinator, mail=mail)
