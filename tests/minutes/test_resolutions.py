"""Minutes of an item: text, speakers, resolution, and votes checked against attendance."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from minutes.models import Attendance, Meeting, Resolution
from minutes.services.resolutions import item_minutes_record

from ..actors.factories import PersonFactory
from .factories import AgendaItemFactory, AttendanceFactory, BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(body):
    """A held meeting: 5 voting members present, 1 advisory member present without a
    vote, 1 excused."""
    meeting = MeetingFactory(
        body=body, date=datetime.date(2020, 10, 15), status=Meeting.Status.HELD
    )
    for _ in range(5):
        AttendanceFactory(meeting=meeting)
    AttendanceFactory(meeting=meeting, has_vote=False)
    AttendanceFactory(meeting=meeting, status=Attendance.Status.EXCUSED)
    return meeting


@pytest.fixture
def item(held):
    return AgendaItemFactory(meeting=held, title="Stellenprofil Integration")


def _record(coordinator, item, **resolution):
    return item_minutes_record(
        by=coordinator, item=item, minutes_text="Wortprotokoll.", resolution=resolution
    )


VALID = [
    {"kind": "noted", "vote": "none"},
    {"kind": "adopted", "vote": "unanimous"},
    {"kind": "adopted", "vote": "counted", "yes": 3, "no": 1, "abstentions": 1},
    {"kind": "rejected", "vote": "counted", "yes": 0, "no": 4, "abstentions": 0, "biased": 1},
    {"kind": "rejected", "vote": "counted", "yes": 2, "no": 2, "abstentions": 1},  # a tie
    {"kind": "adopted", "vote": "counted", "yes": 4, "no": 0, "abstentions": 0, "biased": 1},
    {"kind": "postponed", "vote": "none"},
]
INVALID = [
    ({"kind": "noted", "vote": "unanimous"}, "vote"),
    ({"kind": "noted", "vote": "counted", "yes": 1, "no": 0, "abstentions": 0}, "vote"),
    ({"kind": "adopted", "vote": "counted", "yes": 4, "no": 1, "abstentions": 1}, "yes"),
    ({"kind": "adopted", "vote": "counted", "yes": 6, "no": 0, "abstentions": 0}, "yes"),
    ({"kind": "adopted", "vote": "counted", "yes": None, "no": 0, "abstentions": 0}, "yes"),
    ({"kind": "adopted", "vote": "counted", "yes": 1, "no": 0, "abstentions": None}, "abstentions"),
    # Those excluded for bias do not vote but count against the voting members present.
    (
        {"kind": "adopted", "vote": "counted", "yes": 4, "no": 0, "abstentions": 0, "biased": 2},
        "yes",
    ),
    ({"kind": "adopted", "vote": "counted", "yes": 0, "no": 0, "abstentions": 0}, "yes"),
    # A simple majority decides the kind; a tie rejects.
    ({"kind": "adopted", "vote": "counted", "yes": 2, "no": 2, "abstentions": 1}, "yes"),
    ({"kind": "rejected", "vote": "counted", "yes": 3, "no": 1, "abstentions": 0}, "no"),
    ({"kind": "referred", "vote": "unanimous"}, "referred_to"),
]


@pytest.mark.parametrize("resolution", VALID)
def test_item_minutes_record_accepts_votes_that_fit_the_attendance(coordinator, item, resolution):
    _record(coordinator, item, **resolution)
    stored = Resolution.objects.get(agenda_item=item)
    assert (stored.kind, stored.vote) == (resolution["kind"], resolution["vote"])
    if resolution["vote"] == "counted":
        assert (stored.yes, stored.no, stored.abstentions) == (
            resolution["yes"],
            resolution["no"],
            resolution["abstentions"],
        )
    else:
        assert stored.yes is stored.no is stored.biased is None


@pytest.mark.parametrize(("resolution", "field"), INVALID)
def test_item_minutes_record_refuses_votes_that_do_not_fit(coordinator, item, resolution, field):
    with pytest.raises(ValidationError) as raised:
        _record(coordinator, item, **resolution)
    assert field in raised.value.error_dict
    assert not Resolution.objects.filter(agenda_item=item).exists()


def test_unanimous_vote_needs_a_voting_member_present(coordinator, body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 1, 9), status="held")
    AttendanceFactory(meeting=meeting, has_vote=False)
    item = AgendaItemFactory(meeting=meeting)
    with pytest.raises(ValidationError, match="mindestens ein anwesendes stimmberechtigtes"):
        _record(coordinator, item, kind="adopted", vote="unanimous")


def test_counted_vote_message_names_the_numbers(coordinator, item):
    with pytest.raises(ValidationError) as raised:
        _record(coordinator, item, kind="adopted", vote="counted", yes=5, no=1, abstentions=0)
    assert "6" in raised.value.error_dict["yes"][0].messages[0]
    assert "5" in raised.value.error_dict["yes"][0].messages[0]


def test_referral_goes_to_another_body(coordinator, item, body):
    council = BodyFactory(name="Rat der Gemeinde", kind="council")
    with pytest.raises(ValidationError):
        _record(coordinator, item, kind="referred", vote="unanimous", referred_to=body)
    _record(coordinator, item, kind="referred", vote="unanimous", referred_to=council)
    assert Resolution.objects.get(agenda_item=item).referred_to == council


def test_referred_to_is_dropped_for_other_kinds(coordinator, item):
    council = BodyFactory(name="Rat der Gemeinde", kind="council")
    _record(coordinator, item, kind="adopted", vote="unanimous", referred_to=council)
    assert Resolution.objects.get(agenda_item=item).referred_to is None


def test_resolution_only_on_a_held_meeting_or_today(coordinator, body):
    planned = MeetingFactory(body=body, date=datetime.date(2020, 10, 15))
    item = AgendaItemFactory(meeting=planned)
    with pytest.raises(ValidationError, match="durchgeführt"):
        _record(coordinator, item, kind="noted", vote="none")
    today = MeetingFactory(body=body, date=timezone.localdate())
    AttendanceFactory(meeting=today)
    _record(coordinator, AgendaItemFactory(meeting=today), kind="adopted", vote="unanimous")


def test_minutes_text_and_speakers_are_saved_and_start_the_draft(coordinator, item, held):
    speakers = [PersonFactory(last_name="Küpker"), PersonFactory(last_name="Schulze")]
    item_minutes_record(
        by=coordinator, item=item, minutes_text="  Mitglied Küpker fragt …  ", speakers=speakers
    )
    item.refresh_from_db()
    held.refresh_from_db()
    assert item.minutes_text == "Mitglied Küpker fragt …"
    assert set(item.speakers.all()) == set(speakers)
    assert held.minutes_status == Meeting.MinutesStatus.DRAFT


def test_no_kind_removes_the_resolution(coordinator, item):
    _record(coordinator, item, kind="noted", vote="none")
    item_minutes_record(by=coordinator, item=item, minutes_text="x", resolution=None)
    assert not Resolution.objects.filter(agenda_item=item).exists()


@pytest.mark.parametrize("status", ["approved", "published"])
def test_frozen_minutes_refuse_changes(coordinator, item, held, status):
    Meeting.objects.filter(pk=held.pk).update(minutes_status=status)
    with pytest.raises(ValidationError, match="nicht mehr geändert"):
        _record(coordinator, item, kind="noted", vote="none")


def test_twistringen_item_is_noted_without_vote(coordinator, body):
    """TOP Ö 5 of 15.10.2020: three speakers, "zur Kenntnis genommen"."""
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15), status="held")
    item = AgendaItemFactory(meeting=meeting, title="Integration")
    names = ["Küpker", "Dießelberg", "Schulze"]
    item_minutes_record(
        by=coordinator,
        item=item,
        minutes_text="Vorsitzender Jürgen Schulze gibt zum Abschluss das Ziel aus …",
        speakers=[PersonFactory(last_name=name) for name in names],
        resolution={"kind": "noted", "vote": "none", "text": ""},
    )
    resolution = Resolution.objects.get(agenda_item=item)
    assert (resolution.kind, resolution.vote) == ("noted", "none")
    assert sorted(p.last_name for p in item.speakers.all()) == sorted(names)
