"""Reading funding: programmes, grants, the overview per year, report deadlines.

Amounts per year come from ``GrantYear`` rows. What the overview counts (see the
footnote on the page): *applied* sums every application, rejected ones included,
since it was applied for; *granted* and *spent* count only grants with the status
granted or settled; *grants* is the number of grants with an amount in the year.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from integration.core.models import User

from ..models import FundingProgramme, Grant, GrantYear, Measure
from .updates import current_version_ids

# Statuses whose money counts as granted (and may be spent).
GRANTED_STATUSES = (Grant.Status.GRANTED, Grant.Status.SETTLED)
ZERO = Decimal(0)


@dataclass
class FundingYear:
    """The money of one calendar year over all grants (``year`` None for the totals)."""

    year: int | None
    applied: Decimal = ZERO
    granted: Decimal = ZERO
    spent: Decimal = ZERO
    grants: int = 0
    # The grants counted, so that the totals count a grant over several years once.
    grant_ids: frozenset[int] = field(default_factory=frozenset, repr=False, compare=False)


def funding_years(*, years: range | None = None) -> list[FundingYear]:
    """Applied, granted and spent per calendar year, with the number of grants.

    With ``years`` every year of the range is listed (zeros where nothing is
    recorded) and no other; without, the years that have amounts, in order.
    One query, whatever the number of grants.
    """
    rows = GrantYear.objects.all()
    if years is not None:
        rows = rows.filter(year__gte=years.start, year__lt=years.stop)
    sums: dict[int, dict] = {}
    for year, grant_id, status, applied, granted, spent in rows.values_list(
        "year", "grant_id", "grant__status", "applied", "granted", "spent"
    ):
        entry = sums.setdefault(
            year, {"applied": ZERO, "granted": ZERO, "spent": ZERO, "ids": set()}
        )
        entry["applied"] += applied or ZERO
        entry["ids"].add(grant_id)
        if status in GRANTED_STATUSES:
            entry["granted"] += granted or ZERO
            entry["spent"] += spent or ZERO
    listed = list(years) if years is not None else sorted(sums)
    result = []
    for year in listed:
        entry = sums.get(year)
        if entry is None:
            result.append(FundingYear(year=year))
            continue
        ids = frozenset(entry["ids"])
        result.append(
            FundingYear(
                year=year,
                applied=entry["applied"],
                granted=entry["granted"],
                spent=entry["spent"],
                grants=len(ids),
                grant_ids=ids,
            )
        )
    return result


def funding_totals(rows: list[FundingYear]) -> FundingYear:
    """The sums of ``rows`` (``year`` None); a grant over several years counts once."""
    ids = frozenset().union(*(row.grant_ids for row in rows))
    return FundingYear(
        year=None,
        applied=sum((row.applied for row in rows), ZERO),
        granted=sum((row.granted for row in rows), ZERO),
        spent=sum((row.spent for row in rows), ZERO),
        grants=len(ids),
        grant_ids=ids,
    )


def _with_sums(grants: QuerySet[Grant]) -> QuerySet[Grant]:
    """Grants with their programme, recipient and the sums of their years."""
    return grants.select_related("programme", "recipient", "responsible").annotate(
        applied_total=Sum("years__applied"),
        granted_total=Sum("years__granted"),
        spent_total=Sum("years__spent"),
    )


def grants_for_measure(*, measure: Measure) -> QuerySet[Grant]:
    """The grants linked to any copy of ``measure`` (its versions share the ``key``),
    each once, with programme and sums, newest period first."""
    linked = Grant.measures.through.objects.filter(measure__key=measure.key)
    return _with_sums(Grant.objects.filter(pk__in=linked.values("grant_id"))).order_by(
        "-starts_on", "title"
    )


def programmes_visible_to(*, user: User) -> QuerySet[FundingProgramme]:
    if not user.has_perm("measures.view_fundingprogramme"):
        return FundingProgramme.objects.none()
    return FundingProgramme.objects.all()


def programme_list(*, user: User) -> QuerySet[FundingProgramme]:
    """Programmes, open ones first, with the number of their grants."""
    return (
        programmes_visible_to(user=user)
        .annotate(grant_count=Count("grants"))
        .order_by("-is_active", "name")
    )


def grants_visible_to(*, user: User) -> QuerySet[Grant]:
    if not user.has_perm("measures.view_grant"):
        return Grant.objects.none()
    return Grant.objects.all()


def grant_list(*, user: User) -> QuerySet[Grant]:
    """Grants ``user`` may read with programme, recipient and the sums of their years,
    newest period first (an aggregate drops the model's ordering)."""
    return _with_sums(grants_visible_to(user=user)).order_by("-starts_on", "title", "pk")


def grant_years(*, grant: Grant) -> list[GrantYear]:
    return list(grant.years.order_by("year"))


def grant_measures(*, grant: Grant) -> list[Measure]:
    """The measures ``grant`` pays for, ``in_current`` set on each; copies in other
    versions are left out when the same measure (key) is linked in the current one."""
    measures = list(
        grant.measures.select_related("goal__version").order_by("goal__number", "number", "pk")
    )
    current = current_version_ids()
    for measure in measures:
        measure.in_current = measure.goal.version_id in current
    keys_current = {m.key for m in measures if m.in_current}
    return [m for m in measures if m.in_current or m.key not in keys_current]


@dataclass
class DeadlineState:
    """How a grant's report deadline stands: ``state`` is submitted, overdue, due or none."""

    state: str
    days: int | None = None
    submitted_on: date | None = None


def report_deadline_state(grant: Grant, *, today: date | None = None) -> DeadlineState:
    """The report deadline of ``grant`` as the pages show it."""
    if grant.report_submitted_on:
        return DeadlineState("submitted", submitted_on=grant.report_submitted_on)
    if grant.report_due_on is None:
        return DeadlineState("none")
    today = today or timezone.localdate()
    days = (grant.report_due_on - today).days
    return DeadlineState("overdue" if days < 0 else "due", days=days)


def report_deadlines_upcoming(*, user: User, today: date | None = None, limit: int = 10):
    """Grants (granted or settled) with an unsubmitted report, soonest deadline first,
    overdue ones included, each with ``deadline`` set."""
    today = today or timezone.localdate()
    grants = list(
        grants_visible_to(user=user)
        .filter(
            report_due_on__isnull=False,
            report_submitted_on__isnull=True,
            status__in=GRANTED_STATUSES,
        )
        .select_related("programme")
        .order_by("report_due_on", "title")[:limit]
    )
    for grant in grants:
        grant.deadline = report_deadline_state(grant, today=today)
    return grants


def grants_due_for_reminder(*, today: date, days: int) -> QuerySet[Grant]:
    """Grants whose report is due within ``days`` of ``today`` or overdue, not yet
    submitted, granted or settled, and not yet reminded of this very deadline."""
    return (
        Grant.objects.filter(
            report_due_on__isnull=False,
            report_due_on__lte=today + timedelta(days=days),
            report_submitted_on__isnull=True,
            status__in=GRANTED_STATUSES,
        )
        .filter(Q(report_reminded_for__isnull=True) | ~Q(report_reminded_for=F("report_due_on")))
        .select_related("programme", "responsible")
        .order_by("report_due_on", "pk")
    )
