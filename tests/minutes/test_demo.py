"""The demo committee work (seeded after the core and network demos)."""

import io
from itertools import pairwise

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from actors import demo as actors_demo
from actors.models import Person
from integration.core import demo as core_demo
from integration.core.models import User
from minutes import demo
from minutes.models import (
    AgendaItem,
    Attendance,
    Body,
    FollowUpTask,
    Meeting,
    Membership,
    Paper,
    Resolution,
)
from minutes.selectors.access import agenda_items_visible_to, current_membership_q
from minutes.services.resolutions import vote_check

pytestmark = pytest.mark.django_db

MODELS = (Body, Membership, Meeting, Attendance, AgendaItem, Paper, Resolution, FollowUpTask)


@pytest.fixture
def seeded(settings, monkeypatch):
    # The round table takes the network's first 45 people; more are not needed here.
    monkeypatch.setattr(actors_demo, "PEOPLE_PER_SCALE", 60)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    core_demo.seed(scale=1, stdout=out)
    actors_demo.seed(scale=1, stdout=out)
    return demo.seed(scale=1, stdout=out)


def _counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, Person)}


def test_demo_seed_twice_changes_nothing(seeded):
    before = _counts()
    assert demo.seed(scale=1, stdout=io.StringIO()) == seeded
    assert _counts() == before


def test_demo_three_bodies_with_two_years_of_meetings(seeded):
    today = timezone.localdate()
    per_body = dict(Meeting.objects.values_list("body__name").annotate(n=Count("pk")).order_by())
    assert set(per_body) == {demo.COMMITTEE, demo.INTEGRATION_COUNCIL, demo.ROUND_TABLE_BODY}
    assert 12 <= per_body[demo.COMMITTEE] <= 20
    assert 12 <= per_body[demo.INTEGRATION_COUNCIL] <= 20
    assert 7 <= per_body[demo.ROUND_TABLE_BODY] <= 10
    first = Meeting.objects.order_by("date").first().date
    assert (today - first).days >= 700
    upcoming = Meeting.objects.filter(date__gte=today)
    assert upcoming.count() == 2
    assert set(upcoming.values_list("status", flat=True)) == {"planned", "invited"}
    assert not upcoming.filter(agenda_items__isnull=True).exists()
    held = Meeting.objects.filter(date__lt=today)
    assert not held.exclude(status="held").exists()
    assert not held.filter(attendances__isnull=True).exists()
    round_table = Body.objects.get(name=demo.ROUND_TABLE_BODY)
    assert not round_table.is_formal
    assert round_table.circle.name == actors_demo.ROUND_TABLE
    assert round_table.memberships.count() == 46  # 45 of the circle and the secretary


def test_demo_committee_members_and_gremium_login(seeded):
    committee = Body.objects.get(name=demo.COMMITTEE)
    current = committee.memberships.filter(current_membership_q())
    assert current.count() == 11
    roles = set(current.values_list("role", flat=True))
    assert {"chair", "deputy_chair", "member", "citizen", "secretary"} <= roles
    assert current.filter(role="chair").count() == 1
    assert committee.memberships.exclude(current_membership_q()).exists()  # a former member
    gremium = User.objects.get(username="gremium")
    assert current.filter(person__user=gremium).exists()


def test_demo_papers_numbered_per_year_with_a_supplement(seeded):
    for year in set(Paper.objects.values_list("year", flat=True)):
        serials = list(
            Paper.objects.filter(year=year, supplement=0)
            .order_by("serial")
            .values_list("serial", flat=True)
        )
        assert serials == list(range(1, len(serials) + 1))
    supplement = Paper.objects.get(supplement=1)
    assert supplement.main_paper in supplement.related_papers.all()
    assert supplement.reference == f"{supplement.main_paper.reference}-1"
    assert Paper.objects.filter(is_public=False).exists()


def test_demo_resolutions_like_the_seeds(seeded):
    schwelm = Resolution.objects.get(text=demo.SCHWELM[1])
    assert schwelm.vote == Resolution.Vote.UNANIMOUS
    assert schwelm.agenda_item.meeting.body.name == demo.INTEGRATION_COUNCIL
    ascheberg = Resolution.objects.get(kind=Resolution.Kind.REFERRED)
    assert ascheberg.referred_to.name == demo.COUNCIL
    counted = Resolution.objects.filter(vote=Resolution.Vote.COUNTED)
    assert counted.exists()
    for resolution in counted:
        voters = resolution.agenda_item.meeting.attendances.filter(
            status="present", has_vote=True
        ).count()
        assert resolution.yes + resolution.no + resolution.abstentions <= voters
    noted = Resolution.objects.filter(kind=Resolution.Kind.NOTED)
    assert noted.filter(agenda_item__paper__kind=Paper.Kind.INFORMATION).exists()


def test_demo_tasks_open_overdue_and_done(seeded):
    today = timezone.localdate()
    tasks = FollowUpTask.objects
    open_statuses = Q(status__in=["open", "in_progress"])
    assert tasks.filter(open_statuses, due_on__gte=today).exists()
    assert tasks.filter(open_statuses, due_on__lt=today).exists()
    done = tasks.filter(status="done")
    assert done.exists()
    assert not done.filter(closed_on__isnull=True).exists()
    assert tasks.filter(title__contains="Stellenbeschreibung", owner_organisation__isnull=False)


def test_demo_minutes_published_up_to_previous_meeting(seeded):
    for body in Body.objects.filter(meetings__isnull=False).distinct():
        held = list(body.meetings.filter(status="held").order_by("date"))
        assert held[-1].minutes_status == Meeting.MinutesStatus.DRAFT
        for meeting, following in pairwise(held):
            assert meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED
            assert meeting.minutes_approved_in == following


def test_demo_gremium_sees_nonpublic_items_of_committee_only(seeded):
    gremium = User.objects.get(username="gremium")
    nonpublic = AgendaItem.objects.filter(is_public=False)
    committee_items = nonpublic.filter(meeting__body__name=demo.COMMITTEE)
    council_items = nonpublic.filter(meeting__body__name=demo.INTEGRATION_COUNCIL)
    assert committee_items.filter(title__startswith="Personalangelegenheit").exists()
    assert council_items.exists()
    visible = agenda_items_visible_to(gremium)
    assert set(committee_items) <= set(visible)
    assert not visible.filter(pk__in=council_items).exists()


def test_demo_votes_pass_the_rules_a_coordinator_is_held_to(seeded):
    """The demo writes its resolutions directly: they must still fit the vote rules."""
    for resolution in Resolution.objects.select_related("agenda_item__meeting"):
        vote_check(
            meeting=resolution.agenda_item.meeting,
            kind=resolution.kind,
            vote=resolution.vote,
            yes=resolution.yes,
            no=resolution.no,
            abstentions=resolution.abstentions,
            biased=resolution.biased,
        )
