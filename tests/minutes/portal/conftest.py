"""The portal's test town: the Twistringen session of the social committee (TOP Ö 5,
paper 2020/031-1), a non-public personnel item, a draft meeting, the Integrationsrat
and a non-public working group; "today" is Monday, 23 November 2026."""

import datetime
import hashlib
import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from minutes.models import Attachment, Body, Meeting, Membership, Paper, Resolution

from ...actors.factories import PersonFactory
from ...measures.factories import ResponsibilityFactory
from ..factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    DepartmentFactory,
    FollowUpTaskFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)

TODAY = datetime.date(2026, 11, 23)

# Non-public content: none of it may reach anybody not entitled.
SECRET_ITEM = "Personalangelegenheit Stellenbesetzung"
SECRET_MINUTES = "Vertrauliche Beratung über die Bewerberlage"
SECRET_RESOLUTION = "Die Stelle wird Frau Kaya übertragen"
SECRET_TASK = "Arbeitsvertrag vorbereiten"
SECRET_PAPER = "Besetzung der Stelle Integrationsmanagement"
SECRET_PAPER_TEXT = "Drei Bewerbungen liegen vor"
SECRET_FILE = "Bewerberübersicht"
SECRET_MEETING_FILE = "Vertrauliche Tischvorlage"
DRAFT_MINUTES = "Entwurf: Bericht über die Sprachkurse"
DRAFT_TASK = "Sprachkursangebot erweitern"
CLOSED_BODY = "Arbeitsgruppe Wohnen"
CLOSED_MEETING_ITEM = "Wohnraum für Geflüchtete"
ARCHIVED_PERSON = "Archivmitglied"

# Public content.
PUBLIC_ITEM = "Stellenprofil Integration"
PUBLIC_PAPER = "Integration: Stellenprofil für eine Stelle Integrationsmanagement"
PUBLIC_TASK = "Konkrete Stellenbeschreibung bis Ende des Jahres"


@dataclass
class Town:
    body: Body
    other_body: Body
    closed_body: Body
    lead: object
    meeting: Meeting
    draft_meeting: Meeting
    closed_meeting: Meeting
    council_meeting: Meeting
    public_item: object
    secret_item: object
    draft_item: object
    closed_item: object
    public_paper: Paper
    main_paper: Paper
    secret_paper: Paper
    public_file: Attachment
    secret_file: Attachment
    public_meeting_file: Attachment
    secret_meeting_file: Attachment


def make_file(*, name: str, file_name: str, **owner) -> Attachment:
    content = b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n"
    return Attachment.objects.create(
        name=name,
        file=ContentFile(content, name=file_name),
        file_name=file_name,
        mime_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **owner,
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)
    return TODAY


