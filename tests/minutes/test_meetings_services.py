"""Meeting services: create with a typed location, status, attendance, minutes lifecycle."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from minutes.models import Attendance, Location, Meeting
from minutes.services import meetings as services

from ..actors.factories import PersonFactory
from .factories import (
    AgendaItemFactory,
    AttendanceFactory,
    LocationFactory,
    MeetingFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

TWISTRINGEN = {
    "room": "Hildegard-von-Bingen-Gymnasium",
    "street_address": "Vechtaer Straße 44",
    "postal_code": "27239",
    "locality": "Twistringen",
}


def _create(coordinator, body, **fields):
    data = {
        "body": body,
        "date": datetime.date(2020, 10, 15),
        "start_time": datetime.time(19, 0),
        "end_time": datetime.time(20, 52),
    } | fields
    return services.meeting_create(by=coordinator, **data)


def test_meeting_create_with_a_typed_location_creates_it_once(coordinator, body):
    first = _create(coordinator, body, **TWISTRINGEN)
    second = _create(coordinator, body, **{key: f" {value} " for key, value in TWISTRINGEN.items()})
    assert first.location == second.location
    assert Location.objects.count() == 1
    assert str(first.location) == (
        "Hildegard-von-Bingen-Gymnasium, Vechtaer Straße 44, 27239 Twistringen"
    )
    assert first.status == Meeting.Status.PLANNED


def test_meeting_create_with_a_chosen_location(coordinator, body):
    location = LocationFactory()
    assert _create(coordinator, body, location=location).location == location


def test_meeting_create_refuses_chosen_and_typed_location(coordinator, body):
    with pytest.raises(ValidationError):
        _create(coordinator, body, location=LocationFactory(), room="Ratssaal")


def test_meeting_create_needs_room_or_street_for_a_typed_location(coordinator, body):
    with pytest.raises(ValidationError) as raised:
        _create(coordinator, body, locality="Twistringen")
    assert "room" in raised.value.error_dict


@pytest.mark.parametrize("end", [datetime.time(19, 0), datetime.time(18, 30)])
def test_meeting_create_end_must_lie_after_the_start(coordinator, body, end):
    with pytest.raises(ValidationError) as raised:
        _create(coordinator, body, end_time=end)
    assert "end_time" in raised.value.error_dict
    assert not Meeting.objects.exists()


def test_meeting_update_changes_the_location_by_typing(coordinator, body):
    meeting = _create(coordinator, body, location=LocationFactory())
    services.meeting_update(by=coordinator, meeting=meeting, location=None, **TWISTRINGEN)
    meeting.refresh_from_db()
    assert meeting.location.room == "Hildegard-von-Bingen-Gymnasium"


def test_meeting_status_held_only_from_its_day(coordinator, body):
    future = MeetingFactory(body=body, date=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="ab ihrem Sitzungstag"):
        services.meeting_status_set(by=coordinator, meeting=future, status="held")
    past = MeetingFactory(body=body, date=datetime.date(2020, 10, 15))
    assert services.meeting_status_set(by=coordinator, meeting=past, status="held").status == (
        "held"
    )


def test_meeting_status_cannot_be_set_to_invited_by_hand(coordinator, body):
    meeting = MeetingFactory(body=body)
    with pytest.raises(ValidationError):
        services.meeting_status_set(by=coordinator, meeting=meeting, status="invited")


def test_meeting_with_resolutions_stays_held(coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    ResolutionFactory(agenda_item=AgendaItemFactory(meeting=meeting))
    with pytest.raises(ValidationError, match="bleibt durchgeführt"):
        services.meeting_status_set(by=coordinator, meeting=meeting, status="planned")


def test_meeting_mark_invited_only_from_planned(body):
    planned = MeetingFactory(body=body)
    cancelled = MeetingFactory(body=body, status="cancelled")
    assert services.meeting_mark_invited(meeting=planned).status == "invited"
    services.meeting_mark_invited(meeting=cancelled)
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"


def test_attendance_replace_replaces_the_whole_set(coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    old = AttendanceFactory(meeting=meeting)
    member, excused, guest = PersonFactory(), PersonFactory(), PersonFactory()
    services.attendance_replace(
        by=coordinator,
        meeting=meeting,
        entries=[
            services.AttendanceEntry(person=member),
            services.AttendanceEntry(person=excused, status="excused"),
            services.AttendanceEntry(
                person=guest, is_guest=True, has_vote=False, function="Jugendsozialarbeit"
            ),
        ],
        guests="Herr Meyer, Caritas",
    )
    rows = {row.person: row for row in meeting.attendances.all()}
    assert old.person not in rows
    assert rows[excused].status == Attendance.Status.EXCUSED
    assert (rows[guest].is_guest, rows[guest].function) == (True, "Jugendsozialarbeit")
    meeting.refresh_from_db()
    assert meeting.guests == "Herr Meyer, Caritas"
    assert services.voting_present_count(meeting=meeting) == 1


def test_attendance_replace_refuses_fewer_voters_than_a_counted_vote(coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    people = [AttendanceFactory(meeting=meeting).person for _ in range(3)]
    ResolutionFactory(
        agenda_item=AgendaItemFactory(meeting=meeting),
        vote="counted",
        yes=2,
        no=1,
        abstentions=0,
    )
    with pytest.raises(ValidationError, match="zählt mehr Stimmen"):
        services.attendance_replace(
            by=coordinator,
            meeting=meeting,
            entries=[services.AttendanceEntry(person=person) for person in people[:2]],
        )
    assert meeting.attendances.count() == 3


def test_attendance_replace_counts_the_biased_and_keeps_a_unanimous_vote_possible(
    coordinator, body
):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    people = [AttendanceFactory(meeting=meeting).person for _ in range(3)]
    ResolutionFactory(
        agenda_item=AgendaItemFactory(meeting=meeting),
        vote="counted",
        yes=2,
        no=0,
        abstentions=0,
        biased=1,
    )
    ResolutionFactory(agenda_item=AgendaItemFactory(meeting=meeting), vote="unanimous")
    with pytest.raises(ValidationError, match="zählt mehr Stimmen"):
        services.attendance_replace(
            by=coordinator,
            meeting=meeting,
            entries=[services.AttendanceEntry(person=person) for person in people[:2]],
        )
    # Everyone present again, but without a vote: the unanimous vote had no voter.
    with pytest.raises(ValidationError, match="zählt mehr Stimmen"):
        services.attendance_replace(
            by=coordinator,
            meeting=meeting,
            entries=[services.AttendanceEntry(person=person, has_vote=False) for person in people],
        )
    assert meeting.attendances.count() == 3


def test_attendance_replace_refuses_a_person_twice(coordinator, body):
    meeting = MeetingFactory(body=body)
    person = PersonFactory()
    with pytest.raises(ValidationError, match="doppelt"):
        services.attendance_replace(
            by=coordinator,
            meeting=meeting,
            entries=[
                services.AttendanceEntry(person=person),
                services.AttendanceEntry(person=person, is_guest=True),
            ],
        )


# Minutes lifecycle


@pytest.fixture
def pair(body):
    """A held meeting with minutes text and the body's next meeting."""
    held = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    AgendaItemFactory(meeting=held, minutes_text="Wortprotokoll")
    following = MeetingFactory(body=body, date=datetime.date(2020, 12, 3))
    return held, following


