"""Reading the catalogue: versions, the grouped list of goals and measures, comparisons."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from integration.core.models import FieldOfAction, User

from ..models import Concept, ConceptVersion, Goal, Measure, StatusUpdate
from .updates import current_version_ids

# A measure past its end is overdue unless it came to one of these ends.
CLOSED_STATUSES = (Measure.Status.DONE, Measure.Status.PERMANENT, Measure.Status.DISCARDED)


# Bootstrap badge per status; the catalogue sets it on each measure so the
# template needs no include or condition per row (1,000 rows must stay fast).
STATUS_BADGES = {
    Measure.Status.PLANNED: "text-bg-secondary",
    Measure.Status.IN_PROGRESS: "text-bg-primary",
    Measure.Status.DONE: "text-bg-success",
    Measure.Status.PERMANENT: "text-bg-info",
    Measure.Status.DEFERRED: "text-bg-warning",
    Measure.Status.DISCARDED: "text-bg-dark",
}


def overdue_q() -> Q:
    """Measures whose end lies in the past and which are not done, permanent or discarded."""
    return Q(end_on__lt=timezone.localdate()) & ~Q(status__in=CLOSED_STATUSES)


def versions_visible_to(*, user: User) -> QuerySet[ConceptVersion]:
    """Versions ``user`` may read, with their concept and predecessor."""
    if not user.has_perm("measures.view_conceptversion"):
        return ConceptVersion.objects.none()
    return ConceptVersion.objects.select_related("concept", "based_on")


def goals_visible_to(*, user: User) -> QuerySet[Goal]:
    if not user.has_perm("measures.view_goal"):
        return Goal.objects.none()
    return Goal.objects.select_related("version__concept", "field_of_action")


def measures_visible_to(*, user: User) -> QuerySet[Measure]:
    if not user.has_perm("measures.view_measure"):
        return Measure.objects.none()
    return Measure.objects.select_related("goal__version__concept")


def concept_current_version(*, user: User, concept: Concept | None = None) -> ConceptVersion | None:
    """The version a concept is read in: the newest adopted one, else the revision
    (``current_version_ids`` decides, the same rule as for status updates).

    Without ``concept`` the first concept is meant (a town has one).
    """
    if concept is None:
        concept = Concept.objects.order_by("title", "pk").first()
        if concept is None:
            return None
    return (
        versions_visible_to(user=user).filter(concept=concept, pk__in=current_version_ids()).first()
    )


def version_is_current(*, version: ConceptVersion) -> bool:
    return version.pk in current_version_ids()


def version_list(*, user: User) -> QuerySet[ConceptVersion]:
    """All readable versions with the number of their goals and measures."""
    return versions_visible_to(user=user).annotate(
        goal_count=Count("goals", distinct=True),
        measure_count=Count("goals__measures", distinct=True),
    )


def concept_versions(*, version: ConceptVersion) -> list[ConceptVersion]:
    """The versions of ``version``'s concept, newest first, for the version switcher."""
    return list(
        ConceptVersion.objects.filter(concept_id=version.concept_id).order_by("-created_at", "-pk")
    )


def concept_revision(*, concept_id: int) -> ConceptVersion | None:
    return ConceptVersion.objects.filter(
        concept_id=concept_id, status=ConceptVersion.Status.REVISION
    ).first()


@dataclass
class GoalEntry:
    goal: Goal
    measures: list[Measure]


@dataclass
class FieldEntry:
    field: FieldOfAction | None
    goals: list[GoalEntry] = field(default_factory=list)


@dataclass
class Catalogue:
    fields: list[FieldEntry]
    total: int
    # (status value, label, count) in the order of the status choices, only those present.
    counts: list[tuple[str, str, int]]

    @property
    def counts_line(self) -> str:
        """ "88 measures: 31 implemented, 40 in progress …" for the page's heading."""
        parts = ", ".join(f"{count} {label}" for _value, label, count in self.counts)
        head = ngettext("%(total)s measure", "%(total)s measures", self.total) % {
            "total": self.total
        }
        return f"{head}: {parts}" if parts else head


