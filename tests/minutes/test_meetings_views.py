"""Meeting screens: permissions, scoping of non-public items, forms, query counts."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from webtest import Upload

from minutes.models import Attendance, Location, Meeting

from ..actors.factories import PersonFactory
from ..utils import main_form
from .factories import (
    AgendaItemFactory,
    AttendanceFactory,
    MeetingFactory,
    MembershipFactory,
    ResolutionFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db

SECRET = "Personalangelegenheit: Besetzung der Stelle Integrationsmanagement"


@pytest.fixture
def meeting(body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    AgendaItemFactory(meeting=meeting, title="Stellenprofil Integration")
    AgendaItemFactory(meeting=meeting, title=SECRET, is_public=False)
    return meeting


def _pages(meeting) -> list[str]:
    item = meeting.agenda_items.first()
    return [
        reverse("minutes:meeting_list"),
        reverse("minutes:meeting_create"),
        meeting.get_absolute_url(),
        reverse("minutes:meeting_update", args=[meeting.pk]),
        reverse("minutes:meeting_status", args=[meeting.pk]),
        reverse("minutes:meeting_attendance", args=[meeting.pk]),
        reverse("minutes:item_update", args=[item.pk]),
        reverse("minutes:item_delete", args=[item.pk]),
        reverse("minutes:item_minutes", args=[item.pk]),
    ]


def _post_only(meeting) -> list[str]:
    item = meeting.agenda_items.first()
    return [
        reverse("minutes:minutes_status", args=[meeting.pk]),
        reverse("minutes:meeting_attachment_upload", args=[meeting.pk]),
        reverse("minutes:item_create", args=[meeting.pk]),
        reverse("minutes:item_move", args=[item.pk]),
    ]


def test_meeting_pages_send_anonymous_visitors_to_the_login(django_app, meeting):
    for url in _pages(meeting):
        response = django_app.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith(reverse("login")), url


@pytest.fixture
def app(django_app_factory):
    """Without CSRF checks: a 403 on a POST is then the permission's."""
    return django_app_factory(csrf_checks=False)


def test_meeting_pages_refuse_users_without_role(app, meeting, user_without_role):
    for url in _pages(meeting):
        app.get(url, user=user_without_role, status=403)
    for url in _post_only(meeting):
        app.post(url, user=user_without_role, status=403)


@pytest.mark.parametrize("role", ["committee_member", "administration_user"])
def test_meeting_write_pages_refuse_readers(app, meeting, role, request):
    user = request.getfixturevalue(role)
    readable = {reverse("minutes:meeting_list"), meeting.get_absolute_url()}
    for url in _pages(meeting):
        app.get(url, user=user, status=200 if url in readable else 403)
    for url in _post_only(meeting):
        app.post(url, user=user, status=403)


def test_post_only_routes_refuse_get(django_app, meeting, coordinator):
    for url in _post_only(meeting):
        django_app.get(url, user=coordinator, status=405)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("coordinator", True),
        ("body_member", True),
        ("other_member", False),
        ("committee_member", False),
        ("administration_user", False),
    ],
)
def test_meeting_detail_shows_nonpublic_items_only_to_those_allowed(
    django_app, meeting, who, sees, request
):
    page = django_app.get(meeting.get_absolute_url(), user=request.getfixturevalue(who))
    assert "Stellenprofil Integration" in page.text
    assert (SECRET in page.text) is sees
    assert ("nicht öffentlich" in page.text) is sees


@pytest.mark.parametrize("who", ["other_member", "committee_member", "administration_user"])
def test_item_pages_of_nonpublic_items_are_404_for_others(django_app, meeting, who, request):
    secret = meeting.agenda_items.get(is_public=False)
    user = request.getfixturevalue(who)
    # Readers lack the permission first (403); the coordinator sees everything, so the
    # scoping is checked through the queryset with a user who has the permission.
    response = django_app.get(
        reverse("minutes:item_minutes", args=[secret.pk]), user=user, expect_errors=True
    )
    assert response.status_code in (403, 404)
    assert SECRET not in response.text


