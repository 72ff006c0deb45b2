"""The meeting packet in the browser: a committee member opens the next meeting,
has the members' packet created, watches the progress, downloads it and finds every
paper in it; a citizen downloads the public packet and finds no non-public word."""

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from integration.core.roles import Role
from integration.core.services import roles_sync
from integration.documents import services as document_services
from integration.documents import tasks as document_tasks
from minutes.models import Meeting

from ..actors.factories import PersonFactory
from ..core.factories import UserFactory
from ..minutes.documents.conftest import pdf_attach
from ..minutes.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    MembershipFactory,
    paper_of_department,
)
from .conftest import login, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sichere-Mappe-2026"
PUBLIC_PAPERS = ("Sprachkurse für Erwachsene", "Wohnraum für Geflüchtete")
SECRET_PAPER = "Geheimvorlage Personalplanung"
SECRET_WORDS = ("Geheimvorlage", "Geheimsache", "Geheimanlage")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def member_login():
    body = BodyFactory(name="Ausschuss für Soziales")
    user = UserFactory(username="horst", first_name="Horst", last_name="Küpker")
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([roles_sync()[Role.COMMITTEE_MEMBER.value]])
    person = PersonFactory(user=user, first_name="Horst", last_name="Küpker")
    MembershipFactory(body=body, person=person, start_date=None)
    return user, body


@pytest.fixture
def next_meeting(member_login):
    """The body's next meeting, its packet published by the coordination (not compiled)."""
    _user, body = member_login
    today = timezone.localdate()
    MeetingFactory(body=body, date=today - timezone.timedelta(days=30))
    meeting = MeetingFactory(
        body=body, date=today + timezone.timedelta(days=7), packet_published_at=timezone.now()
    )
    for title in PUBLIC_PAPERS:
        paper = paper_of_department(title=title, text=f"Sachverhalt zu {title}.")
        pdf_attach(paper, f"Anlage {title}", 2)
        AgendaItemFactory(meeting=meeting, title=title.split()[0], paper=paper)
    secret = paper_of_department(title=SECRET_PAPER, text="Geheimsache", is_public=False)
    pdf_attach(secret, "Geheimanlage Stellenplan")
    AgendaItemFactory(meeting=meeting, title="Geheimsache Personal", paper=secret, is_public=False)
    return meeting


@pytest.fixture
def held_compiles(monkeypatch):
    """Compiles wait until the test runs them, so the page shows its progress bar."""
    queued = []
    monkeypatch.setattr(document_tasks.document_compile_task, "delay", queued.append)
    return queued


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_member_downloads_the_members_packet_and_a_citizen_the_public_one(
    page, new_page, live_server, member_login, next_meeting, held_compiles
):
    problems = watch(page)
    login(page, live_server, "horst", PASSWORD)

    # The next meeting, from the meeting list.
    page.goto(live_server.url + reverse("minutes:meeting_list"))
    page.locator(f"a[href='{next_meeting.get_absolute_url()}']").first.click()
    page.wait_for_url(f"**{next_meeting.get_absolute_url()}")
    documents = page.locator("#documents")
    assert "Die Sitzungsmappe wurde am" in documents.inner_text()

    # Create the members' packet: the progress page shows the bar until it is ready.
    row = documents.locator("tr", has_text="Sitzungsmappe")
    with page.expect_navigation():
        row.locator("td").nth(0).get_by_role("button", name="Sitzungsmappe erstellen (PDF)").click()
    assert page.locator("progress#document-bar").is_visible()
    assert "wartet auf die Erstellung" in page.locator("[data-document-text]").inner_text()
    screenshot(page, "packet-progress")

    # The worker compiles it; the polling page turns to the download by itself.
    [document_id] = held_compiles
    document_services.document_compile(document_id=document_id)
    download_link = page.get_by_role("link", name="Herunterladen")
    download_link.wait_for()
    assert "Das PDF ist fertig." in page.locator("[data-document-text]").inner_text()
    with page.expect_download() as info:
        download_link.click()
    members_pdf = info.value.path().read_bytes()
    text = pdf_text(members_pdf)
    for title in (*PUBLIC_PAPERS, SECRET_PAPER):
        assert title in text
    assert "nicht öffentlich" in text
    assert not problems.csp_violations
    assert not problems.page_errors

    # A citizen, without login, downloads the public packet from its document URL.
    citizen = new_page()
    public_url = reverse(
        "documents:document_detail",
        kwargs={"kind": "minutes.packet", "subject": str(next_meeting.pk), "variant": "public"},
    )
    citizen.goto(live_server.url + public_url)
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="PDF erstellen").click()
    [_members, public_id] = held_compiles
    document_services.document_compile(document_id=public_id)
    download_link = citizen.get_by_role("link", name="Herunterladen")
    download_link.wait_for()
    with citizen.expect_download() as info:
        download_link.click()
    text = pdf_text(info.value.path().read_bytes())
    for title in PUBLIC_PAPERS:
        assert title in text
    for word in SECRET_WORDS:
        assert word not in text
    # The members' version stays closed to the citizen.
    members_url = public_url.replace("/public/", "/members/")
    citizen.goto(live_server.url + members_url)
    assert reverse("login") in citizen.url
    assert Meeting.objects.get(pk=next_meeting.pk).packet_published_at is not None
