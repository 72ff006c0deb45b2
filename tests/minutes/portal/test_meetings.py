"""The portal's meeting calendar, meeting and agenda item pages, per role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minutes.models import Meeting

from ..factories import AgendaItemFactory, MeetingFactory, ResolutionFactory
from .conftest import (
    ARCHIVED_PERSON,
    CLOSED_BODY,
    CLOSED_MEETING_ITEM,
    DRAFT_MINUTES,
    PUBLIC_ITEM,
    PUBLIC_TASK,
    SECRET_ITEM,
    SECRET_MEETING_FILE,
    SECRET_MINUTES,
    SECRET_PAPER,
    SECRET_RESOLUTION,
    SECRET_TASK,
    SECRETS,
    text,
    without_csrf,
)

pytestmark = pytest.mark.django_db

NOTE = "Nichtöffentliche Tagesordnungspunkte sehen nur die Mitglieder des Gremiums."


def meeting_url(meeting):
    return reverse("portal:meeting_detail", args=[meeting.pk])


def item_url(item):
    return reverse("portal:item_detail", args=[item.pk])


def test_anonymous_meeting_page_shows_the_public_agenda_only(django_app, town):
    page = django_app.get(meeting_url(town.meeting))

    assert "Ausschuss für Bildung, Erziehung, Senioren und Soziales" in page.text
    assert "Do, 15.10.2026, 19:00–20:52 Uhr" in page.text
    assert "Sitzungssaal" in page.text
    assert "Lange Straße 2" in page.text
    assert "27239 Wiesenbrück" in page.text
    assert "Niederschrift veröffentlicht am 02.11.2026" in page.text
    assert "Ö 5" in page.text
    assert PUBLIC_ITEM in page.text
    assert page.html.select_one(f'a[href="{item_url(town.public_item)}"]')
    assert "2020/031-1" in page.text
    assert "zur Kenntnis genommen" in page.text  # the outcome of published minutes
    assert "Einladung" in page.text
    assert NOTE in page.text
    # Not a trace of the non-public part: no title, no number, no placeholder.
    for secret in (*SECRETS, "N 1", "nicht öffentlich", item_url(town.secret_item)):
        assert secret not in page.text
    assert text(page.html.title).startswith(
        "Ausschuss für Bildung, Erziehung, Senioren und Soziales · 15.10.2026"
    )
    assert "Anmelden" in page.text
    assert "In der Gremienarbeit öffnen" not in page.text


def test_member_sees_their_bodys_nonpublic_items_marked(django_app, town, body_member):
    page = django_app.get(meeting_url(town.meeting), user=body_member)

    item = text(page.html.select_one(f"#top-{town.secret_item.pk}"))
    assert SECRET_ITEM in item
    assert "nicht öffentlich" in item
    assert "N 1" in item
    assert SECRET_MEETING_FILE in page.text
    assert "Ö 5" in page.text


@pytest.mark.parametrize("role", ["other_member", "committee_member", "administration_user"])
def test_others_do_not_see_nonpublic_items(django_app, town, request, role):
    page = django_app.get(meeting_url(town.meeting), user=request.getfixturevalue(role))

    assert PUBLIC_ITEM in page.text
    for secret in SECRETS:
        assert secret not in page.text


def test_department_sees_the_item_treating_its_paper(django_app, town, department_user):
    page = django_app.get(meeting_url(town.meeting), user=department_user)

    assert SECRET_ITEM in page.text
    assert SECRET_PAPER not in page.text  # the title of the item, the paper by reference
    assert SECRET_MEETING_FILE not in page.text  # the body's files are for its members


def test_coordination_sees_everything_and_the_staff_link(django_app, town, coordinator):
    page = django_app.get(meeting_url(town.meeting), user=coordinator)

    assert SECRET_ITEM in page.text
    assert SECRET_MEETING_FILE in page.text
    staff_url = reverse("minutes:meeting_detail", args=[town.meeting.pk])
    assert page.html.select_one(f'a[href="{staff_url}"]')


def test_draft_minutes_outcome_only_for_members(django_app, town, body_member, other_member):
    url = meeting_url(town.draft_meeting)
    assert "noch nicht veröffentlicht" in django_app.get(url).text
    assert "beschlossen" not in django_app.get(url).text
    assert "beschlossen" not in django_app.get(url, user=other_member).text
    assert "beschlossen" in django_app.get(url, user=body_member).text


def test_hidden_meeting_answers_like_an_unknown_one(django_app, town, other_member):
    hidden = django_app.get(meeting_url(town.closed_meeting), status=404)
    unknown = django_app.get(reverse("portal:meeting_detail", args=[987654]), status=404)

    assert hidden.text == unknown.text
    assert CLOSED_BODY not in hidden.text
    django_app.get(meeting_url(town.closed_meeting), user=other_member, status=404)


def test_staff_see_the_meetings_of_nonpublic_bodies(django_app, town, administration_user):
    page = django_app.get(meeting_url(town.closed_meeting), user=administration_user)

    assert CLOSED_BODY in page.text
    assert CLOSED_MEETING_ITEM in page.text


def test_meeting_page_query_count_is_constant(django_app, town, body_member):
    small = MeetingFactory(body=town.body, date=datetime.date(2026, 12, 10))
    large = MeetingFactory(body=town.body, date=datetime.date(2026, 12, 17))
    for meeting, count in ((small, 3), (large, 30)):
        for number in range(count):
            item = AgendaItemFactory(meeting=meeting, is_public=number % 3 != 0)
            ResolutionFactory(agenda_item=item)

    def queries(meeting):
        django_app.get(meeting_url(meeting), user=body_member)  # warm the session
        with CaptureQueriesContext(connection) as context:
            page = django_app.get(meeting_url(meeting), user=body_member)
        return len(context), page

    few, _ = queries(small)
    many, page = queries(large)
    assert len(page.html.select(".portal-agenda-item")) == 30
    assert many == few


# The agenda item


def test_anonymous_item_page_shows_published_minutes(django_app, town):
    page = django_app.get(item_url(town.public_item))

    assert text(page.html.h1) == PUBLIC_ITEM
    assert "TOP Ö 5" in page.text
    assert "2020/031-1" in page.text
    assert "Frau Raven stellt die Umfrage vor." in page.text
    assert "<p>Herr Meyer fragt nach dem Rücklauf.</p>" in page.text  # paragraphs kept
    assert "Anke Raven" in page.text  # the speaker
    assert "zur Kenntnis genommen" in page.text
    assert "Der Ausschuss nimmt den Bericht zur Kenntnis." in page.text
    assert "Ja 9 – Nein 1 – Enthaltungen 2 – befangen 1" in page.text
    assert PUBLIC_TASK in page.text
    assert "FB II Familie &amp; Soziales" in page.text or "FB II Familie & Soziales" in page.text
    assert "Personenname" not in page.text  # owners: organisations only
    assert "überfällig" in page.text  # the task due on 1 November, with words
    for secret in SECRETS:
        assert secret not in page.text


def test_item_page_of_draft_minutes_says_not_published(django_app, town, body_member):
    page = django_app.get(item_url(town.draft_item))

    assert "Die Niederschrift zu diesem Tagesordnungspunkt ist noch nicht veröffentlicht." in (
        page.text
    )
    assert DRAFT_MINUTES not in page.text
    assert DRAFT_MINUTES in django_app.get(item_url(town.draft_item), user=body_member).text


def test_nonpublic_item_for_members_only(django_app, town, body_member, other_member):
    unknown_url = reverse("portal:item_detail", args=[987654])
    anonymous = django_app.get(item_url(town.secret_item), status=404)
    assert anonymous.text == django_app.get(unknown_url, status=404).text
    other = django_app.get(item_url(town.secret_item), user=other_member, status=404)
    assert without_csrf(other.text) == without_csrf(
        django_app.get(unknown_url, user=other_member, status=404).text
    )
    for answer in (anonymous, other):
        assert SECRET_ITEM not in answer.text

    page = django_app.get(item_url(town.secret_item), user=body_member)
    assert SECRET_ITEM in page.text
    assert "nicht öffentlich" in page.text
    assert SECRET_MINUTES in page.text
    assert SECRET_RESOLUTION in page.text
    assert SECRET_TASK in page.text
    assert SECRET_PAPER in page.text


def test_item_speakers_follow_the_people_rule(django_app, town):
    from ...actors.factories import PersonFactory

    town.public_item.speakers.add(PersonFactory(last_name=ARCHIVED_PERSON, is_archived=True))

    assert ARCHIVED_PERSON not in django_app.get(item_url(town.public_item)).text


# The calendar


def test_calendar_shows_one_month_grouped_by_day(django_app, town):
    cancelled = MeetingFactory(
        body=town.other_body, date=datetime.date(2026, 11, 30), status=Meeting.Status.CANCELLED
    )
    page = django_app.get(reverse("portal:meeting_list"))

    assert text(page.html.h1) == "Sitzungen im November 2026"
    days = [text(heading) for heading in page.html.select(".portal-day-heading")]
    assert days == ["Donnerstag, 12.11.2026", "Montag, 30.11.2026"]
    assert "abgesagt" in text(page.html.select_one(f'a[href="{meeting_url(cancelled)}"]').parent)
    assert CLOSED_BODY not in page.text  # the closed body's meeting on 26 November
    assert "webcal://" in page.text
    assert "/committees/calendar/meetings.ics" in page.text


def test_calendar_month_navigation(django_app, town):
    page = django_app.get(reverse("portal:meeting_list"), {"month": "2026-10"})

    assert "Sitzungen im Oktober 2026" in page.text
    assert "Donnerstag, 15.10.2026" in page.text
    assert page.html.select_one("a[rel=prev]")["href"] == "?month=2026-09"
    assert page.html.select_one("a[rel=next]")["href"] == "?month=2026-11"

    following = page.click(href=r"\?month=2026-11$", index=0)
    assert "Sitzungen im November 2026" in following.text
    december = following.click(href=r"\?month=2026-12$", index=0)
    assert "Integrationsrat" in december.text
    # A month that does not parse shows the current one.
    assert "November 2026" in django_app.get(reverse("portal:meeting_list") + "?month=x").text


def test_calendar_body_filter_and_its_feed(django_app, town):
    page = django_app.get(reverse("portal:meeting_list"), {"month": "2026-12"})
    form = next(form for form in page.forms.values() if "body" in form.fields)
    form["body"] = str(town.body.pk)
    filtered = form.submit()

    assert "Keine Sitzungen des Gremiums" in filtered.text
    assert filtered.html.select(".portal-day") == []
    assert reverse("minutes:calendar_body", args=[town.body.pk]) in filtered.text
    assert "body=" in filtered.html.select_one("a[rel=next]")["href"]


def test_calendar_ignores_a_hidden_body_filter(django_app, town, administration_user):
    page = django_app.get(
        reverse("portal:meeting_list"), {"month": "2026-11", "body": town.closed_body.pk}
    )
    assert CLOSED_BODY not in page.text
    assert "Donnerstag, 12.11.2026" in page.text

    staff = django_app.get(
        reverse("portal:meeting_list"),
        {"month": "2026-11", "body": town.closed_body.pk},
        user=administration_user,
    )
    assert "Donnerstag, 26.11.2026" in staff.text
    # A non-public body has no public feed to offer.
    assert reverse("minutes:calendar_body", args=[town.closed_body.pk]) not in staff.text


def test_calendar_query_count_is_constant(django_app, town):
    def queries():
        with CaptureQueriesContext(connection) as context:
            django_app.get(reverse("portal:meeting_list"), {"month": "2027-01"})
        return len(context)

    MeetingFactory(body=town.body, date=datetime.date(2027, 1, 5))
    few = queries()
    for day in range(6, 28):
        MeetingFactory(body=town.other_body, date=datetime.date(2027, 1, day))
    assert queries() == few


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "10000-01"])
def test_meeting_calendar_out_of_range_months_show_the_current_month(django_app, month):
    from minutes.portal.selectors import month_shift

    page = django_app.get(reverse("portal:meeting_list") + f"?month={month}")
    current = timezone.localdate().replace(day=1)
    assert page.html.select_one("a[rel=next]")["href"] == (
        f"?month={month_shift(current, 1):%Y-%m}"
    )
