"""The coordinator prepares a meeting, records it afterwards and sets a follow-up task.

Meeting → two agenda items (one treating a paper) → reorder → held → attendance →
minutes of an item with a counted vote → a follow-up task from it. Then the
meeting page on a desktop and a phone.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.core.roles import Role
from integration.core.services import roles_sync
from minutes.models import AgendaItem, FollowUpTask, Meeting, Resolution

from ..actors.factories import PersonFactory
from ..core.factories import UserFactory
from ..minutes.factories import BodyFactory, MembershipFactory, paper_of_department
from .conftest import PHONE, assert_accessible, login, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sichere-Sitzung-2026"
BODY = "Ausschuss für Bildung, Erziehung, Senioren und Soziales"
PAPER_TITLE = "Integration: Stellenprofil für die Schaffung einer entsprechenden Stelle"


@pytest.fixture
def coordinator_login():
    user = UserFactory(username="miriam", first_name="Miriam", last_name="Albers")
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([roles_sync()[Role.COORDINATION.value]])
    return user


@pytest.fixture
def committee():
    body = BodyFactory(name=BODY)
    chair = PersonFactory(first_name="Jürgen", last_name="Schulze")
    MembershipFactory(body=body, person=chair, role="chair", start_date=None)
    for first, last in [("Horst", "Küpker"), ("Heinfried", "Dießelberg"), ("Anna", "Brand")]:
        MembershipFactory(
            body=body, person=PersonFactory(first_name=first, last_name=last), start_date=None
        )
    paper = paper_of_department(year=2020, serial=31, title=PAPER_TITLE, kind="information")
    return body, chair, paper


def _submit(page, locator):
    with page.expect_navigation():
        locator.click()


def test_coordinator_prepares_a_meeting_and_records_a_vote_and_a_task(
    page, new_page, live_server, coordinator_login, committee
):
    body, chair, _paper = committee
    problems = watch(page)
    login(page, live_server, "miriam", PASSWORD)
    today = timezone.localdate()

    # The meeting, with a location typed in.
    page.goto(live_server.url + reverse("minutes:meeting_list"))
    _submit(page, page.get_by_role("link", name="Neue Sitzung"))
    page.locator("select[name=body]").select_option(label=BODY)
    page.fill("input[name=date]", today.isoformat())
    page.fill("input[name=start_time]", "19:00")
    page.fill("input[name=end_time]", "20:52")
    page.fill("input[name=room]", "Hildegard-von-Bingen-Gymnasium")
    page.fill("input[name=street_address]", "Vechtaer Straße 44")
    page.fill("input[name=postal_code]", "27239")
    page.fill("input[name=locality]", "Twistringen")
    _submit(page, page.get_by_role("button", name="Speichern"))
    meeting = Meeting.objects.get(body=body)
    assert page.url.endswith(meeting.get_absolute_url())
    assert "19:00–20:52 Uhr" in page.locator(".meeting-when").inner_text()

    # Two items on the same page: one without, one with the paper.
    add = page.locator("#item-add")
    add.locator("input[name=title]").fill("Mitteilungen der Verwaltung")
    _submit(page, add.get_by_role("button", name="TOP hinzufügen"))
    add = page.locator("#item-add")
    add.locator("input[name=title]").fill("Integration")
    add.locator("select[name=paper]").select_option(label=f"2020/031 {PAPER_TITLE}")
    _submit(page, add.get_by_role("button", name="TOP hinzufügen"))
    assert "2020/031" in page.locator("#agenda").inner_text()

    # The item with the paper becomes Ö 1.
    _submit(page, page.get_by_role("button", name="Ö 2 nach oben verschieben"))
    numbers = page.locator(".agenda-number").all_inner_texts()
    titles = page.locator(".agenda-title").all_inner_texts()
    assert numbers == ["TOP Ö 1", "TOP Ö 2"]
    assert titles == ["Integration", "Mitteilungen der Verwaltung"]

    # After the meeting: held, attendance (all present by default).
    _submit(page, page.get_by_role("button", name="Als durchgeführt markieren"))
    _submit(page, page.get_by_role("link", name="Anwesenheit erfassen"))
    page.fill("textarea[name=guests]", "Claudia Möllenkamp, Jugendsozialarbeiterin")
    _submit(page, page.get_by_role("button", name="Speichern"))
    assert "Anwesend (4)" in page.locator("#attendance").inner_text()

    # The minutes of Ö 1 with a counted vote, then on to Ö 2.
    item = AgendaItem.objects.get(meeting=meeting, title="Integration")
    page.goto(live_server.url + reverse("minutes:item_minutes", args=[item.pk]))
    page.fill(
        "textarea[name=minutes_text]",
        "Mitglied Horst Küpker zeigt sich verwundert über den geringen Rücklauf.",
    )
    page.get_by_label("Küpker, Horst").check()
    page.get_by_label("Schulze, Jürgen").check()
    page.locator("select[name=kind]").select_option(label="beschlossen")
    page.fill("textarea[name=text]", "Eine Stellenbeschreibung wird bis Jahresende vorgelegt.")
    page.get_by_label("mit Stimmenzählung").check()
    page.fill("input[name=yes]", "3")
    page.fill("input[name=no]", "1")
    page.fill("input[name=abstentions]", "0")
    _submit(page, page.get_by_role("button", name="Speichern", exact=True))
    resolution = Resolution.objects.get(agenda_item=item)
    assert (resolution.vote, resolution.yes, resolution.no) == ("counted", 3, 1)

    # A follow-up task from the item: the chair's "Stellenbeschreibung bis Jahresende".
    _submit(page, page.get_by_role("link", name="Neuer Arbeitsauftrag"))
    page.fill("input[name=title]", "Konkrete Stellenbeschreibung vorlegen")
    page.locator("select[name=owner_person]").select_option(str(chair.pk))
    page.fill("input[name=due_on]", datetime.date(today.year, 12, 31).isoformat())
    _submit(page, page.get_by_role("button", name="Speichern"))
    task = FollowUpTask.objects.get(agenda_item=item)
    assert task.resolution == resolution
    assert task.owner_person == chair

    page.goto(live_server.url + meeting.get_absolute_url())
    agenda = page.locator("#agenda").inner_text()
    assert "3 Ja, 1 Nein, 0 Enthaltungen" in agenda
    assert "1 Arbeitsauftrag" in agenda
    screenshot(page, "minutes-meeting-desktop")
    assert problems.console_errors == []
    assert problems.page_errors == []
    assert problems.failed_requests == []

    phone = new_page(**PHONE)
    login(phone, live_server, "miriam", PASSWORD)
    phone.goto(live_server.url + meeting.get_absolute_url())
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"]
    screenshot(phone, "minutes-meeting-phone")


def test_meeting_page_is_accessible(axe_page, live_server, coordinator_login, committee):
    body, _chair, paper = committee
    meeting = Meeting.objects.create(
        body=body, date=datetime.date(2020, 10, 15), start_time=datetime.time(19)
    )
    AgendaItem.objects.create(meeting=meeting, position=1, number=1, title="A", paper=paper)
    login(axe_page, live_server, "miriam", PASSWORD)
    axe_page.goto(live_server.url + meeting.get_absolute_url())
    assert_accessible(axe_page)