@dataclass(slots=True)
class MeasureRow:
    """What the catalogue page shows of a measure: a row of ``catalogue_rows``, built
    from a tuple (a model instance with its lead costs five times as much)."""

    pk: int
    goal: Goal
    number: int
    title: str
    status: str
    end_on: date | None
    last_update_on: date | None
    lead_name: str
    status_label: str = ""
    status_badge: str = ""

    @property
    def goal_id(self) -> int:
        return self.goal.pk

    @property
    def code(self) -> str:
        return f"{self.goal.number}.{self.number}"


CATALOGUE_ORDER = ("goal__number", "number", "pk")


def _version_goals(version: ConceptVersion) -> dict[int, Goal]:
    return {
        goal.pk: goal
        for goal in Goal.objects.filter(version=version).select_related("field_of_action")
    }


def _catalogue(*, goals: dict[int, Goal], rows: list, filtered: bool) -> Catalogue:
    """Group ``rows`` (measures or MeasureRows, in catalogue order, each with its goal
    set) by field of action and goal, with status labels, badges and counts."""
    by_goal: dict[int, list] = {pk: [] for pk in goals}
    # Translated once: a lazy label per row costs a gettext at every use.
    labels = {value: str(label) for value, label in Measure.Status.choices}
    for row in rows:
        row.status_label = labels.get(row.status, row.status)
        row.status_badge = STATUS_BADGES.get(row.status, "text-bg-secondary")
        by_goal[row.goal_id].append(row)

    entries: dict[int | None, FieldEntry] = {}
    for goal in sorted(goals.values(), key=lambda g: g.number):
        if filtered and not by_goal[goal.pk]:
            continue
        entry = entries.setdefault(goal.field_of_action_id, FieldEntry(goal.field_of_action))
        entry.goals.append(GoalEntry(goal, by_goal[goal.pk]))
    # Fields in their own order; goals without a field of action come last.
    fields = sorted(
        entries.values(),
        key=lambda e: (e.field is None, e.field.position if e.field else 0, str(e.field or "")),
    )
    tally = Counter(row.status for row in rows)
    counts = [
        (value, label, tally[value]) for value, label in Measure.Status.choices if tally[value]
    ]
    return Catalogue(fields=fields, total=len(rows), counts=counts)


def catalogue_data(
    *, version: ConceptVersion, measures: QuerySet[Measure], filtered: bool
) -> Catalogue:
    """The catalogue of ``version``: fields of action → goals → ``measures`` (already
    filtered; model instances with their lead and whatever ``measures`` annotates),
    with counts per status. Two queries, whatever the number of measures.

    Unfiltered, goals without measures are listed too; filtered, only goals with hits.
    """
    goals = _version_goals(version)
    rows = list(
        measures.filter(goal__version=version)
        # The goal comes from ``goals``: joining its version and concept only costs time.
        .select_related(None)
        .select_related("lead")
        .order_by(*CATALOGUE_ORDER)
    )
    for measure in rows:
        # Setting the loaded goal spares a query per measure for its code.
        measure.goal = goals[measure.goal_id]
    return _catalogue(goals=goals, rows=rows, filtered=filtered)


def catalogue_rows(
    *, version: ConceptVersion, measures: QuerySet[Measure], filtered: bool
) -> Catalogue:
    """``catalogue_data`` for the catalogue page: the measures as ``MeasureRow``s, read
    as tuples of the shown columns. Two queries; about 8 ms for 1,000 measures."""
    goals = _version_goals(version)
    columns = measures.filter(goal__version=version).order_by(*CATALOGUE_ORDER)
    rows = [
        MeasureRow(pk, goals[goal_id], number, title, status, end_on, last_update, lead or "")
        for pk, goal_id, number, title, status, end_on, last_update, lead in columns.values_list(
            "pk", "goal_id", "number", "title", "status", "end_on", "last_update_on", "lead__name"
        )
    ]
    return _catalogue(goals=goals, rows=rows, filtered=filtered)


def measure_detail(*, user: User) -> QuerySet[Measure]:
    """Measures with everything their detail page shows besides the timeline."""
    return (
        measures_visible_to(user=user)
        .select_related("goal__field_of_action", "lead", "contact")
        .prefetch_related("partners")
    )


