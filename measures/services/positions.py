"""Writes of the positions (Stellen): create and change, with the rules of a position's size,
employer and holder."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from integration.core.models import User
from integration.core.services import fields_apply

from ..models import Position

POSITION_FIELDS = {
    "title",
    "fte",
    "hours_per_week",
    "employment",
    "department",
    "provider",
    "cost_per_year",
    "grant",
    "funding_note",
    "status",
    "holder",
    "starts_on",
    "ends_on",
    "job_profile",
}


def _check(position: Position) -> None:
    """The rules across fields, as German messages at the fields concerned.

    A holder is named only for a filled position: a planned, advertised or
    vacant one has nobody in it, and a holder left behind there would be
    reported to the committee as if the work were covered.
    """
    errors = {}
    if position.fte is None and position.hours_per_week is None:
        errors["fte"] = _("Please enter the share of a full-time position or the hours per week.")
    if position.employment == Position.Employment.EXTERNAL and position.provider_id is None:
        errors["provider"] = _("An external position needs its provider.")
    if position.employment == Position.Employment.INTERNAL and position.provider_id is not None:
        errors["provider"] = _(
            "Only an external position has a provider; for an internal one leave it empty."
        )
    if position.holder_id is not None and position.status != Position.Status.FILLED:
        errors["holder"] = _("Only a filled position has a holder.")
    if position.starts_on and position.ends_on and position.ends_on < position.starts_on:
        errors["ends_on"] = _("The end cannot lie before the start.")
    if errors:
        raise ValidationError(errors)


def _save(position: Position) -> Position:
    position.title = (position.title or "").strip()
    position.funding_note = (position.funding_note or "").strip()
    _check(position)
    position.full_clean()
    position.save()
    return position


@transaction.atomic
def position_create(*, by: User | None, **data) -> Position:
    """Create a position; fte or hours, a provider when external, a holder only when filled."""
    position = Position()
    fields_apply(position, POSITION_FIELDS, data)
    return _save(position)


@transaction.atomic
def position_update(*, by: User | None, position: Position, **changes) -> Position:
    """Change a position under the rules of ``position_create``; the row is locked."""
    position = Position.objects.select_for_update().get(pk=position.pk)
    fields_apply(position, POSITION_FIELDS, changes)
    return _save(position)
