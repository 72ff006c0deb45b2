"""The world of the leak matrix: non-public content marked with unique sentinel words,
the five roles, and who is entitled to see each sentinel.

Entitlements follow ``minutes.selectors.access`` exactly (see its docstring):

- Koordination sees everything.
- Members of body A see A's non-public items, the non-public paper consulted in A
  (and its files), A's non-public meeting files and A's draft minutes.
- The member of body C sees C's non-public item only.
- Verwaltung (``view_all_meetings``) sees every body's meetings, so body B, its
  meeting, its public item and its members; of non-public papers only those of the
  department it answers for (not the lead of A's non-public paper); never draft
  minutes (``minutes_visible``: Koordination and the body's members only).
- Anonymous visitors see none of it.

Two sentinels differ per route family (``STAFF`` pages behind the login, the
public ``PORTAL``); the third family, ``OPEN_DATA`` (OParl, iCal feeds, sitemap,
robots.txt), answers the same to everybody and may carry no sentinel at all:

- the follow-up task of an item whose minutes are a draft: the staff task list
  shows tasks by ``tasks_visible_to`` (they follow their item: every reader of the
  committee work); the portal's Beschlusskontrolle by ``minutes_items_visible_to``
  (Koordination and A's members only, like the minutes);
- the archived person sitting in body A, attending its published public meeting and
  owning a follow-up task of a public item there: never on public pages nor in
  public documents (the one people rule, ``access.public_people_q``; public task
  owners are named only when organisations); the staff pages list a body's members
  to every reader of the committee work and the network to Verwaltung and
  Koordination, and no rule hides archived people there.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from minutes.models import Attachment, Body, LegislativeTerm, Meeting
from minutes.services.attachments import attachment_text_extract
from minutes.services.calendars import calendar_feed_renew

from ..actors.factories import PersonFactory
from ..measures.factories import MeasureFactory, ResponsibilityFactory
from ..minutes.conftest import member_login
from ..minutes.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    BodyFactory,
    ConsultationFactory,
    DepartmentFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)

ANONYMOUS = "anonymous"
MEMBER_A = "member_a"
MEMBER_C = "member_c"
ADMINISTRATION = "administration"
COORDINATION = "coordination"
ROLES = (ANONYMOUS, MEMBER_A, MEMBER_C, ADMINISTRATION, COORDINATION)
LOGGED_IN = frozenset(ROLES) - {ANONYMOUS}

STAFF = "staff"
PORTAL = "portal"
OPEN_DATA = "open data"


@dataclass(frozen=True)
class Sentinel:
    word: str
    where: str
    entitled: frozenset[str]  # on staff and portal pages alike ...
    portal: frozenset[str] | None = None  # ... unless the portal differs

    def entitled_on(self, family: str) -> frozenset[str]:
        if family == OPEN_DATA:
            return frozenset()
        if family == PORTAL and self.portal is not None:
            return self.portal
        return self.entitled


A_ONLY = frozenset({COORDINATION, MEMBER_A})
C_ONLY = frozenset({COORDINATION, MEMBER_C})
STAFF_ROLES = frozenset({COORDINATION, ADMINISTRATION})

# The sentinel words: unique, and none a part of another.
ITEM_TITLE = "GEHEIMTOPTITELQX"
ITEM_MINUTES = "GEHEIMWORTPROTOKOLLQX"
ITEM_RESOLUTION = "GEHEIMBESCHLUSSTEXTQX"
ITEM_TASK = "GEHEIMARBEITSAUFTRAGQX"
PAPER_TITLE = "VORLAGENTITELGEHEIMQX"
PAPER_TEXT = "SACHVERHALTGEHEIMQX"
PAPER_PROPOSAL = "VORSCHLAGGEHEIMQX"
FILE_NAME = "ANLAGENNAMEGEHEIMQX"
FILE_FILE_NAME = "DATEINAMEGEHEIMQX"
FILE_TEXT = "ANLAGENTEXTGEHEIMQX"
MEETING_FILE_NAME = "SITZUNGSANLAGEGEHEIMQX"
MEETING_FILE_FILE_NAME = "SITZUNGSDATEIGEHEIMQX"
MEETING_FILE_TEXT = "SITZUNGSTEXTGEHEIMQX"
DRAFT_MINUTES = "ENTWURFPROTOKOLLQX"
DRAFT_RESOLUTION = "ENTWURFBESCHLUSSQX"
DRAFT_TASK = "ENTWURFAUFTRAGQX"
BODY_B_NAME = "GREMIUMBGEHEIMQX"
MEETING_B_NAME = "SITZUNGBGEHEIMQX"
ITEM_B_TITLE = "TOPBGEHEIMQX"
PERSON_B_NAME = "MITGLIEDBGEHEIMQX"
DEPARTMENT_PAPER_TITLE = "REFERATSVORLAGEQX"
ITEM_C_TITLE = "ANDERERTOPGEHEIMQX"
ARCHIVED_NAME = "ARCHIVPERSONQX"

SENTINELS = {
    s.word: s
    for s in (
        # A public meeting of body A (minutes published) with a non-public item.
        Sentinel(ITEM_TITLE, "title of the non-public item of A", A_ONLY),
        Sentinel(ITEM_MINUTES, "minutes text of the non-public item", A_ONLY),
        Sentinel(ITEM_RESOLUTION, "resolution text of the non-public item", A_ONLY),
        Sentinel(ITEM_TASK, "follow-up task of the non-public item", A_ONLY),
        # The non-public paper treated there (consulted in A, lead: another department).
        Sentinel(PAPER_TITLE, "title of the non-public paper", A_ONLY),
        Sentinel(PAPER_TEXT, "text of the non-public paper", A_ONLY),
        Sentinel(PAPER_PROPOSAL, "proposal of the non-public paper", A_ONLY),
        Sentinel(FILE_NAME, "name of the non-public paper's file", A_ONLY),
        Sentinel(FILE_FILE_NAME, "file name of the non-public paper's file", A_ONLY),
        Sentinel(FILE_TEXT, "text in (and extracted from) the paper's PDF", A_ONLY),
        # A non-public file of that meeting.
        Sentinel(MEETING_FILE_NAME, "name of the non-public meeting file", A_ONLY),
        Sentinel(MEETING_FILE_FILE_NAME, "file name of the non-public meeting file", A_ONLY),
        Sentinel(MEETING_FILE_TEXT, "text in (and extracted from) the meeting PDF", A_ONLY),
        # A public item of A whose minutes are still a draft.
        Sentinel(DRAFT_MINUTES, "draft minutes text of a public item", A_ONLY),
        Sentinel(DRAFT_RESOLUTION, "draft resolution text of a public item", A_ONLY),
        Sentinel(
            DRAFT_TASK,
            "task of an item with draft minutes",
            A_ONLY | STAFF_ROLES,
            portal=A_ONLY,
        ),
        # The non-public body B: its name, meeting, public item and member.
        Sentinel(BODY_B_NAME, "name of the non-public body B", STAFF_ROLES),
        Sentinel(MEETING_B_NAME, "name of B's meeting", STAFF_ROLES),
        Sentinel(ITEM_B_TITLE, "title of the public item of B's meeting", STAFF_ROLES),
        Sentinel(PERSON_B_NAME, "name of the person sitting in B only", STAFF_ROLES),
        # Verwaltung's own department's non-public paper; C's non-public item.
        Sentinel(
            DEPARTMENT_PAPER_TITLE, "non-public paper of Verwaltung's own department", STAFF_ROLES
        ),
        Sentinel(ITEM_C_TITLE, "title of the non-public item of body C", C_ONLY),
        # An archived person still sitting in the public body A.
        Sentinel(
            ARCHIVED_NAME,
            "archived person sitting in A, attending and owning a task of its public meeting",
            LOGGED_IN,
            portal=frozenset(),
        ),
    )
}
# Public content, so that pages are not empty (the portal's positive controls).
PUBLIC_PAPER_TITLE = "Integration: Stellenprofil für eine Stelle Integrationsmanagement"
PUBLIC_ITEM_TITLE = "Stellenprofil Integration"
# A word found nowhere: the search page for it is what a hidden hit must look like.
NONSENSE = "QUATSCHWORTZZ"


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose only content stream (uncompressed) shows ``text``."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


def _pdf_attachment(*, name: str, file_name: str, text: str, **owner) -> Attachment:
    content = minimal_pdf(text)
    attachment = Attachment.objects.create(
        name=name,
        file=ContentFile(content, name=file_name),
        file_name=file_name,
        mime_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **owner,
    )
    # The extraction the upload's Celery task runs: the sentinel reaches the search index.
    attachment_text_extract(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.text == text
    return attachment


@dataclass
class World:
    users: dict  # role → User (anonymous: None)
    body_a: Body
    body_b: Body
    body_c: Body
    meetings: list[Meeting]  # published with non-public item, draft, B's, C's
    objects: dict = field(default_factory=dict)  # kind → list of the sensitive objects
    tokens: dict = field(default_factory=dict)  # role → personal calendar token


def build_world(*, coordinator, administration_user) -> World:
    """Every kind of non-public content, each with its own sentinel, and some public
    content; returns the world with the five roles' users."""
    today = timezone.localdate()
    lead = DepartmentFactory(name="FB II Familie & Soziales")
    own_department = DepartmentFactory(name="FB III Ordnung und Bürgerdienste")
    ResponsibilityFactory(user=administration_user, organisation=own_department)

    body_a = BodyFactory(name="Ausschuss für Soziales und Integration")
    body_c = BodyFactory(name="Integrationsrat", kind=Body.Kind.INTEGRATION_COUNCIL)
    body_b = BodyFactory(name=BODY_B_NAME, kind=Body.Kind.WORKING_GROUP, is_public=False)
    member_a = member_login(body_a)
    member_c = member_login(body_c)
    person_b = PersonFactory(last_name=PERSON_B_NAME)
    membership_b = MembershipFactory(body=body_b, person=person_b)
    archived = PersonFactory(last_name=ARCHIVED_NAME, is_archived=True)
    membership_archived = MembershipFactory(body=body_a, person=archived)

    public_paper = PaperFactory(
        title=PUBLIC_PAPER_TITLE, text="Die Stadt schafft eine Stelle.", lead_department=lead
    )
    ConsultationFactory(paper=public_paper, body=body_a)
    secret_paper = PaperFactory(
        is_public=False,
        title=PAPER_TITLE,
        text=PAPER_TEXT,
        proposal=PAPER_PROPOSAL,
        lead_department=lead,
    )
    consultation = ConsultationFactory(paper=secret_paper, body=body_a)
    department_paper = PaperFactory(
        is_public=False,
        title=DEPARTMENT_PAPER_TITLE,
        lead_department=own_department,
    )

    published = MeetingFactory(
        body=body_a,
        date=today - datetime.timedelta(days=14),
        status=Meeting.Status.HELD,
        minutes_status=Meeting.MinutesStatus.PUBLISHED,
        minutes_published_at=timezone.now(),
    )
    public_item = AgendaItemFactory(
        meeting=published, title=PUBLIC_ITEM_TITLE, paper=public_paper, minutes_text="Aussprache."
    )
    public_resolution = ResolutionFactory(
        agenda_item=public_item, text="Der Ausschuss empfiehlt die Stelle."
    )
    # The archived person attended that public meeting and owns a task of its public
    # item: the public minutes, packet and Beschlusskontrolle must not name them.
    AttendanceFactory(meeting=published, person=archived)
    FollowUpTaskFactory(
        agenda_item=public_item,
        resolution=public_resolution,
        title="Stellenausschreibung vorbereiten",
        owner_person=archived,
    )
    secret_item = AgendaItemFactory(
        meeting=published,
        is_public=False,
        title=ITEM_TITLE,
        paper=secret_paper,
        minutes_text=ITEM_MINUTES,
    )
    consultation.agenda_item = secret_item
    consultation.save()
    secret_resolution = ResolutionFactory(agenda_item=secret_item, text=ITEM_RESOLUTION)
    secret_task = FollowUpTaskFactory(
        agenda_item=secret_item,
        resolution=secret_resolution,
        title=ITEM_TASK,
    )

    draft = MeetingFactory(
        body=body_a,
        date=today - datetime.timedelta(days=3),
        status=Meeting.Status.HELD,
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    draft_item = AgendaItemFactory(
        meeting=draft,
        title="Bericht der Integrationsbeauftragten",
        minutes_text=DRAFT_MINUTES,
    )
    draft_resolution = ResolutionFactory(agenda_item=draft_item, text=DRAFT_RESOLUTION)
    draft_task = FollowUpTaskFactory(
        agenda_item=draft_item,
        resolution=draft_resolution,
        title=DRAFT_TASK,
    )
    # Measures show the resolutions concerning them (resolutions_visible_to).
    measure = MeasureFactory()
    secret_resolution.measures.add(measure)
    draft_resolution.measures.add(measure)

    meeting_b = MeetingFactory(
        body=body_b, name=MEETING_B_NAME, date=today + datetime.timedelta(days=3)
    )
    item_b = AgendaItemFactory(meeting=meeting_b, title=ITEM_B_TITLE)
    meeting_c = MeetingFactory(body=body_c, date=today + datetime.timedelta(days=4))
    AgendaItemFactory(meeting=meeting_c, title="Bericht aus dem Integrationsrat")
    item_c = AgendaItemFactory(meeting=meeting_c, is_public=False, title=ITEM_C_TITLE)

    secret_file = _pdf_attachment(
        paper=secret_paper,
        name=FILE_NAME,
        file_name=FILE_FILE_NAME + ".pdf",
        text=FILE_TEXT,
    )
    meeting_file = _pdf_attachment(
        meeting=published,
        is_public=False,
        name=MEETING_FILE_NAME,
        file_name=MEETING_FILE_FILE_NAME + ".pdf",
        text=MEETING_FILE_TEXT,
    )
    public_file = _pdf_attachment(
        paper=public_paper,
        name="Stellenprofil",
        file_name="stellenprofil.pdf",
        text="Stellenprofil Integration Twistringen",
    )
    LegislativeTerm.objects.create(
        name="2025–2030",
        start_date=datetime.date(2025, 11, 1),
        end_date=datetime.date(2030, 10, 31),
    )

    world = World(
        users={
            ANONYMOUS: None,
            MEMBER_A: member_a,
            MEMBER_C: member_c,
            ADMINISTRATION: administration_user,
            COORDINATION: coordinator,
        },
        body_a=body_a,
        body_b=body_b,
        body_c=body_c,
        meetings=[published, draft, meeting_b, meeting_c],
        objects={
            "item": [secret_item, draft_item, item_b, item_c],
            "paper": [secret_paper, department_paper],
            "attachment": [secret_file, meeting_file],
            "task": [secret_task, draft_task],
            "membership": [membership_b, membership_archived],
            "person": [person_b, archived],
            "measure": [measure],
            "public_file": [public_file],
        },
    )
    world.tokens = {
        MEMBER_A: calendar_feed_renew(user=member_a),
        MEMBER_C: calendar_feed_renew(user=member_c),
    }
    return world
