"""Reading the positions (Stellen): the list with its totals, and a position's size in words."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext

from integration.core.models import User
from integration.core.numbers import number_display

from ..models import Position

# Bootstrap badge per status, set on each row by ``positions_list``.
STATUS_BADGES = {
    Position.Status.PLANNED: "text-bg-secondary",
    Position.Status.ADVERTISED: "text-bg-info",
    Position.Status.FILLED: "text-bg-success",
    Position.Status.VACANT: "text-bg-warning",
}
# The positions whose cost the town carries now or is about to.
COMMITTED = (Position.Status.FILLED, Position.Status.ADVERTISED)


def _number(value: Decimal) -> str:
    """``value`` without trailing zeros, localised: 0.500 → "0,5", 19.5 → "19,5"."""
    return number_display(value, max_places=3, grouping=True)


def position_size_display(position: Position) -> str:
    """ "0,5 Stelle", "19,5 Std./Woche", or both: "0,5 Stelle (19,5 Std./Woche)"."""
    parts = []
    if position.fte is not None:
        parts.append(gettext("%(share)s FTE") % {"share": _number(position.fte)})
    if position.hours_per_week is not None:
        parts.append(gettext("%(hours)s h/week") % {"hours": _number(position.hours_per_week)})
    if len(parts) == 2:
        return f"{parts[0]} ({parts[1]})"
    return parts[0] if parts else "–"


def positions_visible_to(*, user: User) -> QuerySet[Position]:
    """Positions ``user`` may read, with employer, grant and holder in the same query.

    Whether the holder's name is shown is the template's call (``actors.view_person``).
    """
    if not user.has_perm("measures.view_position"):
        return Position.objects.none()
    return Position.objects.select_related("department", "provider", "grant", "holder")


@dataclass(frozen=True)
class PositionTotals:
    count: int
    fte: Decimal  # sum over the positions whose share is given
    fte_count: int
    hours: Decimal  # sum over the positions given in hours only
    hours_count: int
    cost_committed: Decimal  # filled and advertised positions
    cost_open: Decimal  # planned and vacant positions

    @property
    def fte_display(self) -> str:
        return _number(self.fte) if self.fte_count else ""

    @property
    def hours_display(self) -> str:
        return _number(self.hours) if self.hours_count else ""


def position_totals(positions: Iterable[Position]) -> PositionTotals:
    """Sum the rows already loaded (no query)."""
    positions = list(positions)
    with_fte = [p for p in positions if p.fte is not None]
    hours_only = [p for p in positions if p.fte is None and p.hours_per_week is not None]

    def cost(rows):
        return sum((p.cost_per_year for p in rows if p.cost_per_year is not None), Decimal(0))

    return PositionTotals(
        count=len(positions),
        fte=sum((p.fte for p in with_fte), Decimal(0)),
        fte_count=len(with_fte),
        hours=sum((p.hours_per_week for p in hours_only), Decimal(0)),
        hours_count=len(hours_only),
        cost_committed=cost(p for p in positions if p.status in COMMITTED),
        cost_open=cost(p for p in positions if p.status not in COMMITTED),
    )


def positions_list(*, user: User, status: str = "") -> tuple[list[Position], PositionTotals]:
    """The readable positions (optionally of one status) with size and badge set, and totals.

    One query. Totals sum the listed rows.
    """
    queryset = positions_visible_to(user=user)
    if status:
        queryset = queryset.filter(status=status)
    positions = list(queryset)
    for position in positions:
        position.size_display = position_size_display(position)
        position.status_badge = STATUS_BADGES.get(position.status, "text-bg-secondary")
    return positions, position_totals(positions)
