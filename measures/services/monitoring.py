"""Writes of the monitoring: indicators and their observations."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from integration.core.models import User
from integration.core.services import fields_apply

from ..models import Indicator, Observation

INDICATOR_FIELDS = {
    "field_of_action",
    "name",
    "description",
    "unit",
    "source",
    "target_value",
    "higher_is_better",
    "position",
}
OBSERVATION_FIELDS = {"period_end", "period_label", "value", "note"}
# A period may end up to a year ahead: a school year or a funding year already
# begun can be reported with its preliminary figure.
FUTURE_LIMIT = timedelta(days=366)


def _save_indicator(indicator: Indicator) -> Indicator:
    for name in ("name", "unit", "source"):
        setattr(indicator, name, (getattr(indicator, name) or "").strip())
    clash = Indicator.objects.filter(
        field_of_action_id=indicator.field_of_action_id, name__iexact=indicator.name
    ).exclude(pk=indicator.pk)
    if indicator.name and clash.exists():
        raise ValidationError(
            {"name": _("This field of action already has an indicator with this name.")}
        )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_create(*, by: User | None, **data) -> Indicator:
    """Create an indicator in a field of action; its name is unique there (any case)."""
    indicator = Indicator()
    fields_apply(indicator, INDICATOR_FIELDS, data)
    return _save_indicator(indicator)


@transaction.atomic
def indicator_update(*, by: User | None, indicator: Indicator, **changes) -> Indicator:
    """Change an indicator under the rules of ``indicator_create``."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    fields_apply(indicator, INDICATOR_FIELDS, changes)
    return _save_indicator(indicator)


def _save_observation(observation: Observation, *, today: date) -> Observation:
    observation.period_label = (observation.period_label or "").strip()
    observation.note = (observation.note or "").strip()
    errors = {}
    if observation.period_end and observation.period_end > today + FUTURE_LIMIT:
        errors["period_end"] = _("The period may end at most one year from today.")
    elif observation.period_end:
        taken = Observation.objects.filter(
            indicator_id=observation.indicator_id, period_end=observation.period_end
        ).exclude(pk=observation.pk)
        if taken.exists():
            errors["period_end"] = _(
                "This indicator already has a value as of %(date)s; please edit that one."
            ) % {"date": formats.date_format(observation.period_end, "SHORT_DATE_FORMAT")}
    if errors:
        raise ValidationError(errors)
    observation.full_clean()
    observation.save()
    return observation


@transaction.atomic
def observation_create(*, by: User | None, indicator: Indicator, **data) -> Observation:
    """Record a value of ``indicator``; one per date, ending at most a year from today.

    The indicator row is locked, so that two entries for the same date at once
    meet the friendly message rather than the database's constraint.
    """
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    observation = Observation(indicator=indicator)
    fields_apply(observation, OBSERVATION_FIELDS, data)
    return _save_observation(observation, today=timezone.localdate())


@transaction.atomic
def observation_update(*, by: User | None, observation: Observation, **changes) -> Observation:
    """Correct an observation under the rules of ``observation_create``."""
    Indicator.objects.select_for_update().get(pk=observation.indicator_id)
    observation = Observation.objects.select_related("indicator").get(pk=observation.pk)
    fields_apply(observation, OBSERVATION_FIELDS, changes)
    return _save_observation(observation, today=timezone.localdate())


@transaction.atomic
def observation_delete(*, by: User | None, observation: Observation) -> None:
    """Delete an observation (a wrong entry); harmless if it is gone already."""
    Observation.objects.filter(pk=observation.pk).delete()
