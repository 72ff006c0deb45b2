"""Django's admin for the committee work: every model listed, for superusers; its
writes leave OParl stubs of the public objects they take away."""

import pytest
from django.urls import reverse

from minutes.models import Attachment, Meeting, OParlTombstone

from ..core.factories import UserFactory
from .factories import (
    AgendaItemFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db

MODELS = (
    "body",
    "membership",
    "location",
    "legislativeterm",
    "meeting",
    "attendance",
    "agendaitem",
    "resolution",
    "followuptask",
    "paper",
    "consultation",
    "attachment",
    "invitationround",
    "meetingmail",
)
# Numbered or validated by the services only: no "add" in the admin.
NO_ADD = {"agendaitem", "paper", "attachment", "invitationround", "meetingmail"}


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_every_model(django_app, superuser, model):
    MembershipFactory()
    FollowUpTaskFactory(agenda_item=ResolutionFactory().agenda_item)
    page = django_app.get(reverse(f"admin:minutes_{model}_changelist"), user=superuser)
    assert page.status_code == 200
    status = 403 if model in NO_ADD else 200
    django_app.get(reverse(f"admin:minutes_{model}_add"), user=superuser, status=status)


def test_admin_membership_search(django_app, superuser):
    membership = MembershipFactory(person__last_name="Wittrock")
    MembershipFactory(person__last_name="Andere")
    page = django_app.get(
        reverse("admin:minutes_membership_changelist"), {"q": "Wittrock"}, user=superuser
    )
    assert len(page.html.select("#result_list tbody tr")) == 1
    assert str(membership.body) in page.text


def test_admin_delete_of_a_public_paper_keeps_it_as_deleted_in_oparl(django_app, superuser, client):
    paper = PaperFactory(is_public=True)
    secret = PaperFactory(is_public=False)
    for obj in (paper, secret):
        page = django_app.get(reverse("admin:minutes_paper_delete", args=[obj.pk]), user=superuser)
        page.forms[1].submit().follow()
    assert list(OParlTombstone.objects.values_list("object_id", flat=True)) == [paper.pk]
    data = client.get(reverse("oparl:paper", args=[paper.pk])).json()
    assert data["deleted"] is True
    assert client.get(reverse("oparl:paper", args=[secret.pk])).status_code == 404


def test_admin_delete_of_a_meeting_keeps_its_items_and_files_as_deleted(
    django_app, superuser, client
):
    meeting = MeetingFactory()
    items = [AgendaItemFactory(meeting=meeting), AgendaItemFactory(meeting=meeting)]
    public_file = Attachment.objects.create(
        meeting=meeting, name="Einladung", file_name="einladung.pdf", size=1, is_public=True
    )
    secret_file = Attachment.objects.create(
        meeting=meeting, name="Unterlage", file_name="unterlage.pdf", size=1, is_public=False
    )
    page = django_app.get(
        reverse("admin:minutes_meeting_delete", args=[meeting.pk]), user=superuser
    )
    page.forms[1].submit().follow()

    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    for name, pk in [
        ("meeting", meeting.pk),
        ("agendaitem", items[0].pk),
        ("agendaitem", items[1].pk),
        ("file", public_file.pk),
    ]:
        data = client.get(reverse(f"oparl:{name}", args=[pk])).json()
        assert data["deleted"] is True, name
    assert client.get(reverse("oparl:file", args=[secret_file.pk])).status_code == 404


def test_admin_body_set_non_public_keeps_its_objects_as_deleted(django_app, superuser, client):
    seat = MembershipFactory(body__is_public=True)
    meeting = MeetingFactory(body=seat.body)
    page = django_app.get(reverse("admin:minutes_body_change", args=[seat.body_id]), user=superuser)
    form = page.forms["body_form"]
    form["is_public"] = False
    form.submit().follow()
    for name, pk in [
        ("organization", seat.body_id),
        ("meeting", meeting.pk),
        ("membership", seat.pk),
        ("person", seat.person_id),
    ]:
        assert client.get(reverse(f"oparl:{name}", args=[pk])).json()["deleted"] is True, name


def test_admin_delete_of_a_membership_inline_keeps_it_as_deleted_in_oparl(django_app, superuser):
    seat = MembershipFactory(body__is_public=True)
    page = django_app.get(reverse("admin:minutes_body_change", args=[seat.body_id]), user=superuser)
    form = page.forms["body_form"]
    form["memberships-0-DELETE"] = True
    form.submit().follow()
    assert OParlTombstone.objects.filter(kind="Membership", object_id=seat.pk).exists()
    assert OParlTombstone.objects.filter(kind="Person", object_id=seat.person_id).exists()
