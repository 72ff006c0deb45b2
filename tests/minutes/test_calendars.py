"""The iCal feeds: public ones for anyone, the secret-link feed of a member."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from integration.core.logging import RedactSecretLinks
from minutes.models import CalendarFeed, Meeting
from minutes.services.calendars import calendar_feed_renew

from .factories import AgendaItemFactory, BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db

SECRET_BODY = "Arbeitskreis Vertrauliches"
SECRET_TITLE = "Personalangelegenheit Frau Geheim"


def soon(days=10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def closed_body(db):
    return BodyFactory(name=SECRET_BODY, is_public=False)


@pytest.fixture
def public_meeting(body):
    meeting = MeetingFactory(body=body, date=soon(), end_time=datetime.time(20, 30))
    AgendaItemFactory(meeting=meeting, title="Stellenprofil Integration")
    AgendaItemFactory(meeting=meeting, title=SECRET_TITLE, is_public=False)
    return meeting


@pytest.fixture
def closed_meeting(closed_body):
    meeting = MeetingFactory(body=closed_body, date=soon(12))
    AgendaItemFactory(meeting=meeting, title=SECRET_TITLE, is_public=False)
    return meeting


def events(response) -> dict[str, object]:
    """The feed's events by UID, after checking it parses and names itself."""
    calendar = Calendar.from_ical(response.body)
    assert calendar["X-WR-CALNAME"]
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(meeting) -> str:
    return f"meeting-{meeting.pk}@integration.example.org"


# Public feeds ---------------------------------------------------------------


def test_public_feed_shows_public_meetings_with_place_and_link(
    django_app, public_meeting, closed_meeting
):
    response = django_app.get(reverse("minutes:calendar_all"))

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="sitzungen.ics"' in response.headers["Content-Disposition"]
    assert "max-age=" in response.headers["Cache-Control"]
    found = events(response)
    assert set(found) == {uid(public_meeting)}
    event = found[uid(public_meeting)]
    assert str(event["SUMMARY"]) == f"{public_meeting.body.name}: Sitzung"
    assert str(event["LOCATION"]) == "Ratssaal, Markt 1, 12345 Wiesenbrück"
    # The public portal page, which opens for every subscriber.
    link = f"https://integration.example.org/public/meetings/{public_meeting.pk}/"
    assert str(event["URL"]) == link
    assert link in str(event["DESCRIPTION"])
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, str(start.tzinfo)) == (soon(), 18, "Europe/Berlin")
    assert event.decoded("DTEND").hour == 20
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"BEGIN:VTIMEZONE" in response.body
    # Neither the agenda nor anything of the non-public body.
    for secret in (SECRET_BODY, SECRET_TITLE, "Stellenprofil"):
        assert secret not in response.text


def test_public_feed_marks_cancelled_meetings_and_drops_old_ones(django_app, body):
    cancelled = MeetingFactory(body=body, date=soon(), status=Meeting.Status.CANCELLED)
    MeetingFactory(body=body, date=timezone.localdate() - datetime.timedelta(days=400))
    recent = MeetingFactory(body=body, date=timezone.localdate() - datetime.timedelta(days=300))

    found = events(django_app.get(reverse("minutes:calendar_all")))

    assert set(found) == {uid(cancelled), uid(recent)}
    assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(found[uid(cancelled)]["SUMMARY"]).startswith("Abgesagt: ")


def test_body_feed_shows_only_that_body(django_app, public_meeting, other_body):
    MeetingFactory(body=other_body, date=soon())

    response = django_app.get(reverse("minutes:calendar_body", args=[public_meeting.body.pk]))

    assert set(events(response)) == {uid(public_meeting)}
    assert response.headers["Content-Disposition"].endswith('.ics"')


def test_body_feed_of_a_non_public_body_is_404(django_app, closed_meeting):
    url = reverse("minutes:calendar_body", args=[closed_meeting.body.pk])
    assert django_app.get(url, status=404)
    assert django_app.get(reverse("minutes:calendar_body", args=[99999]), status=404)


def test_public_feeds_keep_a_constant_query_count(django_app, body, django_assert_max_num_queries):
    for days in range(1, 6):
        MeetingFactory(body=body, date=soon(days))
    with django_assert_max_num_queries(2):
        django_app.get(reverse("minutes:calendar_all"))
    with django_assert_max_num_queries(3):
        django_app.get(reverse("minutes:calendar_body", args=[body.pk]))


# The personal feed ----------------------------------------------------------


@pytest.fixture
def closed_member(closed_body):
    from .conftest import member_login

    return member_login(closed_body)


def personal_url(token: str) -> str:
    return reverse("minutes:calendar_personal", args=[token])


def test_personal_feed_shows_own_non_public_meetings_without_item_titles(
    django_app, closed_member, closed_meeting, public_meeting, django_assert_max_num_queries
):
    token = calendar_feed_renew(user=closed_member)

    with django_assert_max_num_queries(8):
        response = django_app.get(personal_url(token))

    # Only the bodies the member sits in: the public body's meeting is not theirs.
    found = events(response)
    assert set(found) == {uid(closed_meeting)}
    assert str(found[uid(closed_meeting)]["SUMMARY"]) == f"{SECRET_BODY}: Sitzung"
    assert SECRET_TITLE not in response.text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"].startswith("private")


def test_personal_feed_is_404_for_unknown_malformed_or_renewed_links(django_app, closed_member):
    old = calendar_feed_renew(user=closed_member)
    new = calendar_feed_renew(user=closed_member)

    assert django_app.get(personal_url(new)).status_code == 200
    for token in (old, "f" * 64, "not-a-token"):
        response = django_app.get(personal_url(token), status=404)
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert CalendarFeed.objects.get().renewed_at is not None


def test_personal_feed_of_a_deactivated_login_is_404(django_app, closed_member):
    token = calendar_feed_renew(user=closed_member)
    closed_member.is_active = False
    closed_member.save()
    django_app.get(personal_url(token), status=404)


def test_personal_feed_lookups_are_rate_limited(django_app, closed_member):
    token = calendar_feed_renew(user=closed_member)
    for _ in range(30):
        django_app.get(personal_url("e" * 64), status=404)
    django_app.get(personal_url("e" * 64), status=429)
    # Once over the limit, a valid link cannot be told from a guessed one.
    response = django_app.get(personal_url(token), status=429)
    assert response.headers["Retry-After"]


def test_calendar_feed_renew_refuses_a_login_without_membership(coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        calendar_feed_renew(user=coordinator)
    assert not CalendarFeed.objects.exists()


def test_feed_stores_only_the_hash_of_the_token(closed_member):
    token = calendar_feed_renew(user=closed_member)
    feed = CalendarFeed.objects.get()
    assert len(token) == 64
    assert token not in feed.token_hash


def test_personal_feed_link_is_redacted_in_logs():
    token = "a" * 64
    path = personal_url(token)
    entry = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None
    )
    RedactSecretLinks().filter(entry)
    assert token not in entry.getMessage()
    assert entry.getMessage() == "Not Found: /committees/calendar/personal/[…].ics"
