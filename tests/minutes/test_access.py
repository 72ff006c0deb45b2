"""The access rules of the committee work (minutes.selectors.access), rule by rule."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from minutes.models import Attachment, Meeting
from minutes.selectors import access

from ..actors.factories import OrganisationFactory
from ..measures.factories import ResponsibilityFactory
from .conftest import member_login
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def world(body, other_body):
    """A public body and another public body, each with a meeting holding a public and a
    non-public item, a non-public paper consulted in ``body``, and a non-public body."""
    meeting = MeetingFactory(body=body)
    other_meeting = MeetingFactory(body=other_body)
    department = OrganisationFactory(kind="administration", name="FB II Familie & Soziales")
    paper = PaperFactory(is_public=False, lead_department=department, title="Interne Vorlage")
    ConsultationFactory(paper=paper, body=body)
    secret_body = BodyFactory(name="Koordinierungsstab", kind="coordination_staff", is_public=False)
    return {
        "meeting": meeting,
        "public_item": AgendaItemFactory(meeting=meeting, title="Öffentlicher Punkt"),
        "secret_item": AgendaItemFactory(meeting=meeting, is_public=False, title="Personalsache"),
        "other_secret": AgendaItemFactory(meeting=other_meeting, is_public=False),
        "paper": paper,
        "public_paper": PaperFactory(lead_department=department),
        "department": department,
        "secret_body": secret_body,
        "secret_meeting": MeetingFactory(body=secret_body),
    }


def _department_login(department, administration_user):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


def test_scope_anonymous_and_inactive_see_nothing_nonpublic(world, body_member):
    body_member.is_active = False
    for user in (AnonymousUser(), body_member):
        assert access.scope_for(user) == access.NOBODY


def test_scope_is_cached_on_the_user(body_member, django_assert_num_queries):
    first = access.scope_for(body_member)
    with django_assert_num_queries(0):
        assert access.scope_for(body_member) is first


def test_public_content_is_for_everyone(world):
    anonymous = AnonymousUser()
    assert world["meeting"] in access.meetings_visible_to(anonymous)
    items = access.agenda_items_visible_to(anonymous)
    assert world["public_item"] in items
    assert world["secret_item"] not in items
    assert world["public_paper"] in access.papers_visible_to(anonymous)
    assert world["paper"] not in access.papers_visible_to(anonymous)
    assert world["secret_body"] not in access.bodies_visible_to(anonymous)
    assert world["secret_meeting"] not in access.meetings_visible_to(anonymous)


def test_coordination_sees_everything(world, coordinator):
    assert access.scope_for(coordinator).everything
    assert set(access.agenda_items_visible_to(coordinator)) >= {
        world["secret_item"],
        world["other_secret"],
    }
    assert world["paper"] in access.papers_visible_to(coordinator)
    assert world["secret_meeting"] in access.meetings_visible_to(coordinator)
    assert access.can_edit_paper(coordinator, world["paper"])


def test_member_sees_nonpublic_items_and_papers_of_own_body_only(world, body_member):
    items = access.agenda_items_visible_to(body_member)
    assert world["secret_item"] in items
    assert world["other_secret"] not in items
    assert world["paper"] in access.papers_visible_to(body_member)


def test_member_sees_paper_treated_on_agenda_of_own_body(body, body_member):
    paper = PaperFactory(is_public=False)
    AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper)
    assert paper in access.papers_visible_to(body_member)


def test_other_member_and_member_without_person_do_not_see(world, other_member, committee_member):
    for user in (other_member, committee_member):
        assert world["secret_item"] not in access.agenda_items_visible_to(user)
        assert world["paper"] not in access.papers_visible_to(user)
        assert not access.can_edit_paper(user)


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [
        (None, None, True),
        (TODAY, TODAY, True),  # both days count
        (TODAY + datetime.timedelta(days=1), None, False),  # not seated yet
        (datetime.date(2020, 1, 1), TODAY - datetime.timedelta(days=1), False),  # ended
    ],
)
def test_member_body_ids_follow_the_membership_dates(body, start, end, current, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))
    user = member_login(BodyFactory())
    MembershipFactory(body=body, person=user.person, start_date=start, end_date=end)
    assert (body.pk in access.member_body_ids(user=user)) is current


def test_member_sees_meetings_of_own_nonpublic_body(world):
    user = member_login(world["secret_body"])
    assert world["secret_meeting"] in access.meetings_visible_to(user)
    assert world["secret_body"] in access.bodies_visible_to(user)


def test_member_does_not_see_meetings_of_foreign_nonpublic_body(world, body_member):
    assert world["secret_meeting"] not in access.meetings_visible_to(body_member)


def test_staff_see_every_meeting_but_items_follow_the_rules(world, administration_user):
    assert access.scope_for(administration_user).staff
    assert world["secret_meeting"] in access.meetings_visible_to(administration_user)
    assert world["secret_body"] in access.bodies_visible_to(administration_user)
    items = access.agenda_items_visible_to(administration_user)
    assert world["public_item"] in items
    assert world["secret_item"] not in items


def test_department_sees_its_nonpublic_papers_and_their_items(world, administration_user):
    user = _department_login(world["department"], administration_user)
    item = AgendaItemFactory(meeting=world["meeting"], is_public=False, paper=world["paper"])
    foreign = PaperFactory(is_public=False, lead_department=OrganisationFactory())
    assert world["paper"] in access.papers_visible_to(user)
    assert foreign not in access.papers_visible_to(user)
    items = access.agenda_items_visible_to(user)
    assert item in items
    assert world["secret_item"] not in items


def test_can_edit_paper_for_department_only(world, administration_user, committee_member):
    assert not access.can_edit_paper(administration_user)  # no department yet
    user = _department_login(world["department"], administration_user)
    user._minutes_scope = None  # the scope is cached per request
    assert access.can_edit_paper(user)
    assert access.can_edit_paper(user, world["paper"])
    assert not access.can_edit_paper(user, PaperFactory(lead_department=OrganisationFactory()))
    assert not access.can_edit_paper(user, PaperFactory(lead_department=None))
    assert not access.can_edit_paper(committee_member)


def attachment(**owner):
    return Attachment.objects.create(
        name="Anlage",
        file=ContentFile(b"%PDF-1.4", name="anlage.pdf"),
        file_name="anlage.pdf",
        mime_type="application/pdf",
        size=8,
        **owner,
    )


def test_attachments_follow_paper_or_meeting(world, body_member, other_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    paper_file = attachment(paper=world["paper"])
    public_file = attachment(meeting=world["meeting"], is_public=True)
    internal_file = attachment(meeting=world["meeting"], is_public=False)
    mine = access.attachments_visible_to(body_member)
    assert {paper_file, public_file, internal_file} <= set(mine)
    theirs = set(access.attachments_visible_to(other_member))
    assert public_file in theirs
    assert paper_file not in theirs
    assert internal_file not in theirs
    assert set(access.attachments_visible_to(AnonymousUser())) == {public_file}


def test_tasks_follow_their_agenda_item(world, body_member, other_member):
    task = FollowUpTaskFactory(agenda_item=world["secret_item"])
    public_task = FollowUpTaskFactory(agenda_item=world["public_item"])
    assert set(access.tasks_visible_to(body_member)) == {task, public_task}
    # For members of other bodies, tasks also follow the minutes: none while a draft.
    meeting = world["public_item"].meeting
    meeting.minutes_status = Meeting.MinutesStatus.DRAFT
    meeting.save()
    assert set(access.tasks_visible_to(other_member)) == set()
    meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
    meeting.save()
    assert set(access.tasks_visible_to(other_member)) == {public_task}


@pytest.mark.parametrize(
    ("status", "for_other"),
    [
        (Meeting.MinutesStatus.DRAFT, False),
        (Meeting.MinutesStatus.APPROVED, False),
        (Meeting.MinutesStatus.PUBLISHED, True),
    ],
)
def test_minutes_visible(world, body_member, other_member, coordinator, status, for_other):
    meeting = world["meeting"]
    meeting.minutes_status = status
    assert access.minutes_visible(coordinator, meeting)
    assert access.minutes_visible(body_member, meeting)
    assert access.minutes_visible(other_member, meeting) is for_other
    assert access.minutes_visible(AnonymousUser(), meeting) is for_other


@pytest.mark.parametrize(
    ("status", "for_others"),
    [(Meeting.MinutesStatus.DRAFT, False), (Meeting.MinutesStatus.PUBLISHED, True)],
)
def test_resolutions_visible_to_follows_the_minutes(
    world, body_member, other_member, administration_user, coordinator, status, for_others
):
    meeting = world["meeting"]
    meeting.minutes_status = status
    meeting.save()
    resolution = ResolutionFactory(agenda_item=world["public_item"])
    assert resolution in access.resolutions_visible_to(coordinator)
    assert resolution in access.resolutions_visible_to(body_member)
    for user in (other_member, administration_user):
        assert (resolution in access.resolutions_visible_to(user)) is for_others
