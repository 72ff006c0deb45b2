"""The start page of the committee work."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from minutes.models import FollowUpTask, Meeting

from ..actors.factories import OrganisationFactory
from ..measures.factories import ResponsibilityFactory
from .factories import AgendaItemFactory, BodyFactory, FollowUpTaskFactory, MeetingFactory

pytestmark = pytest.mark.django_db

URL = reverse("minutes:index")


def _in(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_overview_needs_login_and_role(django_app, user_without_role):
    assert django_app.get(URL).location.startswith(reverse("login"))
    django_app.get(URL, user=user_without_role, status=403)


def test_overview_opens_for_every_role(
    django_app, committee_member, administration_user, coordinator
):
    for user in (committee_member, administration_user, coordinator):
        page = django_app.get(URL, user=user)
        assert page.html.select_one(".minutes-nav .active").text.strip() == "Übersicht"


def test_overview_upcoming_meetings_of_eight_weeks(django_app, body, coordinator):
    soon = MeetingFactory(body=body, date=_in(10), status=Meeting.Status.INVITED)
    MeetingFactory(body=body, date=_in(70))  # beyond eight weeks
    MeetingFactory(body=body, date=_in(-3))  # past
    page = django_app.get(URL, user=coordinator)
    section = page.html.select_one("#overview-upcoming").find_parent("section")
    links = [a["href"] for a in section.select("li a")]
    assert links == [soon.get_absolute_url()]
    assert len(section.select("li .badge")) == 1


def test_overview_draft_minutes_for_coordination_and_members(
    django_app, body, body_member, other_member, administration_user, coordinator
):
    draft = MeetingFactory(
        body=body, date=_in(-20), status="held", minutes_status=Meeting.MinutesStatus.DRAFT
    )
    MeetingFactory(
        body=body, date=_in(-80), status="held", minutes_status=Meeting.MinutesStatus.PUBLISHED
    )
    for user, sees in (
        (coordinator, True),
        (body_member, True),
        (other_member, False),
        (administration_user, False),
    ):
        page = django_app.get(URL, user=user)
        box = page.html.select_one("#overview-drafts").find_parent("section")
        assert bool(box.select(f'a[href="{draft.get_absolute_url()}"]')) is sees
        assert len(box.select("li")) == (1 if sees else 0)


def test_overview_task_counts_follow_the_items(django_app, body, body_member, other_member):
    public = AgendaItemFactory(
        meeting=MeetingFactory(body=body, date=_in(-30), minutes_status="published")
    )
    secret = AgendaItemFactory(meeting=public.meeting, is_public=False, title="Personalsache")
    FollowUpTaskFactory(agenda_item=public, due_on=_in(10))
    FollowUpTaskFactory(agenda_item=public, due_on=_in(-5))  # overdue
    FollowUpTaskFactory(agenda_item=secret, due_on=_in(-5), status="in_progress")
    FollowUpTaskFactory(agenda_item=public, due_on=_in(-50), status=FollowUpTask.Status.DONE)
    for user, counts in ((body_member, ["3", "2"]), (other_member, ["2", "1"])):
        page = django_app.get(URL, user=user)
        row = page.html.select_one("#overview-tasks").find_parent("section").select_one("tbody tr")
        assert body.name in row.text
        assert [cell.text.strip() for cell in row.select("td")[1:]] == counts
        assert "Personalsache" not in page.text


def test_overview_quick_links_by_right(django_app, body_member, administration_user, coordinator):
    meeting_url = reverse("minutes:meeting_create")
    paper_url = reverse("minutes:paper_create")

    def links(user):
        page = django_app.get(URL, user=user)
        return {a["href"] for a in page.html.select("a.btn")}

    assert {meeting_url, paper_url} <= links(coordinator)
    assert not {meeting_url, paper_url} & links(body_member)
    assert not {meeting_url, paper_url} & links(administration_user)
    ResponsibilityFactory(user=administration_user, organisation=OrganisationFactory())
    found = links(administration_user)
    assert paper_url in found
    assert meeting_url not in found


def test_overview_constant_queries(django_app, coordinator, django_assert_max_num_queries):
    def data(n):
        for i in range(n):
            body = BodyFactory(name=f"Gremium {n}-{i}")
            meeting = MeetingFactory(body=body, date=_in(i + 1))
            FollowUpTaskFactory(agenda_item=AgendaItemFactory(meeting=meeting))
            MeetingFactory(body=body, date=_in(-30 - i), minutes_status="draft", status="held")

    data(2)
    with django_assert_max_num_queries(25) as small:
        django_app.get(URL, user=coordinator)
    data(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = django_app.get(URL, user=coordinator)
    assert len(page.html.select("#overview-tasks ~ table tbody tr")) == 12
