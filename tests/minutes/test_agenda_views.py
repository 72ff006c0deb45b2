"""Agenda screens: the inline add form, moving, editing, deleting, the item's minutes."""

import datetime

import pytest
from django.urls import reverse

from minutes.models import AgendaItem, Resolution

from ..actors.factories import PersonFactory
from .factories import (
    AgendaItemFactory,
    AttendanceFactory,
    MeetingFactory,
    ResolutionFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db


def _form_to(page, url):
    # page.forms holds forms with an id twice: by index and by id.
    forms = list({id(form): form for form in page.forms.values() if form.action == url}.values())
    assert len(forms) == 1, f"expected one form to {url}, found {len(forms)}"
    return forms[0]


def _numbers(meeting) -> list[str]:
    return [
        f"{item.printed_number} {item.title}"
        for item in AgendaItem.objects.filter(meeting=meeting).order_by("position")
    ]


@pytest.fixture
def meeting(body):
    return MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")


def test_item_add_inline_with_a_paper_on_the_meeting_page(django_app, coordinator, meeting):
    paper = paper_of_department(year=2020, serial=31, title="Integration")
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    form = _form_to(page, reverse("minutes:item_create", args=[meeting.pk]))
    form["title"] = "Stellenprofil für die Schaffung einer entsprechenden Stelle"
    form["paper"] = paper.pk
    page = form.submit().follow()
    assert "Ö 1" in page.text
    assert "2020/031" in page.text
    form = _form_to(page, reverse("minutes:item_create", args=[meeting.pk]))
    form["title"] = "Personalangelegenheit"
    form["visibility"] = "nonpublic"
    form.submit().follow()
    assert _numbers(meeting) == [
        "Ö 1 Stellenprofil für die Schaffung einer entsprechenden Stelle",
        "N 1 Personalangelegenheit",
    ]


def test_item_add_keeps_the_input_on_an_error(django_app, coordinator, meeting):
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    form = _form_to(page, reverse("minutes:item_create", args=[meeting.pk]))
    form["title"] = ""
    form["visibility"] = "nonpublic"
    page = form.submit(status=400)
    form = _form_to(page, reverse("minutes:item_create", args=[meeting.pk]))
    assert form["visibility"].value == "nonpublic"
    assert "Dieses Feld ist zwingend erforderlich." in page.text
    assert not AgendaItem.objects.exists()


def test_item_paper_choice_offers_only_visible_papers(django_app, meeting, body):
    """A Verwaltung login would see only its department's non-public papers; here the
    form is checked through the selector with a body member's scope."""
    from minutes.forms.agenda import AgendaItemForm

    from .conftest import member_login

    hidden = paper_of_department(is_public=False, title="Geheime Vorlage")
    public = paper_of_department(title="Öffentliche Vorlage")
    form = AgendaItemForm(user=member_login(body))
    offered = set(form.fields["paper"].queryset)
    assert public in offered
    assert hidden not in offered


def test_item_move_buttons_work_without_javascript(django_app, coordinator, meeting):
    first = AgendaItemFactory(meeting=meeting, title="Eröffnung")
    AgendaItemFactory(meeting=meeting, title="Bericht")
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    move = reverse("minutes:item_move", args=[first.pk])
    down = next(
        form
        for form in page.forms.values()
        if form.action == move and form["direction"].value == "down"
    )
    down.submit().follow()
    assert _numbers(meeting) == ["Ö 1 Bericht", "Ö 2 Eröffnung"]


def test_item_edit_switches_to_the_nonpublic_part(django_app, coordinator, meeting):
    item = AgendaItemFactory(meeting=meeting, title="Stelle")
    AgendaItemFactory(meeting=meeting, title="Bericht")
    page = django_app.get(reverse("minutes:item_update", args=[item.pk]), user=coordinator)
    form = _form_to(page, "")
    form["title"] = "Personalangelegenheit: Stelle"
    form["visibility"] = "nonpublic"
    form.submit().follow()
    assert _numbers(meeting) == ["Ö 1 Bericht", "N 1 Personalangelegenheit: Stelle"]


def test_item_delete_asks_and_refuses_items_with_a_resolution(django_app, coordinator, meeting):
    item = AgendaItemFactory(meeting=meeting, title="Bericht")
    decided = AgendaItemFactory(meeting=meeting, title="Beschluss")
    ResolutionFactory(agenda_item=decided)
    page = django_app.get(reverse("minutes:item_delete", args=[decided.pk]), user=coordinator)
    assert "kann nicht gelöscht werden" in page.text
    page = django_app.get(reverse("minutes:item_delete", args=[item.pk]), user=coordinator)
    _form_to(page, "").submit().follow()
    assert _numbers(meeting) == ["Ö 1 Beschluss"]


@pytest.fixture
def voters(meeting):
    return [AttendanceFactory(meeting=meeting).person for _ in range(9)]


def test_item_minutes_records_a_counted_vote_and_continues(
    django_app, coordinator, meeting, voters
):
    item = AgendaItemFactory(meeting=meeting, title="Integrationsmanager")
    following = AgendaItemFactory(meeting=meeting, title="Verschiedenes")
    guest = PersonFactory(last_name="Stohldreier")
    page = django_app.get(reverse("minutes:item_minutes", args=[item.pk]), user=coordinator)
    form = _form_to(page, "")
    form["minutes_text"] = "Fachbereichsleiter Stohldreier stellt den Vorschlag vor."
    form["speakers"] = [str(voters[0].pk)]
    form["other_speakers"] = [str(guest.pk)]
    form["kind"] = "adopted"
    form["text"] = "Der Ausschuss empfiehlt die Stelle."
    form["vote"] = "counted"
    form["yes"] = "7"
    form["no"] = "1"
    form["abstentions"] = "1"
    page = form.submit("continue").follow()
    assert page.request.path == reverse("minutes:item_minutes", args=[following.pk])
    resolution = Resolution.objects.get(agenda_item=item)
    assert (resolution.yes, resolution.no, resolution.abstentions) == (7, 1, 1)
    assert set(item.speakers.all()) == {voters[0], guest}
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    assert "7 Ja, 1 Nein, 1 Enthaltungen" in page.text


def test_item_minutes_too_many_votes_keeps_the_input(django_app, coordinator, meeting, voters):
    item = AgendaItemFactory(meeting=meeting)
    page = django_app.get(reverse("minutes:item_minutes", args=[item.pk]), user=coordinator)
    form = _form_to(page, "")
    form["minutes_text"] = "Langer Text"
    form["kind"] = "adopted"
    form["vote"] = "counted"
    form["yes"] = "9"
    form["no"] = "1"
    form["abstentions"] = "0"
    page = form.submit()
    assert page.status_code == 200
    assert "nur 9 stimmberechtigte Mitglieder" in page.text
    assert _form_to(page, "")["minutes_text"].value == "Langer Text"
    assert not Resolution.objects.exists()


def test_item_minutes_text_without_kind_asks_for_the_kind(django_app, coordinator, meeting):
    item = AgendaItemFactory(meeting=meeting)
    page = django_app.get(reverse("minutes:item_minutes", args=[item.pk]), user=coordinator)
    form = _form_to(page, "")
    form["text"] = "Beschlusstext ohne Art"
    page = form.submit()
    assert "Bitte wählen Sie die Beschlussart." in page.text


def test_item_minutes_read_back_on_the_meeting_page_for_members(
    django_app, coordinator, body_member, other_member, meeting
):
    item = AgendaItemFactory(meeting=meeting, minutes_text="Mitglied Küpker zeigt sich verwundert.")
    ResolutionFactory(agenda_item=item, kind="noted", vote="none")
    page = django_app.get(meeting.get_absolute_url(), user=body_member)
    assert "Mitglied Küpker zeigt sich verwundert." in page.text
    assert "zur Kenntnis genommen" in page.text
    # A draft is not for members of other bodies.
    page = django_app.get(meeting.get_absolute_url(), user=other_member)
    assert "Küpker" not in page.text
    assert "zur Kenntnis genommen" not in page.text
