"""Publishing the meeting packet: the members' view before and after, the mail to the
members once per content through the outbox (a dying worker, a failing mail server),
and a changed packet after an item edit."""

import datetime
import re
import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.models import Consent, Person
from integration.core.outbox import sending_timeout
from integration.documents import registry
from integration.documents.models import Document
from integration.documents.services import fingerprint_compute
from minutes.documents.kinds import PACKET
from minutes.models import Meeting
from minutes.models.invitations import PacketMail
from minutes.services import packets
from minutes.services.packets import packet_mails_queue, packet_publish
from minutes.tasks import packet_mails_queue_task

from ..actors.factories import ConsentFactory, PersonFactory
from .documents.conftest import pdf_attach
from .factories import AgendaItemFactory, MeetingFactory, MembershipFactory, paper_of_department

pytestmark = pytest.mark.django_db

PUBLISH = "Sitzungsmappe veröffentlichen"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def meeting(body):
    meeting = MeetingFactory(body=body)
    paper = paper_of_department(title="Sprachkurse für Erwachsene")
    pdf_attach(paper, "Kursplan")
    AgendaItemFactory(meeting=meeting, title="Sprachkurse", paper=paper)
    AgendaItemFactory(meeting=meeting, title="Geheimsache Personal", is_public=False)
    return meeting


@pytest.fixture
def members(body, body_member):
    """The logged-in member and a second one consent to invitations; a third does not."""
    consenting = Person.objects.get(user=body_member)
    ConsentFactory(person=consenting, purpose=Consent.Purpose.INVITATIONS)
    second = PersonFactory(email="zweite@wiesenbrueck.example")
    MembershipFactory(body=body, person=second)
    ConsentFactory(person=second, purpose=Consent.Purpose.INVITATIONS)
    refusing = PersonFactory(email="ohne-einwilligung@wiesenbrueck.example")
    MembershipFactory(body=body, person=refusing)
    return {"consenting": [consenting, second], "refusing": refusing}


def publish_on_page(django_app, coordinator, meeting, capture):
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    assert PUBLISH in page.text
    form = next(f for f in page.forms.values() if f.action.endswith("/packet/publish/"))
    with capture(execute=True):
        response = form.submit()
    return response.follow()


def test_member_sees_no_packet_before_publishing(django_app, body_member, meeting):
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    assert "Die Sitzungsmappe ist noch nicht veröffentlicht." in page.text
    assert "/documents/minutes.packet/" not in page.text
    assert PUBLISH not in page.text
    url = reverse(
        "documents:document_detail",
        kwargs={"kind": PACKET, "subject": str(meeting.pk), "variant": "members"},
    )
    django_app.get(url, user=body_member, status=404)


