"""Invitation, minutes, Beschlusskontrolle and the packet's fingerprint inputs."""

import datetime
import io

import pypdf
import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from minutes.documents import (
    DocumentUnavailableError,
    invitation_pdf,
    minutes_pdf,
    packet_fingerprint_inputs,
    task_control_pdf,
)
from minutes.models import Meeting

from ...actors.factories import OrganisationFactory
from ..factories import (
    AgendaItemFactory,
    AttendanceFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    ResolutionFactory,
)
from .conftest import SECRET_WORDS, page_texts, pdf_attach

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\f".join(page_texts(pdf))


# Invitation


def test_invitation_members_lists_both_parts(packet_meeting):
    pdf = invitation_pdf(packet_meeting.meeting, variant="members")
    text = text_of(pdf)
    assert "Öffentlicher Teil" in text
    assert "Nicht öffentlicher Teil" in text
    assert "Geheimsache Personal" in text
    assert "Donnerstag, 03.12.2026" in text
    assert "18:00 Uhr" in text
    assert "Ratssaal, Markt 1, 12345 Wiesenbrück" in text
    assert "Stadt Wiesenbrück" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title.startswith("Einladung ")
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_invitation_public_names_no_nonpublic_item(packet_meeting):
    text = text_of(invitation_pdf(packet_meeting.meeting, variant="public"))
    assert "Kita-Ausbau" in text
    assert "ÖFFENTLICHE BEKANNTMACHUNG" in text  # kicker in capitals
    for word in (*SECRET_WORDS, "Nicht öffentlicher Teil", "N 1"):
        assert word not in text
    assert packet_meeting.papers["hidden"].reference not in text


def test_invitation_unknown_variant_is_refused(packet_meeting):
    with pytest.raises(ValueError, match="Unknown variant"):
        invitation_pdf(packet_meeting.meeting, variant="everyone")


# Fingerprint


def test_fingerprint_changes_with_content_and_not_for_the_public_with_hidden_changes(
    packet_meeting,
):
    meeting = packet_meeting.meeting
    members = packet_fingerprint_inputs(meeting, "members")
    public = packet_fingerprint_inputs(meeting, "public")
    assert members != public
    assert packet_fingerprint_inputs(meeting, "members") == members

    # A non-public paper changes the members' packet only.
    secret = packet_meeting.papers["secret"]
    with time_machine.travel(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)):
        secret.title = "Geheimvorlage Personal, geändert"
        secret.save()
    assert packet_fingerprint_inputs(meeting, "members") != members
    assert packet_fingerprint_inputs(meeting, "public") == public

    # A new file of a public paper changes both.
    pdf_attach(packet_meeting.papers["courses"], "Kursplan")
    assert packet_fingerprint_inputs(meeting, "public") != public


def test_fingerprint_inputs_need_few_queries(packet_meeting, django_assert_max_num_queries):
    for _ in range(10):
        item = AgendaItemFactory(meeting=packet_meeting.meeting, title="Weiterer Punkt")
        pdf_attach(packet_meeting.papers["courses"], "Noch eine Anlage")
        item.save()
    with django_assert_max_num_queries(6):
        packet_fingerprint_inputs(packet_meeting.meeting, "public")
    with django_assert_max_num_queries(5):
        packet_fingerprint_inputs(packet_meeting.meeting, "members")


# Minutes


@pytest.fixture
def held_meeting(packet_meeting):
    meeting = packet_meeting.meeting
    kita, _ohne, _grund, _kurse, _wohnen, secret = packet_meeting.items
    kita.minutes_text = "Frau Schulz erläutert den Ausbau."
    kita.save()
    ResolutionFactory(
        agenda_item=kita,
        text="Der Ausschuss empfiehlt den Ausbau.",
        vote="counted",
        yes=9,
        no=2,
        abstentions=1,
    )
    FollowUpTaskFactory(agenda_item=kita, title="Bauantrag vorbereiten")
    secret.minutes_text = "Geheimsache wurde beraten."
    secret.save()
    ResolutionFactory(agenda_item=secret, text="Geheimgrund beschlossen.")
    FollowUpTaskFactory(agenda_item=secret, title="Geheimsache umsetzen")
    AttendanceFactory(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    return meeting


def test_minutes_public_needs_published_minutes(held_meeting):
    with pytest.raises(DocumentUnavailableError):
        minutes_pdf(held_meeting, variant="public")
    text = text_of(minutes_pdf(held_meeting, variant="members"))
    assert "Nicht veröffentlicht" in text
    assert "Geheimsache wurde beraten." in text


def test_minutes_public_shows_published_public_items_only(held_meeting):
    Meeting.objects.filter(pk=held_meeting.pk).update(minutes_status="published")
    text = text_of(minutes_pdf(held_meeting, variant="public"))
    assert "NIEDERSCHRIFT" in text  # kicker in capitals
    assert "Frau Schulz erläutert den Ausbau." in text
    assert "9 Ja, 2 Nein, 1 Enthaltungen" in text
    assert "Bauantrag vorbereiten" in text
    assert "Anwesend" in text
    assert "Vorsitz" in text
    for word in (*SECRET_WORDS, "Nicht veröffentlicht", "nicht öffentlich"):
        assert word not in text


# Beschlusskontrolle


@time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=datetime.UTC))
def test_task_control_lights_as_symbol_and_word(packet_meeting, coordinator):
    kita, *_rest, secret = packet_meeting.items
    FollowUpTaskFactory(
        agenda_item=kita, title="Überfälliger Auftrag", due_on=datetime.date(2026, 12, 1)
    )
    FollowUpTaskFactory(
        agenda_item=kita, title="Bald fälliger Auftrag", due_on=datetime.date(2026, 12, 12)
    )
    FollowUpTaskFactory(
        agenda_item=kita,
        title="Späterer Auftrag",
        due_on=datetime.date(2027, 3, 1),
        owner_person=None,
        owner_organisation=OrganisationFactory(name="Caritas Wiesenbrück"),
    )
    FollowUpTaskFactory(agenda_item=kita, title="Erledigter Auftrag", status="done")
    FollowUpTaskFactory(agenda_item=secret, title="Geheimsache Auftrag")
    text = text_of(task_control_pdf(None, user_or_anonymous=coordinator))
    assert "● überfällig" in text
    assert "◐ bald fällig" in text
    assert "○ im Plan" in text
    assert "Überfälliger Auftrag" in text
    assert "Geheimsache Auftrag" in text
    assert "Erledigter Auftrag" not in text

    # The public sees tasks of published minutes only, and no person's name.
    public = text_of(
        task_control_pdf(packet_meeting.meeting.body, user_or_anonymous=AnonymousUser())
    )
    assert "Überfälliger Auftrag" not in public
    Meeting.objects.filter(pk=packet_meeting.meeting.pk).update(minutes_status="published")
    public = text_of(
        task_control_pdf(packet_meeting.meeting.body, user_or_anonymous=AnonymousUser())
    )
    assert "Überfälliger Auftrag" in public
    assert "Caritas Wiesenbrück" in public
    assert "Geheimsache" not in public
    owner = kita.tasks.get(title="Überfälliger Auftrag").owner_person
    assert owner.last_name not in public


def test_task_control_of_a_hidden_body_does_not_exist(packet_meeting):
    hidden = MeetingFactory(body__name="Geheimer Kreis", body__is_public=False).body
    with pytest.raises(DocumentUnavailableError):
        task_control_pdf(hidden, user_or_anonymous=AnonymousUser())
