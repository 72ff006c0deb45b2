"""Fixtures of the committee work: a body with a member who has a login."""

import pytest

from integration.core import services
from integration.core.roles import Role

from ..actors.factories import PersonFactory
from ..core.factories import UserFactory
from .factories import BodyFactory, MembershipFactory


def member_login(body, *, role=Role.COMMITTEE_MEMBER):
    """A login in ``role`` whose network person sits in ``body``."""
    user = UserFactory()
    user.groups.set([services.roles_sync()[role.value]])
    person = PersonFactory(user=user, first_name=user.first_name, last_name=user.last_name)
    MembershipFactory(body=body, person=person)
    return user


@pytest.fixture
def body(db):
    return BodyFactory(name="Ausschuss für Bildung, Erziehung, Senioren und Soziales")


@pytest.fixture
def other_body(db):
    return BodyFactory(name="Integrationsrat", kind="integration_council")


@pytest.fixture
def body_member(body):
    """A Gremienmitglied sitting in ``body``."""
    return member_login(body)


@pytest.fixture
def other_member(other_body):
    """A Gremienmitglied sitting in ``other_body`` only."""
    return member_login(other_body)