def test_publish_mails_consenting_members_once_with_the_link(
    django_app,
    coordinator,
    body_member,
    members,
    meeting,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    page = publish_on_page(django_app, coordinator, meeting, django_capture_on_commit_callbacks)
    assert "Die Sitzungsmappe ist veröffentlicht." in page.text
    meeting.refresh_from_db()
    assert meeting.packet_published_at is not None
    statuses = dict(
        Document.objects.filter(kind=PACKET, subject=str(meeting.pk)).values_list(
            "variant", "status"
        )
    )
    assert statuses == {"members": "ready", "public": "ready"}

    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == sorted(person.email for person in members["consenting"])
    member_email = Person.objects.get(user=body_member).email
    mail = next(m for m in mailoutbox if m.to == [member_email])
    assert mail.subject.startswith("Die Sitzungsmappe für ")
    assert mail.subject.endswith(" ist veröffentlicht")
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    link = re.search(r"https://integration\.example\.org(/documents/\S+)", mail.body).group(1)
    assert link == f"/documents/minutes.packet/{meeting.pk}/members/"

    # The link opens the ready packet for the member.
    document_page = django_app.get(link, user=body_member)
    assert "Das PDF ist fertig." in document_page.text
    assert document_page.click("Herunterladen").content_type == "application/pdf"

    # A re-run of the task, the kind's notify and publishing again send nothing more.
    assert packet_mails_queue_task.apply(args=[meeting.pk]).get() == 0
    document = Document.objects.get(kind=PACKET, subject=str(meeting.pk), variant="members")
    registry.kind_get(PACKET).notify(document)
    with django_capture_on_commit_callbacks(execute=True):
        packet_publish(meeting=meeting, by=coordinator)
    assert len(mailoutbox) == 2
    assert PacketMail.objects.filter(meeting=meeting).count() == 2


def test_member_page_after_publishing_shows_the_packet_and_its_changes(
    django_app,
    coordinator,
    body_member,
    members,
    meeting,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        packet_publish(meeting=meeting, by=coordinator)
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    assert "Die Sitzungsmappe wurde am " in page.text
    assert PUBLISH not in page.text
    assert "Sitzungsmappe herunterladen (öffentliche Fassung)" in page.text
    download = page.click("Sitzungsmappe herunterladen \\(Fassung für die Mitglieder\\)")
    assert download.content_type == "application/pdf"
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    assert "Geändert seit Ihrem letzten Download" not in page.text

    # An item edited after publishing: a new content, to be created again by whoever
    # opens it first; once created, the member is told it changed since their download,
    # and the members are mailed once more, as an update, once.
    item = meeting.agenda_items.get(title="Sprachkurse")
    item.title = "Sprachkurse für Erwachsene und Jugendliche"
    item.save()
    mailoutbox.clear()
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    form = next(
        f
        for f in page.forms.values()
        if f.action == f"/documents/minutes.packet/{meeting.pk}/members/request/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        form.submit()
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    assert "Geändert seit Ihrem letzten Download" in page.text
    assert len(mailoutbox) == 2
    assert all("wurde aktualisiert" in mail.subject for mail in mailoutbox)
    assert packet_mails_queue(meeting_id=meeting.pk) == 0
    assert len(mailoutbox) == 2


def test_fingerprint_changes_after_an_item_edit(coordinator, meeting):
    kind = registry.kind_get(PACKET)
    before = fingerprint_compute(kind=kind, subject=meeting, variant="members")
    packet_publish(meeting=meeting, by=coordinator)
    # Publishing itself does not change the content.
    assert fingerprint_compute(kind=kind, subject=meeting, variant="members") == before
    item = meeting.agenda_items.first()
    item.title = "Neuer Titel"
    item.save()
    assert fingerprint_compute(kind=kind, subject=meeting, variant="members") != before


def test_no_mail_before_publishing_or_while_not_ready(members, meeting, mailoutbox):
    assert packet_mails_queue(meeting_id=meeting.pk) == 0
    Meeting.objects.filter(pk=meeting.pk).update(packet_published_at=meeting.created_at)
    # Published, but the members' packet was never compiled: nothing yet.
    assert packet_mails_queue(meeting_id=meeting.pk) == 0
    assert mailoutbox == []


def test_publish_refused_for_a_cancelled_meeting(coordinator, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        packet_publish(meeting=meeting, by=coordinator)
    assert Meeting.objects.get(pk=meeting.pk).packet_published_at is None


@pytest.mark.parametrize("role", ["committee_member", "administration_user"])
def test_publish_view_only_for_the_coordination(django_app, role, request, meeting):
    user = request.getfixturevalue(role)
    url = reverse("minutes:packet_publish", args=[meeting.pk])
    django_app.post(url, user=user, status=403)
    assert Meeting.objects.get(pk=meeting.pk).packet_published_at is None


class WorkerDied(BaseException):
    """A worker killed mid-loop: not an ``Exception``, nothing catches it."""


def _publish_ready(coordinator, meeting, capture):
    with capture(execute=True):
        packet_publish(meeting=meeting, by=coordinator)


def test_packet_mails_survive_a_worker_dying_mid_loop(
    body,
    coordinator,
    members,
    meeting,
    mailoutbox,
    monkeypatch,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
    third = PersonFactory(email="dritte@wiesenbrueck.example")
    MembershipFactory(body=body, person=third)
    ConsentFactory(person=third, purpose=Consent.Purpose.INVITATIONS)
    real_send = packets.email_send
    calls = []

    def dying(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise WorkerDied
        real_send(**kwargs)

    monkeypatch.setattr(packets, "email_send", dying)
    with pytest.raises(WorkerDied):
        _publish_ready(coordinator, meeting, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    statuses = sorted(PacketMail.objects.values_list("status", flat=True))
    # Sent, left "sending" by the dead worker, given back to the queue untried.
    assert statuses == ["queued", "sending", "sent"]

    # The next run (the task again, the sweep) sends the rest, none twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert packet_mails_queue_task.apply(args=[meeting.pk]).get() == 0
    assert len(mailoutbox) == 2
    time_machine.shift(sending_timeout() + datetime.timedelta(minutes=1))
    assert packets.packet_mails_sweep() == 1
    packets.packet_mails_sweep()
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    expected = [person.email for person in members["consenting"]] + [third.email]
    assert recipients == sorted(expected)
    assert set(PacketMail.objects.values_list("status", flat=True)) == {"sent"}


def test_packet_mail_retried_after_a_transient_smtp_error(
    coordinator,
    members,
    meeting,
    mailoutbox,
    monkeypatch,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC), tick=False)
    real_send = packets.email_send
    calls = []

    def busy_once(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 1:
            raise smtplib.SMTPResponseException(451, b"4.3.0 Try again later")
        real_send(**kwargs)

    monkeypatch.setattr(packets, "email_send", busy_once)
    _publish_ready(coordinator, meeting, django_capture_on_commit_callbacks)
    waiting = PacketMail.objects.get(status=PacketMail.Status.QUEUED)
    assert waiting.retry_after is not None
    assert waiting.error.startswith("Mailserver nicht erreichbar")
    assert len(mailoutbox) == 1
    assert packets.packet_mails_sweep() == 0  # not due yet
    time_machine.shift(datetime.timedelta(minutes=2))
    assert packets.packet_mails_sweep() == 1
    waiting.refresh_from_db()
    assert waiting.status == PacketMail.Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members["consenting"])


def test_failed_packet_mail_shown_on_the_meeting_page_and_sent_again_by_publishing(
    django_app,
    coordinator,
    body_member,
    members,
    meeting,
    mailoutbox,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    real_send = packets.email_send
    refused = members["consenting"][1].email

    def refusing(**kwargs):
        if kwargs["to"] == [refused]:
            raise smtplib.SMTPRecipientsRefused({refused: (550, b"5.1.1 User unknown")})
        real_send(**kwargs)

    monkeypatch.setattr(packets, "email_send", refusing)
    _publish_ready(coordinator, meeting, django_capture_on_commit_callbacks)
    failed = PacketMail.objects.get(status=PacketMail.Status.FAILED)
    assert failed.email == refused
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    mails = page.html.select_one(".packet-mails").get_text(" ")
    assert "Fehlgeschlagen" in mails
    assert "Vom Mailserver abgelehnt" in mails
    # The members do not see the addresses.
    assert "packet-mails" not in django_app.get(meeting.get_absolute_url(), user=body_member)

    monkeypatch.setattr(packets, "email_send", real_send)
    publish_on_page(django_app, coordinator, meeting, django_capture_on_commit_callbacks)
    failed.refresh_from_db()
    assert failed.status == PacketMail.Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members["consenting"])


def test_packet_mail_cancelled_when_consent_was_withdrawn_before_sending(
    coordinator, members, meeting, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    # The rows are made, the send task does not run yet.
    monkeypatch.setattr(packets.OUTBOX, "enqueue", lambda ids: None)
    _publish_ready(coordinator, meeting, django_capture_on_commit_callbacks)
    assert PacketMail.objects.count() == 2
    withdrawing = members["consenting"][1]
    withdrawing.consents.update(withdrawn_at=meeting.created_at)
    packets.packet_mails_send(mail_ids=list(PacketMail.objects.values_list("pk", flat=True)))
    assert [m.to for m in mailoutbox] == [[members["consenting"][0].email]]
    cancelled = PacketMail.objects.get(person=withdrawing)
    assert cancelled.status == PacketMail.Status.CANCELLED
    assert "widerrufen" in cancelled.error
