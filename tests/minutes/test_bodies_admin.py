"""Django's admin for the committee work: every model listed, for superusers."""

import pytest
from django.urls import reverse

from ..core.factories import UserFactory
from .factories import FollowUpTaskFactory, MembershipFactory, ResolutionFactory

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
