"""Reading the monitoring: indicators per field of action, their latest values against the
target, and the trend. Two queries for the whole overview, however many observations."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch, QuerySet

from integration.core.models import FieldOfAction, User

from ..models import Indicator, Observation

Trend = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class IndicatorStatus:
    """An indicator with its observations (oldest first) and how it stands."""

    indicator: Indicator
    observations: list[Observation]
    latest: Observation | None
    previous: Observation | None
    reached: bool | None  # None: no target or no value yet
    trend: Trend | None  # latest against previous; None with fewer than two values

    @property
    def trend_is_good(self) -> bool | None:
        """Whether the trend goes the way the indicator should go (None when flat or unknown)."""
        if self.trend in (None, "flat"):
            return None
        return (self.trend == "up") == self.indicator.higher_is_better


@dataclass(frozen=True)
class FieldOverview:
    field_of_action: FieldOfAction
    indicators: list[IndicatorStatus] = field(default_factory=list)


def target_reached(indicator: Indicator, value: Decimal | None) -> bool | None:
    """Whether ``value`` meets the target, the right way round; None without target or value."""
    if indicator.target_value is None or value is None:
        return None
    if indicator.higher_is_better:
        return value >= indicator.target_value
    return value <= indicator.target_value


def trend_of(latest: Decimal | None, previous: Decimal | None) -> Trend | None:
    if latest is None or previous is None:
        return None
    if latest > previous:
        return "up"
    if latest < previous:
        return "down"
    return "flat"


def indicator_status(indicator: Indicator, observations: Sequence[Observation]) -> IndicatorStatus:
    """How ``indicator`` stands by ``observations`` (any order); no query."""
    ordered = sorted(observations, key=lambda o: o.period_end)
    latest = ordered[-1] if ordered else None
    previous = ordered[-2] if len(ordered) > 1 else None
    return IndicatorStatus(
        indicator=indicator,
        observations=ordered,
        latest=latest,
        previous=previous,
        reached=target_reached(indicator, latest.value if latest else None),
        trend=trend_of(latest.value if latest else None, previous.value if previous else None),
    )


def indicators_visible_to(*, user: User) -> QuerySet[Indicator]:
    """Indicators ``user`` may read, with their field of action."""
    if not user.has_perm("measures.view_indicator"):
        return Indicator.objects.none()
    return Indicator.objects.select_related("field_of_action")


def observations_visible_to(*, user: User) -> QuerySet[Observation]:
    if not user.has_perm("measures.view_observation"):
        return Observation.objects.none()
    return Observation.objects.select_related("indicator__field_of_action")


def monitoring_overview() -> list[FieldOverview]:
    """Per field of action (in its order) its indicators with observations and status.

    Only fields of action that have indicators; archived ones too, as long as
    their indicators exist. Two queries. No permission check: the callers
    (overview page, concept report) check ``measures.view_indicator``.
    """
    indicators = (
        Indicator.objects.select_related("field_of_action")
        .prefetch_related(
            Prefetch("observations", queryset=Observation.objects.order_by("period_end"))
        )
        .order_by("field_of_action__position", "field_of_action__name", "position", "name")
    )
    overview: dict[int, FieldOverview] = {}
    for indicator in indicators:
        entry = overview.setdefault(
            indicator.field_of_action_id, FieldOverview(field_of_action=indicator.field_of_action)
        )
        entry.indicators.append(indicator_status(indicator, list(indicator.observations.all())))
    return list(overview.values())
