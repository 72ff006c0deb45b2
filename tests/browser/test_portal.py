"""The public portal in the browser: the citizen's and the committee member's path (issue 8).

A citizen searches "Stellenprofil Integration", opens paper 2020/031-1, follows its
Beratungsfolge to TOP Ö 5, reads the resolution and subscribes to the committee's
calendar; on a phone the meeting page fits the screen. A member of the committee sees
the non-public item N 1 on the same pages; a member of another body does not, and its
address answers 404. Nowhere does the non-public content reach the citizen.

The Twistringen session of 15.10.2020 is arranged with factories; "today" is a
Monday three weeks later, so the meeting lies within the calendar feed's year.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from minutes.models import Body, Consultation, Meeting, Paper, Resolution

from ..actors.factories import PersonFactory
from ..minutes.conftest import member_login
from ..minutes.factories import (
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
from .conftest import PHONE, assert_accessible, login, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Buergerinfo-Twistringen-2020"
BODY = "Ausschuss für Bildung, Erziehung, Senioren und Soziales"
OTHER_BODY = "Integrationsrat"
ROOM = "Hildegard-von-Bingen-Gymnasium"
TITLE = "Integration – Stellenprofil für die Schaffung einer entsprechenden Stelle"
PAPER_TEXT = (
    "Entsprechend der Beschlussfassung aus der letzten Sitzung legt die Verwaltung ein "
    "Stellenprofil für eine Fachkraft vor, die die Integration in Twistringen koordiniert."
)
MINUTES_TEXT = (
    "Von den 45 Befragten des Runden Tisches meldeten sich 7 zurück.\n\n"
    "Mitglied Heinfried Dießelberg bemängelt, dass eine Verschiebung des Stellenprofils "
    "und der Abgleich mit der Caritas nicht klar seien."
)
RESOLUTION_TEXT = "Der Ausschuss nimmt den Bericht zur Kenntnis."
TASK = "Konkrete Stellenbeschreibung vorlegen"
QUERY = "Stellenprofil Integration"
# The non-public content; every word of the query occurs in it, so a search that
# ignored the access rules would show it.
SECRET_ITEM = "Personalangelegenheit: Besetzung der Stelle für Integrationsarbeit"
SECRET_PAPER = "Personalvorlage: Bewerberauswahl zum Stellenprofil Integration"
SECRET_MINUTES = "Drei Bewerbungen auf das Stellenprofil Integration liegen vor."
SECRETS = (SECRET_ITEM, SECRET_PAPER, SECRET_MINUTES, "Personalangelegenheit", "N 1")
# Three weeks after the meeting; the minutes were published the week before.
TODAY = datetime.datetime(2020, 11, 9, 10, tzinfo=datetime.UTC)


@pytest.fixture
def twistringen(time_machine):
    """The seed of issue 7 through factories: returns the meeting, Ö 5, N 1 and the paper."""
    time_machine.move_to(TODAY, tick=True)
    department = DepartmentFactory(name="FB II Familie & Soziales", kind="administration")
    body = BodyFactory(name=BODY, kind=Body.Kind.COMMITTEE, is_public=True)
    for first, last, role in [
        ("Jürgen", "Schulze", "chair"),
        ("Horst", "Küpker", "member"),
        ("Heinfried", "Dießelberg", "member"),
    ]:
        MembershipFactory(
            body=body, person=PersonFactory(first_name=first, last_name=last), role=role
        )
    main_paper = PaperFactory(
        year=2020,
        serial=31,
        kind=Paper.Kind.INFORMATION,
        title="Integration",
        date=datetime.date(2020, 6, 18),
        lead_department=department,
    )
    paper = PaperFactory(
        year=2020,
        serial=31,
        supplement=1,
        main_paper=main_paper,
        kind=Paper.Kind.INFORMATION,
        title=TITLE,
        text=PAPER_TEXT,
        date=datetime.date(2020, 10, 1),
        lead_department=department,
        author=PersonFactory(first_name="Anke", last_name="Raven"),
    )
    secret_paper = PaperFactory(
        year=2020,
        serial=44,
        is_public=False,
        title=SECRET_PAPER,
        text=SECRET_MINUTES,
        date=datetime.date(2020, 10, 5),
        lead_department=department,
    )
    meeting = MeetingFactory(
        body=body,
        date=datetime.date(2020, 10, 15),
        start_time=datetime.time(19, 0),
        end_time=datetime.time(20, 52),
        location=LocationFactory(
            room=ROOM,
            street_address="Vechtaer Straße 44",
            postal_code="27239",
            locality="Twistringen",
        ),
        status=Meeting.Status.HELD,
        minutes_status=Meeting.MinutesStatus.PUBLISHED,
        minutes_published_at=datetime.datetime(2020, 11, 2, 9, tzinfo=datetime.UTC),
        packet_published_at=datetime.datetime(2020, 10, 5, 9, tzinfo=datetime.UTC),
    )
    for title in [
        "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Ladung und der Tagesordnung",
        "Genehmigung der Niederschrift über die Sitzung vom 18.06.2020",
        "Mitteilungen der Verwaltung",
        "Einwohnerfragestunde",
    ]:
        AgendaItemFactory(meeting=meeting, title=title)
    item = AgendaItemFactory(meeting=meeting, title=TITLE, paper=paper, minutes_text=MINUTES_TEXT)
    ConsultationFactory(
        paper=paper, body=body, agenda_item=item, role=Consultation.Role.INFORMATION
    )
    resolution = ResolutionFactory(
        agenda_item=item,
        kind=Resolution.Kind.NOTED,
        text=RESOLUTION_TEXT,
        vote=Resolution.Vote.NONE,
    )
    FollowUpTaskFactory(
        agenda_item=item,
        resolution=resolution,
        title=TASK,
        owner_person=None,
        owner_organisation=department,
        due_on=datetime.date(2020, 12, 31),
    )
    secret_item = AgendaItemFactory(
        meeting=meeting,
        is_public=False,
        title=SECRET_ITEM,
        paper=secret_paper,
        minutes_text=SECRET_MINUTES,
    )
    ConsultationFactory(paper=secret_paper, body=body, agenda_item=secret_item)
    ResolutionFactory(agenda_item=secret_item, text=SECRET_MINUTES)
    return {"meeting": meeting, "item": item, "secret_item": secret_item, "paper": paper}


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def member(twistringen):
    """A Gremienmitglied sitting in the committee."""
    return _with_password(member_login(twistringen["meeting"].body))


@pytest.fixture
def other_member(twistringen):
    """A Gremienmitglied of another body only."""
    return _with_password(member_login(BodyFactory(name=OTHER_BODY, kind="integration_council")))


def _click(page, locator):
    with page.expect_navigation():
        locator.click()


def _assert_no_secret(page):
    html = page.content()
    for secret in SECRETS:
        assert secret not in html, f"{secret!r} on {page.url}"


def _assert_no_problems(problems):
    assert problems.console_errors == []
    assert problems.csp_violations == []
    assert problems.page_errors == []
    assert problems.failed_requests == []


def _documents(page) -> list[str]:
    """The PDF entries of a meeting page the visitor sees (buttons and their version)."""
    entries = page.locator("#documents .portal-document")
    return [" ".join(entry.inner_text().split()) for entry in entries.all() if entry.is_visible()]


def _portal(live_server, name: str, *args) -> str:
    return live_server.url + reverse(f"portal:{name}", args=args)


# --- The citizen ------------------------------------------------------------------------


def test_citizen_finds_the_paper_reads_the_resolution_and_subscribes(
    page, live_server, twistringen
):
    problems = watch(page)
    meeting = twistringen["meeting"]

    # The search on the portal's start page.
    page.goto(_portal(live_server, "index"))
    _assert_no_secret(page)
    page.get_by_label("Vorlagen, Tagesordnungspunkte, Protokolle und Beschlüsse durchsuchen").fill(
        QUERY
    )
    _click(page, page.get_by_role("search").get_by_role("button", name="Suchen"))
    assert urlsplit(page.url).path == reverse("portal:search")
    _assert_no_secret(page)
    result = page.locator(".search-result", has_text=f"2020/031-1 {TITLE}")
    assert result.count() == 1
    marks = result.locator(".search-snippet mark").all_inner_texts()
    assert {mark.lower() for mark in marks} >= {"stellenprofil", "integration"}

    # The paper, and from its Beratungsfolge TOP Ö 5.
    _click(page, result.get_by_role("link", name=f"2020/031-1 {TITLE}"))
    assert urlsplit(page.url).path == reverse("portal:paper_detail", args=[twistringen["paper"].pk])
    assert page.locator("h1").inner_text() == TITLE
    _assert_no_secret(page)
    consultation = page.locator(".portal-consultations tbody tr")
    assert consultation.count() == 1
    assert BODY in consultation.inner_text()
    assert "zur Kenntnis genommen" in consultation.inner_text()
    _click(page, consultation.get_by_role("link", name="TOP Ö 5"))

    # The item: minutes, resolution, the follow-up task.
    assert urlsplit(page.url).path == reverse("portal:item_detail", args=[twistringen["item"].pk])
    _assert_no_secret(page)
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".portal-resolution-kind").inner_text() == "zur Kenntnis genommen"
    assert page.locator(".portal-resolution-text").inner_text() == RESOLUTION_TEXT
    minutes = page.locator("section[aria-labelledby=item-minutes]").inner_text()
    assert "Verschiebung des Stellenprofils" in minutes
    assert TASK in page.locator(".portal-tasks").inner_text()

    # The committee, and its calendar.
    _click(page, page.locator(".portal-facts").get_by_role("link", name=BODY, exact=True))
    assert urlsplit(page.url).path == reverse("portal:body_detail", args=[meeting.body_id])
    _assert_no_secret(page)
    feed = page.locator(".portal-feed")
    webcal = feed.get_by_role("link", name=f"Im Kalender abonnieren ({BODY})")
    download = feed.get_by_role("link", name=f"Herunterladen (iCal) ({BODY})")
    # The links carry SITE_URL; the file itself comes from the live server.
    feed_path = reverse("minutes:calendar_body", args=[meeting.body_id])
    site = urlsplit(settings.SITE_URL)
    assert webcal.get_attribute("href") == f"webcal://{site.netloc}{feed_path}"
    assert download.get_attribute("href") == f"https://{site.netloc}{feed_path}"
    response = page.request.get(live_server.url + feed_path)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.body()).walk("VEVENT")
    assert BODY in str(event["SUMMARY"])
    assert ROOM in str(event["LOCATION"])
    meeting_path = reverse("portal:meeting_detail", args=[meeting.pk])
    assert str(event["URL"]) == settings.SITE_URL + meeting_path
    assert event.decoded("DTSTART").isoformat() == "2020-10-15T19:00:00+02:00"
    for secret in SECRETS:
        assert secret.encode() not in response.body()

    # The meeting page: the public part only, the public PDFs only.
    _click(page, page.locator(".portal-list").get_by_role("link", name="Do, 15.10.2020"))
    assert urlsplit(page.url).path == meeting_path
    _assert_no_secret(page)
    numbers = page.locator(".portal-agenda-number").all_inner_texts()
    assert numbers == ["Ö 1", "Ö 2", "Ö 3", "Ö 4", "Ö 5"]
    assert _documents(page) == [
        "Sitzungsmappe erstellen (PDF) Öffentliche Fassung",
        "Niederschrift erstellen (PDF) Öffentliche Fassung",
    ]
    _assert_no_problems(problems)


def test_citizen_reads_the_meeting_on_a_phone(new_page, live_server, twistringen):
    phone = new_page(**PHONE)
    problems = watch(phone)
    phone.goto(_portal(live_server, "meeting_detail", twistringen["meeting"].pk))
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= phone.evaluate("() => window.innerWidth")
    item = phone.locator(".portal-agenda-item", has_text="Ö 5")
    assert item.is_visible()
    assert TITLE in item.inner_text()
    _assert_no_secret(phone)
    _assert_no_problems(problems)


# --- The members ------------------------------------------------------------------------


def test_member_sees_the_nonpublic_item_and_nobody_else_does(
    page, new_page, live_server, twistringen, member, other_member
):
    meeting, secret_item = twistringen["meeting"], twistringen["secret_item"]
    problems = watch(page)
    login(page, live_server, member.username, PASSWORD)
    page.goto(_portal(live_server, "meeting_detail", meeting.pk))
    numbers = page.locator(".portal-agenda-number").all_inner_texts()
    assert numbers == ["Ö 1", "Ö 2", "Ö 3", "Ö 4", "Ö 5", "N 1"]
    assert _documents(page) == [
        "Sitzungsmappe erstellen (PDF) Öffentliche Fassung",
        "Sitzungsmappe erstellen (PDF) Fassung für die Mitglieder",
        "Niederschrift erstellen (PDF) Öffentliche Fassung",
    ]
    entry = page.locator(".portal-agenda-item", has_text="N 1")
    assert "nicht öffentlich" in entry.inner_text()
    _click(page, entry.get_by_role("link", name=SECRET_ITEM))
    assert urlsplit(page.url).path == reverse("portal:item_detail", args=[secret_item.pk])
    assert page.locator("h1").inner_text() == SECRET_ITEM
    assert "nicht öffentlich" in page.locator(".portal-item-number").inner_text()
    _assert_no_problems(problems)

    other = new_page()
    login(other, live_server, other_member.username, PASSWORD)
    other.goto(_portal(live_server, "meeting_detail", meeting.pk))
    assert other.locator(".portal-agenda-number").all_inner_texts()[-1] == "Ö 5"
    _assert_no_secret(other)
    # Its address answers as an unknown one does.
    response = other.goto(_portal(live_server, "item_detail", secret_item.pk))
    assert response.status == 404
    _assert_no_secret(other)
    hidden = other.locator("body").inner_text()
    assert other.goto(_portal(live_server, "item_detail", secret_item.pk + 1000)).status == 404
    assert other.locator("body").inner_text() == hidden


# --- Accessibility and a look at every page ------------------------------------------------


def test_portal_pages_are_accessible(axe_page, live_server, twistringen):
    search = _portal(live_server, "search") + "?q=Stellenprofil+Integration"
    for url in [
        _portal(live_server, "index"),
        search,
        _portal(live_server, "meeting_detail", twistringen["meeting"].pk),
        _portal(live_server, "paper_detail", twistringen["paper"].pk),
    ]:
        axe_page.goto(url)
        assert_accessible(axe_page)


def _portal_pages(live_server, twistringen) -> dict[str, str]:
    meeting = twistringen["meeting"]
    return {
        "index": _portal(live_server, "index"),
        "search": _portal(live_server, "search") + "?q=Stellenprofil+Integration",
        "paper": _portal(live_server, "paper_detail", twistringen["paper"].pk),
        "item": _portal(live_server, "item_detail", twistringen["item"].pk),
        "meeting": _portal(live_server, "meeting_detail", meeting.pk),
        "body": _portal(live_server, "body_detail", meeting.body_id),
        "calendar": _portal(live_server, "meeting_list") + "?month=2020-10",
        "tasks": _portal(live_server, "task_list"),
        "papers": _portal(live_server, "paper_list"),
    }


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_portal_pages_fit_the_screen(new_page, live_server, twistringen, member, device):
    """Every page without horizontal scrolling, screenshots in var/screenshots to look at."""
    page = new_page(**(PHONE if device == "phone" else {}))
    problems = watch(page)
    for name, url in _portal_pages(live_server, twistringen).items():
        page.goto(url)
        screenshot(page, f"portal-{name}-{device}")
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= page.evaluate("() => window.innerWidth"), name
        _assert_no_secret(page)
    login(page, live_server, member.username, PASSWORD)
    page.goto(_portal(live_server, "meeting_detail", twistringen["meeting"].pk))
    screenshot(page, f"portal-meeting-member-{device}")
    assert SECRET_ITEM in page.locator("#agenda").inner_text()
    _assert_no_problems(problems)