def test_meeting_list_splits_upcoming_and_past_and_filters(
    django_app, coordinator, body, other_body
):
    MeetingFactory(body=body, date=datetime.date(2020, 10, 15))
    MeetingFactory(body=other_body, date=datetime.date(2021, 3, 4))
    MeetingFactory(body=body, date=datetime.date.max.replace(year=2099))
    page = django_app.get(reverse("minutes:meeting_list"), user=coordinator)
    upcoming, past = page.html.select("table.meeting-list")
    assert "31.12.2099" in upcoming.text
    assert "15.10.2020" in past.text
    assert "04.03.2021" in past.text
    page = django_app.get(
        reverse("minutes:meeting_list"), {"body": body.pk, "year": 2020}, user=coordinator
    )
    tables = page.html.select("table.meeting-list")
    assert "15.10.2020" in tables[-1].text
    assert "04.03.2021" not in page.text
    assert "31.12.2099" not in page.text


def test_meeting_list_queries_do_not_grow(
    django_app, coordinator, body, django_assert_max_num_queries
):
    def add(count, year):
        for day in range(1, count + 1):
            meeting = MeetingFactory(body=body, date=datetime.date(year, 1, day))
            AgendaItemFactory(meeting=meeting)

    add(2, 2019)
    url = reverse("minutes:meeting_list")
    django_app.get(url, user=coordinator)
    with django_assert_max_num_queries(20) as small:
        django_app.get(url, user=coordinator)
    add(20, 2018)
    with django_assert_max_num_queries(len(small.captured_queries)):
        django_app.get(url, user=coordinator)


def test_meeting_create_with_a_typed_location(django_app, coordinator, body):
    form = main_form(django_app.get(reverse("minutes:meeting_create"), user=coordinator))
    form["body"] = body.pk
    form["date"] = "2020-10-15"
    form["start_time"] = "19:00"
    form["end_time"] = "20:52"
    form["room"] = "Hildegard-von-Bingen-Gymnasium"
    form["street_address"] = "Vechtaer Straße 44"
    form["postal_code"] = "27239"
    form["locality"] = "Twistringen"
    page = form.submit().follow()
    meeting = Meeting.objects.get()
    assert page.request.path == meeting.get_absolute_url()
    assert "19:00–20:52 Uhr" in page.text
    assert "Hildegard-von-Bingen-Gymnasium" in page.text
    assert "Vechtaer Straße 44, 27239 Twistringen" in page.text
    assert Location.objects.count() == 1


def test_meeting_create_keeps_input_when_the_end_is_before_the_start(django_app, coordinator, body):
    form = main_form(django_app.get(reverse("minutes:meeting_create"), user=coordinator))
    form["body"] = body.pk
    form["date"] = "2020-10-15"
    form["start_time"] = "19:00"
    form["end_time"] = "18:00"
    form["room"] = "Aula"
    page = form.submit()
    assert page.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen." in page.text
    assert main_form(page)["room"].value == "Aula"
    assert not Meeting.objects.exists()


def test_meeting_cancel_asks_for_confirmation(django_app, coordinator, body):
    meeting = MeetingFactory(body=body)
    page = django_app.get(meeting.get_absolute_url(), user=coordinator)
    confirm = page.click("Sitzung absagen", index=0)
    main_form(confirm).submit().follow()
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_meeting_cancel_without_confirmation_changes_nothing(app, coordinator, body):
    meeting = MeetingFactory(body=body)
    url = reverse("minutes:meeting_status", args=[meeting.pk])
    app.post(url, {"status": "cancelled"}, user=coordinator)
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_attendance_form_records_members_guests_and_free_text(django_app, coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 12, 3), status="held")
    chair = MembershipFactory(body=body, role="chair", person=PersonFactory(last_name="Schulze"))
    excused = MembershipFactory(body=body, person=PersonFactory(last_name="Dießelberg"))
    advisory = MembershipFactory(body=body, role="advisory")
    guest = PersonFactory(first_name="Claudia", last_name="Möllenkamp")
    page = django_app.get(
        reverse("minutes:meeting_attendance", args=[meeting.pk]), user=coordinator
    )
    form = main_form(page)
    assert form[f"vote_{advisory.person.pk}"].checked is False
    form[f"status_{excused.person.pk}"] = "excused"
    form["guest-0-person"] = guest.pk
    form["guest-0-function"] = "Jugendsozialarbeiterin"
    form["guests"] = "Herr Meyer, Caritas"
    page = form.submit().follow()
    rows = {row.person_id: row for row in meeting.attendances.all()}
    assert rows[chair.person.pk].status == Attendance.Status.PRESENT
    assert rows[excused.person.pk].status == Attendance.Status.EXCUSED
    assert rows[advisory.person.pk].has_vote is False
    assert rows[guest.pk].is_guest
    assert rows[guest.pk].function == "Jugendsozialarbeiterin"
    assert "Möllenkamp" in page.text
    assert "Herr Meyer, Caritas" in page.text