def measure_timeline(*, measure: Measure) -> list[StatusUpdate]:
    """The status updates of ``measure`` in every version of its concept, newest first,
    with their authors and versions: the copies of a measure share its key, and
    updates stay with the version they were recorded in. One query."""
    return list(
        StatusUpdate.objects.filter(
            measure__key=measure.key,
            measure__goal__version__concept_id=measure.goal.version.concept_id,
        )
        .select_related("author", "measure__goal__version")
        .order_by("-date", "-created_at", "-pk")
    )


# Comparing two versions


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Difference:
    """A goal or measure of the comparison: ``old`` or ``new`` is None when added or removed."""

    old: Goal | Measure | None
    new: Goal | Measure | None
    changes: list[Change] = field(default_factory=list)

    @property
    def current(self):
        return self.new or self.old


@dataclass
class Comparison:
    old: ConceptVersion
    new: ConceptVersion
    goals_added: list[Difference]
    goals_removed: list[Difference]
    goals_changed: list[Difference]
    measures_added: list[Difference]
    measures_removed: list[Difference]
    measures_changed: list[Difference]

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.goals_added,
                self.goals_removed,
                self.goals_changed,
                self.measures_added,
                self.measures_removed,
                self.measures_changed,
            )
        )


GOAL_COMPARED = ("number", "title", "description", "field_of_action")
MEASURE_COMPARED = (
    "code",
    "goal",
    "title",
    "description",
    "target_group",
    "lead",
    "partners",
    "contact",
    "status",
    "priority",
    "start_on",
    "end_on",
    "estimated_cost",
    "funding_note",
)


def _label(model, name: str) -> str:
    if name == "code":
        return capfirst(gettext("number"))
    return capfirst(model._meta.get_field(name).verbose_name)


def _value(obj, name: str) -> str:
    """What a comparison shows of a field; the goal by its key, so a renumbered goal
    is a change of the code, not of the goal."""
    if name == "code":
        return obj.code
    if name == "goal":
        return str(obj.goal.key)
    if name == "partners":
        return ", ".join(sorted(p.name for p in obj.partners.all()))
    model_field = obj._meta.get_field(name)
    if model_field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if model_field.is_relation:
        return str(value)
    return str(formats.localize(value))


def _shown(obj, name: str) -> str:
    if name == "goal":
        return str(obj.goal)
    return _value(obj, name)


def _diff(old_items: dict, new_items: dict, names: tuple[str, ...], model):
    added, removed, changed = [], [], []
    for key, new in new_items.items():
        old = old_items.get(key)
        if old is None:
            added.append(Difference(None, new))
            continue
        changes = [
            Change(_label(model, name), _shown(old, name) or "–", _shown(new, name) or "–")
            for name in names
            if _value(old, name) != _value(new, name)
        ]
        if changes:
            changed.append(Difference(old, new, changes))
    removed = [Difference(old, None) for key, old in old_items.items() if key not in new_items]
    return added, removed, changed


def _catalogue_by_key(version: ConceptVersion) -> tuple[dict, dict]:
    goals = {
        goal.pk: goal
        for goal in Goal.objects.filter(version=version).select_related("field_of_action")
    }
    measures = Measure.objects.filter(goal__version=version).select_related("lead", "contact")
    measures = measures.prefetch_related("partners").order_by("goal__number", "number")
    by_key = {}
    for measure in measures:
        measure.goal = goals[measure.goal_id]
        by_key[measure.key] = measure
    goals_by_key = {goal.key: goal for goal in sorted(goals.values(), key=lambda g: g.number)}
    return goals_by_key, by_key


def version_compare(*, old: ConceptVersion, new: ConceptVersion) -> Comparison:
    """Goals and measures added, removed and changed from ``old`` to ``new``, matched by
    key; a change lists each field with its old and new value. Six queries."""
    old_goals, old_measures = _catalogue_by_key(old)
    new_goals, new_measures = _catalogue_by_key(new)
    goals = _diff(old_goals, new_goals, GOAL_COMPARED, Goal)
    measures = _diff(old_measures, new_measures, MEASURE_COMPARED, Measure)
    return Comparison(old, new, *goals, *measures)
