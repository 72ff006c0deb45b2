"""Creating and changing organisations, people, affiliations, circles and consent."""

from contextlib import nullcontext
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction, User
from integration.core.services import fields_apply

from ..models import (
    Affiliation,
    Circle,
    CircleMembership,
    Consent,
    Language,
    Organisation,
    Person,
    PrivacyLogEntry,
)
from ..selectors import current_q

ORGANISATION_FIELDS = {
    "name",
    "short_name",
    "kind",
    "staffing",
    "street",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
    "notes",
    "is_archived",
}
PERSON_FIELDS = {
    "salutation",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "is_volunteer",
    "notes",
    "is_archived",
}
CIRCLE_FIELDS = {"name", "kind", "description", "is_archived"}


def _set_history_user(instance, by: User | None) -> None:
    # simple-history takes the author from the request; services called from
    # commands or tasks name it explicitly.
    if by is not None:
        instance._history_user = by


@transaction.atomic
def organisation_create(
    *, by: User | None, fields_of_action: list[FieldOfAction] | None = None, **data
) -> Organisation:
    """Create an organisation of the network."""
    organisation = Organisation()
    fields_apply(organisation, ORGANISATION_FIELDS, data)
    organisation.full_clean()
    _set_history_user(organisation, by)
    organisation.save()
    if fields_of_action is not None:
        organisation.fields_of_action.set(fields_of_action)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    by: User | None,
    organisation: Organisation,
    fields_of_action: list[FieldOfAction] | None = None,
    **changes,
) -> Organisation:
    """Change an organisation; archiving is a change of ``is_archived``, never a delete."""
    fields_apply(organisation, ORGANISATION_FIELDS, changes)
    organisation.full_clean()
    _set_history_user(organisation, by)
    organisation.save()
    if fields_of_action is not None:
        organisation.fields_of_action.set(fields_of_action)
    return organisation


@transaction.atomic
def person_create(*, by: User | None, languages: list[Language] | None = None, **data) -> Person:
    """Create a person of the network."""
    person = Person(last_activity_at=timezone.now())
    fields_apply(person, PERSON_FIELDS, data)
    person.full_clean()
    _set_history_user(person, by)
    person.save()
    if languages is not None:
        person.languages.set(languages)
    return person


@transaction.atomic
def person_update(
    *, by: User | None, person: Person, languages: list[Language] | None = None, **changes
) -> Person:
    """Change a person; anonymised or merged entries cannot be changed any more."""
    if person.anonymised_at is not None or person.merged_into_id is not None:
        raise ValidationError(_("This entry was erased or merged and cannot be changed."))
    from minutes.services.oparl import publication_watch  # here: import cycle

    fields_apply(person, PERSON_FIELDS, changes)
    person.last_activity_at = timezone.now()
    person.full_clean()
    _set_history_user(person, by)
    # Archiving takes a committee member out of the open data (OParl), restoring
    # brings them back.
    with publication_watch() if "is_archived" in changes else nullcontext():
        person.save()
    if languages is not None:
        person.languages.set(languages)
    return person


def affiliation_add(
    *,
    by: User | None,
    person: Person,
    organisation: Organisation,
    function: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Affiliation:
    """Record that ``person`` works for ``organisation``."""
    affiliation = Affiliation(
        person=person,
        organisation=organisation,
        function=function,
        start_date=start_date,
        end_date=end_date,
    )
    affiliation.full_clean()
    _set_history_user(affiliation, by)
    affiliation.save()
    return affiliation


def affiliation_end(*, by: User | None, affiliation: Affiliation, end_date: date) -> Affiliation:
    """End an affiliation on ``end_date``; the row stays as history."""
    affiliation.end_date = end_date
    affiliation.full_clean()
    _set_history_user(affiliation, by)
    affiliation.save()
    return affiliation


def circle_create(*, by: User | None, **data) -> Circle:
    """Create a circle (Runder Tisch, Arbeitsgruppe …)."""
    circle = Circle()
    fields_apply(circle, CIRCLE_FIELDS, data)
    circle.full_clean()
    _set_history_user(circle, by)
    circle.save()
    return circle


def circle_update(*, by: User | None, circle: Circle, **changes) -> Circle:
    fields_apply(circle, CIRCLE_FIELDS, changes)
    circle.full_clean()
    _set_history_user(circle, by)
    circle.save()
    return circle


@transaction.atomic
def membership_add(
    *,
    by: User | None,
    circle: Circle,
    person: Person | None = None,
    organisation: Organisation | None = None,
    role: str = CircleMembership.Role.MEMBER,
    start_date: date | None = None,
) -> CircleMembership:
    """Add a person or an organisation to a circle; a current membership is not doubled.

    Current as in ``selectors.current_q``: also one that ends on a later day.
    """
    # Two coordinators adding the same member at once must not both pass the check.
    Circle.objects.select_for_update().get(pk=circle.pk)
    current = circle.memberships.filter(current_q(), person=person, organisation=organisation)
    if current.exists():
        raise ValidationError(
            _("%(member)s is already a member of %(circle)s.")
            % {"member": person or organisation, "circle": circle}
        )
    membership = CircleMembership(
        circle=circle,
        person=person,
        organisation=organisation,
        role=role,
        start_date=start_date or timezone.localdate(),
    )
    membership.full_clean()
    _set_history_user(membership, by)
    membership.save()
    return membership


def membership_end(
    *, by: User | None, membership: CircleMembership, end_date: date | None = None
) -> CircleMembership:
    """End a membership; the row stays so the circle's history remains complete."""
    membership.end_date = end_date or timezone.localdate()
    membership.full_clean()
    _set_history_user(membership, by)
    membership.save()
    return membership


@transaction.atomic
def consent_record(
    *,
    by: User | None,
    person: Person,
    purpose: str,
    basis: str,
    method: str,
    given_on: date,
    note: str = "",
) -> Consent:
    """Record a legal basis for emailing ``person`` for ``purpose``.

    Replaces nothing: a person has at most one valid basis per purpose, so a
    second one is refused until the first is withdrawn.
    """
    Person.objects.select_for_update().get(pk=person.pk)
    consent = Consent(
        person=person,
        purpose=purpose,
        basis=basis,
        method=method,
        given_on=given_on,
        note=note,
        recorded_by=by,
    )
    consent.full_clean()
    _set_history_user(consent, by)
    consent.save()
    Person.objects.filter(pk=person.pk).update(last_activity_at=timezone.now())
    return consent


@transaction.atomic
def consent_withdraw(
    *, by: User | None, person: Person, purpose: str | None = None, note: str = ""
) -> list[Consent]:
    """Withdraw the valid consent of ``person`` for ``purpose`` (all purposes when None).

    Idempotent: withdrawing what is already withdrawn changes nothing. Logged.
    """
    valid = Consent.objects.select_for_update().filter(person=person, withdrawn_at__isnull=True)
    if purpose is not None:
        valid = valid.filter(purpose=purpose)
    withdrawn = []
    now = timezone.now()
    for consent in valid:
        consent.withdrawn_at = now
        consent.withdrawal_note = note
        _set_history_user(consent, by)
        consent.save()
        withdrawn.append(consent)
    if withdrawn:
        PrivacyLogEntry.objects.create(
            action=PrivacyLogEntry.Action.CONSENT_WITHDRAWN,
            person_id_ref=person.pk,
            by=by,
            detail=", ".join(sorted(consent.purpose for consent in withdrawn)),
        )
    return withdrawn