@pytest.fixture
def town(today, body, other_body) -> Town:
    """``body`` is the social committee (``body_member`` sits in it), ``other_body``
    the Integrationsrat (``other_member``)."""
    lead = DepartmentFactory(name="FB II Familie & Soziales")
    closed_body = BodyFactory(name=CLOSED_BODY, kind=Body.Kind.WORKING_GROUP, is_public=False)
    town_hall = LocationFactory(
        room="Sitzungssaal",
        street_address="Lange Straße 2",
        postal_code="27239",
        locality="Wiesenbrück",
    )
    MembershipFactory(
        body=body,
        person=PersonFactory(first_name="Anke", last_name="Raven"),
        role=Membership.Role.CHAIR,
        on_behalf_of="SPD",
    )
    MembershipFactory(body=body, person=PersonFactory(last_name=ARCHIVED_PERSON, is_archived=True))

    main_paper = PaperFactory(
        year=2020,
        serial=31,
        title="Integrationsarbeit in der Stadt",
        lead_department=lead,
        date=datetime.date(2020, 6, 2),
    )
    public_paper = PaperFactory(
        year=2020,
        serial=31,
        supplement=1,
        main_paper=main_paper,
        kind=Paper.Kind.INFORMATION,
        title=PUBLIC_PAPER,
        text="Am Runden Tisch wurden 45 Mitglieder befragt.\n\nSieben haben geantwortet.",
        date=datetime.date(2020, 10, 1),
        lead_department=lead,
        author=PersonFactory(first_name="Jana", last_name="Bredehorst"),
    )
    public_paper.related_papers.add(main_paper)
    public_consultation = ConsultationFactory(paper=public_paper, body=body)
    secret_paper = PaperFactory(
        is_public=False,
        year=2026,
        serial=940,
        title=SECRET_PAPER,
        text=SECRET_PAPER_TEXT,
        lead_department=lead,
    )
    secret_consultation = ConsultationFactory(paper=secret_paper, body=body)

    meeting = MeetingFactory(
        body=body,
        name="12. Sitzung",
        date=datetime.date(2026, 10, 15),
        start_time=datetime.time(19, 0),
        end_time=datetime.time(20, 52),
        location=town_hall,
        status=Meeting.Status.HELD,
        minutes_status=Meeting.MinutesStatus.PUBLISHED,
        minutes_published_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
    )
    for title in (
        "Eröffnung und Begrüßung",
        "Genehmigung der Tagesordnung",
        "Einwohnerfragestunde",
        "Bericht der Verwaltung",
    ):
        AgendaItemFactory(meeting=meeting, title=title)
    speaker = PersonFactory(first_name="Anke", last_name="Raven")
    public_item = AgendaItemFactory(
        meeting=meeting,
        title=PUBLIC_ITEM,
        paper=public_paper,
        minutes_text="Frau Raven stellt die Umfrage vor.\n\nHerr Meyer fragt nach dem Rücklauf.",
    )
    public_item.speakers.add(speaker)
    public_consultation.agenda_item = public_item
    public_consultation.save()
    resolution = ResolutionFactory(
        agenda_item=public_item,
        kind=Resolution.Kind.NOTED,
        text="Der Ausschuss nimmt den Bericht zur Kenntnis.",
        vote=Resolution.Vote.COUNTED,
        yes=9,
        no=1,
        abstentions=2,
        biased=1,
    )
    FollowUpTaskFactory(
        agenda_item=public_item,
        resolution=resolution,
        title=PUBLIC_TASK,
        owner_person=None,
        owner_organisation=lead,
        due_on=datetime.date(2026, 12, 31),
    )
    FollowUpTaskFactory(
        agenda_item=public_item,
        resolution=resolution,
        title="Rücklauf der Umfrage auswerten",
        owner_person=PersonFactory(first_name="Gerda", last_name="Personenname"),
        due_on=datetime.date(2026, 11, 1),
    )
    secret_item = AgendaItemFactory(
        meeting=meeting,
        is_public=False,
        title=SECRET_ITEM,
        paper=secret_paper,
        minutes_text=SECRET_MINUTES,
    )
    secret_consultation.agenda_item = secret_item
    secret_consultation.save()
    secret_resolution = ResolutionFactory(agenda_item=secret_item, text=SECRET_RESOLUTION)
    FollowUpTaskFactory(
        agenda_item=secret_item,
        resolution=secret_resolution,
        title=SECRET_TASK,
        owner_person=None,
        owner_organisation=lead,
    )

    draft_meeting = MeetingFactory(
        body=body,
        date=datetime.date(2026, 11, 12),
        status=Meeting.Status.HELD,
        minutes_status=Meeting.MinutesStatus.DRAFT,
        location=town_hall,
    )
    draft_item = AgendaItemFactory(
        meeting=draft_meeting, title="Sprachkurse", minutes_text=DRAFT_MINUTES
    )
    draft_resolution = ResolutionFactory(agenda_item=draft_item)
    FollowUpTaskFactory(
        agenda_item=draft_item,
        resolution=draft_resolution,
        title=DRAFT_TASK,
        owner_person=None,
        owner_organisation=lead,
    )

    closed_meeting = MeetingFactory(body=closed_body, date=datetime.date(2026, 11, 26))
    closed_item = AgendaItemFactory(meeting=closed_meeting, title=CLOSED_MEETING_ITEM)
    council_meeting = MeetingFactory(
        body=other_body, date=datetime.date(2026, 12, 3), start_time=datetime.time(17, 0)
    )
    AgendaItemFactory(meeting=council_meeting, title="Bericht aus dem Integrationsrat")

    return Town(
        body=body,
        other_body=other_body,
        closed_body=closed_body,
        lead=lead,
        meeting=meeting,
        draft_meeting=draft_meeting,
        closed_meeting=closed_meeting,
        council_meeting=council_meeting,
        public_item=public_item,
        secret_item=secret_item,
        draft_item=draft_item,
        closed_item=closed_item,
        public_paper=public_paper,
        main_paper=main_paper,
        secret_paper=secret_paper,
        public_file=make_file(
            paper=public_paper, name="Auswertung der Umfrage", file_name="umfrage.pdf"
        ),
        secret_file=make_file(paper=secret_paper, name=SECRET_FILE, file_name="bewerber.pdf"),
        public_meeting_file=make_file(
            meeting=meeting, is_public=True, name="Einladung", file_name="einladung.pdf"
        ),
        secret_meeting_file=make_file(
            meeting=meeting, name=SECRET_MEETING_FILE, file_name="tischvorlage.pdf"
        ),
    )


@pytest.fixture
def department_user(administration_user, town):
    """A Verwaltung login answering for the lead department of the non-public paper."""
    ResponsibilityFactory(user=administration_user, organisation=town.lead)
    return administration_user


SECRETS = (
    SECRET_ITEM,
    SECRET_MINUTES,
    SECRET_RESOLUTION,
    SECRET_TASK,
    SECRET_PAPER,
    SECRET_PAPER_TEXT,
    SECRET_FILE,
    SECRET_MEETING_FILE,
)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf(html: str) -> str:
    """A page without its per-request CSRF token (logged-in pages carry the logout form)."""
    return CSRF.sub("", html)


def text(node) -> str:
    return " ".join(node.get_text(" ").split())
