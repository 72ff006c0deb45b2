"""People in the committee documents: the public variants name only people the one
public people rule (``access.public_people_q``) lets us name, and task owners only
when they are organisations; the members' variants name everybody. The letterhead
comes from the document machinery's one helper."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from actors.models import Person
from integration.documents import registry
from minutes.documents import invitation_pdf, minutes_pdf
from minutes.documents.kinds import INVITATION, MINUTES
from minutes.models import Attendance, Meeting
from minutes.selectors.access import person_is_public, public_people_q

from ...actors.factories import OrganisationFactory, PersonFactory
from ..factories import AttendanceFactory, FollowUpTaskFactory, MembershipFactory
from .test_documents import text_of

pytestmark = pytest.mark.django_db

WITHDRAWN = ("archived", "anonymised", "merged")


def withdraw(person: Person, how: str) -> Person:
    """Make ``person`` one the public may not see named (the three ways)."""
    if how == "archived":
        person.is_archived = True
    elif how == "anonymised":
        person.anonymised_at = timezone.now()
    else:
        person.merged_into = PersonFactory()
    person.save()
    return person


@pytest.fixture
def people_meeting(packet_meeting):
    """Published minutes of the packet meeting: a public item with one task owned by a
    person and one by an organisation; present a public and a withdrawn member, a
    withdrawn guest; a withdrawn secretary (the chair is the fixture's)."""
    meeting = packet_meeting.meeting
    kita = packet_meeting.items[0]
    FollowUpTaskFactory(
        agenda_item=kita,
        title="Bauantrag vorbereiten",
        owner_person=PersonFactory(last_name="Aufgabenträgerin"),
    )
    FollowUpTaskFactory(
        agenda_item=kita,
        title="Träger anfragen",
        owner_person=None,
        owner_organisation=OrganisationFactory(name="Caritas Wiesenbrück"),
    )
    AttendanceFactory(meeting=meeting, person=PersonFactory(last_name="Anwesendmann"))
    AttendanceFactory(
        meeting=meeting, person=PersonFactory(last_name="Archivfrau", is_archived=True)
    )
    AttendanceFactory(
        meeting=meeting,
        is_guest=True,
        function="Sachverständige",
        person=PersonFactory(last_name="Gastverborgen", is_archived=True),
    )
    MembershipFactory(
        body=meeting.body,
        role="secretary",
        person=PersonFactory(last_name="Protokollarchiv", is_archived=True),
    )
    Meeting.objects.filter(pk=meeting.pk).update(status="held", minutes_status="published")
    meeting.refresh_from_db()
    return meeting


HIDDEN_IN_PUBLIC = ("Aufgabenträgerin", "Archivfrau", "Gastverborgen", "Protokollarchiv")


def test_public_minutes_name_no_task_owner_person_and_no_withdrawn_person(people_meeting):
    text = text_of(minutes_pdf(people_meeting, variant="public"))
    assert "Bauantrag vorbereiten" in text
    assert "Caritas Wiesenbrück" in text
    assert "Anwesendmann" in text
    for name in HIDDEN_IN_PUBLIC:
        assert name not in text


def test_members_minutes_still_name_everybody(people_meeting):
    text = text_of(minutes_pdf(people_meeting, variant="members"))
    for name in ("Anwesendmann", "Caritas Wiesenbrück", *HIDDEN_IN_PUBLIC):
        assert name in text


@pytest.mark.parametrize("how", WITHDRAWN)
def test_public_documents_do_not_name_a_withdrawn_chair(packet_meeting, how):
    chair = packet_meeting.papers["chair"].person
    Meeting.objects.filter(pk=packet_meeting.meeting.pk).update(minutes_status="published")
    meeting = Meeting.objects.get(pk=packet_meeting.meeting.pk)
    assert chair.last_name in text_of(invitation_pdf(meeting, variant="public"))

    withdraw(chair, how)

    for variant_text in (
        text_of(invitation_pdf(meeting, variant="public")),
        text_of(minutes_pdf(meeting, variant="public")),
    ):
        assert chair.last_name not in variant_text
        assert "Vorsitz" in variant_text  # the role stays, the name goes
    assert chair.last_name in text_of(invitation_pdf(meeting, variant="members"))
    assert chair.last_name in text_of(minutes_pdf(meeting, variant="members"))


def test_public_minutes_fingerprint_ignores_people_it_does_not_show(people_meeting):
    kind = registry.kind_get(MINUTES)
    public = kind.fingerprint_inputs(people_meeting, "public")
    members = kind.fingerprint_inputs(people_meeting, "members")

    with time_machine.travel(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)):
        for name in ("Archivfrau", "Aufgabenträgerin"):
            person = Person.objects.get(last_name=name)
            person.first_name = "Geändert"
            person.save()
        hidden_row = Attendance.objects.get(person__last_name="Archivfrau")
        hidden_row.status = Attendance.Status.EXCUSED
        hidden_row.save()
    assert kind.fingerprint_inputs(people_meeting, "public") == public
    members_after = kind.fingerprint_inputs(people_meeting, "members")
    assert members_after != members

    # A person the public minutes name changes them.
    with time_machine.travel(datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC)):
        shown = Person.objects.get(last_name="Anwesendmann")
        shown.first_name = "Neu"
        shown.save()
    assert kind.fingerprint_inputs(people_meeting, "public") != public


def test_public_invitation_fingerprint_ignores_a_withdrawn_chair(packet_meeting):
    kind = registry.kind_get(INVITATION)
    chair = withdraw(packet_meeting.papers["chair"].person, "archived")
    public = kind.fingerprint_inputs(packet_meeting.meeting, "public")
    with time_machine.travel(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)):
        chair.first_name = "Geändert"
        chair.save()
    assert kind.fingerprint_inputs(packet_meeting.meeting, "public") == public


@pytest.mark.parametrize("how", WITHDRAWN)
def test_public_people_rule(how):
    shown = PersonFactory()
    hidden = withdraw(PersonFactory(), how)
    assert set(Person.objects.filter(public_people_q())) >= {shown}
    assert hidden not in Person.objects.filter(public_people_q())
    assert person_is_public(shown)
    assert not person_is_public(hidden)
    assert not person_is_public(None)
    membership = MembershipFactory(person=hidden)
    assert not membership.__class__.objects.filter(
        public_people_q("person__"), pk=membership.pk
    ).exists()


def test_documents_print_the_machinery_letterhead(packet_meeting, settings):
    settings.DOCUMENTS_LETTERHEAD_NAME = "Stadt Oelde"
    settings.DOCUMENTS_LETTERHEAD_ADDRESS = ["Ratsstiege 1", "59302 Oelde"]
    text = text_of(invitation_pdf(packet_meeting.meeting, variant="public"))
    assert "Stadt Oelde" in text
    assert "Ratsstiege 1" in text
    assert "59302 Oelde" in text