def test_minutes_lifecycle_draft_approved_published(coordinator, pair):
    held, following = pair
    services.minutes_status_set(by=coordinator, meeting=held, status="draft")
    services.minutes_status_set(
        by=coordinator, meeting=held, status="approved", approved_in=following
    )
    published = services.minutes_status_set(by=coordinator, meeting=held, status="published")
    assert published.minutes_status == "published"
    assert published.minutes_approved_in == following
    assert published.minutes_published_at is not None


def test_minutes_draft_needs_content(coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    AgendaItemFactory(meeting=meeting)
    with pytest.raises(ValidationError, match="nichts zu protokollieren"):
        services.minutes_status_set(by=coordinator, meeting=meeting, status="draft")


def test_minutes_approval_needs_a_later_meeting_of_the_same_body(coordinator, pair, other_body):
    held, _following = pair
    services.minutes_status_set(by=coordinator, meeting=held, status="draft")
    earlier = MeetingFactory(body=held.body, date=datetime.date(2020, 9, 1))
    elsewhere = MeetingFactory(body=other_body, date=datetime.date(2020, 12, 1))
    for approved_in in (None, earlier, elsewhere, held):
        with pytest.raises(ValidationError) as raised:
            services.minutes_status_set(
                by=coordinator, meeting=held, status="approved", approved_in=approved_in
            )
        assert "approved_in" in raised.value.error_dict


@pytest.mark.parametrize(
    ("current", "new"), [("none", "approved"), ("draft", "published"), ("none", "published")]
)
def test_minutes_cannot_skip_a_step(coordinator, pair, current, new):
    held, following = pair
    Meeting.objects.filter(pk=held.pk).update(minutes_status=current)
    with pytest.raises(ValidationError):
        services.minutes_status_set(by=coordinator, meeting=held, status=new, approved_in=following)


def test_minutes_reopen_clears_approval_and_publication(coordinator, pair):
    held, following = pair
    Meeting.objects.filter(pk=held.pk).update(
        minutes_status="published",
        minutes_approved_in=following,
        minutes_published_at=timezone.now(),
    )
    reopened = services.minutes_status_set(by=coordinator, meeting=held, status="draft")
    assert (reopened.minutes_status, reopened.minutes_approved_in) == ("draft", None)
    assert reopened.minutes_published_at is None
