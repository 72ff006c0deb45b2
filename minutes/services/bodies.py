"""Writes of bodies and memberships, and the logins of committee members.

Rules kept here: an informal body only may be linked to a circle of the
network; a person holds at most one membership of a body at any day; a body
has at most one chair at any day; a member login is created once per person.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from actors.models import CircleMembership, Person
from actors.selectors import current_q
from integration.core import services as core_services
from integration.core.emails import email_send
from integration.core.models import User
from integration.core.roles import Role

from ..models import Body, Membership
from .oparl import publication_watch

BODY_FIELDS = (
    "name",
    "short_name",
    "kind",
    "description",
    "circle",
    "is_public",
    "start_date",
    "end_date",
)
MEMBERSHIP_FIELDS = ("role", "on_behalf_of", "start_date", "end_date")


def _check_circle(body: Body) -> None:
    if body.circle_id and body.kind in Body.FORMAL_KINDS:
        raise ValidationError(
            {"circle": _("Only an informal body can be linked to a circle of the network.")}
        )


def _save_body(body: Body) -> Body:
    _check_circle(body)
    body.full_clean()
    body.save()
    return body


@transaction.atomic
def body_create(*, by: User | None, take_over_circle_members: bool = False, **fields) -> Body:
    """Create a body; with ``take_over_circle_members`` its circle's people join as
    members (their number in ``body.members_taken_over``)."""
    body = _save_body(Body(**{name: fields[name] for name in BODY_FIELDS if name in fields}))
    if take_over_circle_members:
        body.members_taken_over = body_take_over_circle_members(by=by, body=body)
    return body


@transaction.atomic
@publication_watch()
def body_update(
    *, by: User | None, body: Body, take_over_circle_members: bool = False, **fields
) -> Body:
    """Change a body's fields; see ``body_create`` for taking over the circle's members."""
    body = Body.objects.select_for_update().get(pk=body.pk)
    for name in BODY_FIELDS:
        if name in fields:
            setattr(body, name, fields[name])
    _save_body(body)
    if take_over_circle_members:
        body.members_taken_over = body_take_over_circle_members(by=by, body=body)
    return body


@transaction.atomic
def body_take_over_circle_members(*, by: User | None, body: Body) -> int:
    """Make the current people of the body's circle members (role member, from today).

    Idempotent: people who already hold a current or future membership are
    skipped. Returns the number of memberships created.
    """
    body = Body.objects.select_for_update().get(pk=body.pk)
    if body.circle_id is None:
        raise ValidationError(_("This body is not linked to a circle of the network."))
    today = timezone.localdate()
    seated = Membership.objects.filter(body=body).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    people = (
        Person.objects.active()
        .filter(
            pk__in=CircleMembership.objects.filter(
                current_q(), circle_id=body.circle_id, person__isnull=False
            ).values("person_id")
        )
        .exclude(pk__in=seated.values("person_id"))
    )
    created = [
        Membership(body=body, person=person, role=Membership.Role.MEMBER, start_date=today)
        for person in people
    ]
    Membership.objects.bulk_create(created)
    return len(created)


def _overlaps(start: date | None, end: date | None, prefix: str = "") -> Q:
    """Rows whose [start_date, end_date] (open ends: unbounded) overlap [start, end]."""
    q = Q()
    if end is not None:
        q &= Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": end})
    if start is not None:
        q &= Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
    return q


def _check_membership(membership: Membership) -> None:
    others = Membership.objects.filter(body_id=membership.body_id).exclude(pk=membership.pk)
    others = others.filter(_overlaps(membership.start_date, membership.end_date))
    if others.filter(person_id=membership.person_id).exists():
        raise ValidationError(
            _("%(person)s already holds a membership of this body in this period.")
            % {"person": membership.person}
        )
    # A body has one chair at a time: a new chair needs the old one's "until" first.
    if membership.role == Membership.Role.CHAIR:
        chair = others.filter(role=Membership.Role.CHAIR).select_related("person").first()
        if chair is not None:
            raise ValidationError(
                {
                    "role": _(
                        "%(person)s already chairs this body in this period. "
                        "Set the end of that membership first."
                    )
                    % {"person": chair.person}
                }
            )


def _save_membership(membership: Membership) -> Membership:
    # Locking the body serialises concurrent additions, so the checks hold.
    Body.objects.select_for_update().get(pk=membership.body_id)
    membership.full_clean()
    _check_membership(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_create(
    *,
    by: User | None,
    body: Body,
    person: Person,
    role: str = Membership.Role.MEMBER,
    on_behalf_of: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Membership:
    """Seat ``person`` in ``body``; no overlapping seat of the same person, one chair at a time."""
    membership = Membership(
        body=body,
        person=person,
        role=role,
        on_behalf_of=on_behalf_of,
        start_date=start_date,
        end_date=end_date,
    )
    return _save_membership(membership)


@transaction.atomic
def membership_update(*, by: User | None, membership: Membership, **fields) -> Membership:
    """Change role, "on behalf of" and dates; ending a membership is setting ``end_date``."""
    membership = Membership.objects.select_related("person").get(pk=membership.pk)
    for name in MEMBERSHIP_FIELDS:
        if name in fields:
            setattr(membership, name, fields[name])
    return _save_membership(membership)


@dataclass(frozen=True)
class MemberAccount:
    user: User
    created: bool


def _username_for(email: str) -> str:
    """The email address as user name; a number appended if a login already uses it."""
    base = email.strip().lower()[:140]
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


@transaction.atomic
def member_account_create(*, by: User | None, membership: Membership) -> MemberAccount:
    """Give the membership's person a login in the role Gremienmitglied, linked to them.

    The login has no password: the person sets one through the link of
    ``member_account_mail_send``. Idempotent: a person who already has a login
    keeps it (``created=False``). Needs the person's email address.
    """
    person = Person.objects.select_for_update().get(pk=membership.person_id)
    if person.user_id is not None:
        return MemberAccount(user=person.user, created=False)
    if person.anonymised_at or person.merged_into_id or person.is_archived:
        raise ValidationError(
            _("%(person)s is no longer active in the network.") % {"person": person}
        )
    if not person.email:
        raise ValidationError(
            _("%(person)s has no email address; a login needs one for the password link.")
            % {"person": person}
        )
    user = core_services.user_create(
        username=_username_for(person.email),
        password=None,
        role=Role.COMMITTEE_MEMBER,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    person.user = user
    if by is not None:
        person._history_user = by  # the author of the person's history entry
    person.save(update_fields=["user", "updated_at"])
    return MemberAccount(user=user, created=True)


def member_account_mail_send(*, user_id: int) -> bool:
    """Mail the login ``user_id`` the link to choose its first password (Django's
    reset token; valid as long as "forgot password" links, ``PASSWORD_RESET_TIMEOUT``).

    Sends nothing (False) once the password is chosen or the login is gone or
    inactive, so a retry of the task is harmless. Raises what the mail backend raises.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    email_send(template="minutes/bodies/emails/member_account", context=context, to=[user.email])
    return True


def member_account_mail_enqueue(*, user: User) -> None:
    """Send the password link by a Celery task after the commit (robust: a broker
    that is down loses nothing visible — the same button sends the link again)."""
    from ..tasks import member_account_mail_task

    transaction.on_commit(lambda: member_account_mail_task.delay(user.pk), robust=True)