def test_minutes_status_approve_and_publish(django_app, app, coordinator, body):
    held = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    AgendaItemFactory(meeting=held, minutes_text="Text")
    later = MeetingFactory(body=body, date=datetime.date(2020, 12, 3))
    url = reverse("minutes:minutes_status", args=[held.pk])
    app.post(url, {"status": "draft"}, user=coordinator)
    page = django_app.get(held.get_absolute_url(), user=coordinator)
    form = next(f for f in page.forms.values() if "approved_in" in f.fields)
    form["approved_in"] = later.pk
    form.submit()
    app.post(url, {"status": "published"}, user=coordinator)
    held.refresh_from_db()
    assert held.minutes_status == "published"
    assert held.minutes_approved_in == later


def test_meeting_detail_queries_do_not_grow(
    django_app, coordinator, body, django_assert_max_num_queries
):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")

    def add(count):
        for _ in range(count):
            item = AgendaItemFactory(meeting=meeting, paper=paper_of_department())
            ResolutionFactory(agenda_item=item)
            item.speakers.add(PersonFactory())
            AttendanceFactory(meeting=meeting)

    add(2)
    django_app.get(meeting.get_absolute_url(), user=coordinator)
    with django_assert_max_num_queries(40) as small:
        django_app.get(meeting.get_absolute_url(), user=coordinator)
    add(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        django_app.get(meeting.get_absolute_url(), user=coordinator)


def test_meeting_detail_shows_a_departments_nonpublic_item_to_its_administration(
    django_app, administration_user, body
):
    from ..measures.factories import ResponsibilityFactory
    from .factories import DepartmentFactory

    department = DepartmentFactory()
    ResponsibilityFactory(user=administration_user, organisation=department)
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15))
    paper = paper_of_department(
        is_public=False, title="Interne Vorlage", lead_department=department
    )
    AgendaItemFactory(meeting=meeting, title=SECRET, is_public=False, paper=paper)
    page = django_app.get(meeting.get_absolute_url(), user=administration_user)
    assert SECRET in page.text
    assert paper.reference in page.text


FILES = Path(__file__).parent / "files"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


def _upload_form(page, meeting):
    url = reverse("minutes:meeting_attachment_upload", args=[meeting.pk])
    return next(form for form in page.forms.values() if form.action == url)


def test_meeting_file_upload_lists_the_file(
    django_app, coordinator, body, media_root, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(body=body)
    form = _upload_form(django_app.get(meeting.get_absolute_url(), user=coordinator), meeting)
    form["file"] = Upload("stellenprofil.pdf", (FILES / "stellenprofil.pdf").read_bytes())
    form["name"] = "Präsentation Stellenprofil"
    with django_capture_on_commit_callbacks(execute=True):
        page = form.submit().follow()
    assert "Präsentation Stellenprofil" in page.html.select_one("#attachments").text
    assert meeting.attachments.get().is_public is False


def test_meeting_file_upload_error_keeps_the_name(django_app, coordinator, body, media_root):
    meeting = MeetingFactory(body=body)
    form = _upload_form(django_app.get(meeting.get_absolute_url(), user=coordinator), meeting)
    form["file"] = Upload("html-as.pdf", (FILES / "html-as.pdf").read_bytes())
    form["name"] = "Tagesordnung"
    page = form.submit(status=400)
    assert _upload_form(page, meeting)["name"].value == "Tagesordnung"
    assert page.html.select_one("#attachments .invalid-feedback, #attachments .alert")
    assert not meeting.attachments.exists()
