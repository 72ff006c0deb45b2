"""Services of bodies, memberships and member logins."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actors.models import Circle
from integration.core.roles import Role
from minutes.models import Body, Membership
from minutes.services import bodies as services

from ..actors.factories import (
    CircleFactory,
    CircleMembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from ..core.factories import UserFactory
from .factories import BodyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _body_fields(**overrides):
    return {
        "name": "Runder Tisch Integration",
        "short_name": "RTI",
        "kind": Body.Kind.ROUND_TABLE,
        "description": "",
        "circle": None,
        "is_public": False,
        "start_date": None,
        "end_date": None,
    } | overrides


def test_body_create_and_update(coordinator):
    body = services.body_create(by=coordinator, **_body_fields())
    assert body.short_name == "RTI"
    body = services.body_update(by=coordinator, body=body, **_body_fields(short_name="RT"))
    body.refresh_from_db()
    assert body.short_name == "RT"


def test_body_create_formal_body_cannot_link_a_circle(coordinator):
    fields = _body_fields(kind=Body.Kind.COMMITTEE, circle=CircleFactory())
    with pytest.raises(ValidationError) as error:
        services.body_create(by=coordinator, **fields)
    assert "circle" in error.value.message_dict
    assert not Body.objects.exists()


def test_body_create_takes_over_circle_members_once(coordinator):
    circle = CircleFactory(kind=Circle.Kind.ROUND_TABLE)
    current = CircleMembershipFactory(circle=circle).person
    CircleMembershipFactory(circle=circle, end_date=D(2020, 1, 1))  # left the circle
    CircleMembershipFactory(circle=circle, person=PersonFactory(is_archived=True))
    CircleMembershipFactory(circle=circle, person=None, organisation=OrganisationFactory())
    body = services.body_create(
        by=coordinator, take_over_circle_members=True, **_body_fields(circle=circle)
    )
    assert body.members_taken_over == 1
    assert list(body.memberships.values_list("person", "role")) == [
        (current.pk, Membership.Role.MEMBER)
    ]
    # Idempotent: a second take-over adds nobody.
    assert services.body_take_over_circle_members(by=coordinator, body=body) == 0
    assert body.memberships.count() == 1


def test_body_take_over_needs_a_circle(coordinator):
    body = BodyFactory(kind=Body.Kind.ROUND_TABLE)
    with pytest.raises(ValidationError):
        services.body_take_over_circle_members(by=coordinator, body=body)


@pytest.mark.parametrize(
    ("existing", "new", "allowed"),
    [
        ((D(2020, 1, 1), None), (D(2025, 1, 1), None), False),
        ((D(2020, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), None), True),
        ((D(2020, 1, 1), D(2025, 1, 1)), (D(2025, 1, 1), None), False),  # both count that day
        ((None, None), (None, D(2019, 1, 1)), False),
        ((D(2026, 1, 1), None), (None, D(2025, 12, 31)), True),
    ],
)
def test_membership_create_rejects_overlap(body, coordinator, existing, new, allowed):
    person = PersonFactory()
    MembershipFactory(body=body, person=person, start_date=existing[0], end_date=existing[1])
    create = {"by": coordinator, "body": body, "person": person}
    if allowed:
        services.membership_create(**create, start_date=new[0], end_date=new[1])
        assert body.memberships.filter(person=person).count() == 2
    else:
        with pytest.raises(ValidationError, match="bereits Mitglied dieses Gremiums"):
            services.membership_create(**create, start_date=new[0], end_date=new[1])


def test_membership_create_same_person_in_other_body_is_fine(body, other_body, coordinator):
    person = MembershipFactory(body=other_body).person
    services.membership_create(by=coordinator, body=body, person=person)
    assert person.memberships.count() == 2


def test_membership_one_chair_at_a_time(body, coordinator):
    MembershipFactory(body=body, role=Membership.Role.CHAIR, start_date=D(2020, 11, 1))
    with pytest.raises(ValidationError) as error:
        services.membership_create(
            by=coordinator, body=body, person=PersonFactory(), role=Membership.Role.CHAIR
        )
    assert "role" in error.value.message_dict
    # After the old chair's end a new chair may start.
    old = body.memberships.get()
    services.membership_update(by=coordinator, membership=old, end_date=D(2025, 10, 31))
    services.membership_create(
        by=coordinator,
        body=body,
        person=PersonFactory(),
        role=Membership.Role.CHAIR,
        start_date=D(2025, 11, 1),
    )
    assert body.memberships.filter(role=Membership.Role.CHAIR).count() == 2


def test_membership_update_ends_and_checks(body, coordinator):
    membership = MembershipFactory(body=body, start_date=D(2024, 1, 1))
    services.membership_update(
        by=coordinator, membership=membership, end_date=D(2025, 3, 31), on_behalf_of="SPD"
    )
    membership.refresh_from_db()
    assert (membership.end_date, membership.on_behalf_of) == (D(2025, 3, 31), "SPD")
    with pytest.raises(ValidationError):
        services.membership_update(by=coordinator, membership=membership, end_date=D(2023, 1, 1))


def test_member_account_create_links_a_committee_login(body, coordinator):
    membership = MembershipFactory(body=body, person=PersonFactory(email="A.Meyer@Example.org"))
    account = services.member_account_create(by=coordinator, membership=membership)
    assert account.created
    user = account.user
    assert user.username == "a.meyer@example.org"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [Role.COMMITTEE_MEMBER.value]
    membership.person.refresh_from_db()
    assert membership.person.user == user
    again = services.member_account_create(by=coordinator, membership=membership)
    assert (again.created, again.user) == (False, user)


def test_member_account_create_needs_email_and_active_person(body, coordinator):
    membership = MembershipFactory(body=body, person=PersonFactory(email=""))
    with pytest.raises(ValidationError, match="keine E-Mail-Adresse"):
        services.member_account_create(by=coordinator, membership=membership)
    archived = MembershipFactory(body=body, person=PersonFactory(is_archived=True))
    with pytest.raises(ValidationError, match="nicht mehr aktiv"):
        services.member_account_create(by=coordinator, membership=archived)


def test_member_account_create_username_taken_gets_a_number(body, coordinator):
    UserFactory(username="b.kurz@example.org")
    membership = MembershipFactory(body=body, person=PersonFactory(email="b.kurz@example.org"))
    account = services.member_account_create(by=coordinator, membership=membership)
    assert account.user.username == "b.kurz@example.org-2"


def test_member_account_mail_send_link_sets_password(
    body, coordinator, django_app, mailoutbox, settings
):
    membership = MembershipFactory(body=body, person=PersonFactory(email="c.lang@example.org"))
    user = services.member_account_create(by=coordinator, membership=membership).user
    assert services.member_account_mail_send(user_id=user.pk)
    (mail,) = mailoutbox
    assert mail.to == ["c.lang@example.org"]
    link = next(
        line for line in mail.body.splitlines() if line.startswith(settings.SITE_URL)
    ).strip()
    page = django_app.get(link.removeprefix(settings.SITE_URL)).maybe_follow()
    form = next(f for f in page.forms.values() if "new_password1" in f.fields)
    form["new_password1"] = form["new_password2"] = "Gremium-Passwort-2026"
    form.submit().maybe_follow()
    user.refresh_from_db()
    assert user.check_password("Gremium-Passwort-2026")


def test_member_account_mail_send_nothing_once_the_password_is_chosen(
    body, coordinator, mailoutbox
):
    membership = MembershipFactory(body=body)
    user = services.member_account_create(by=coordinator, membership=membership).user
    user.set_password("Schon-gewaehlt-2026")
    user.save()
    assert not services.member_account_mail_send(user_id=user.pk)
    assert not mailoutbox
