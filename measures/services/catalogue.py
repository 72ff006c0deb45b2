"""Versions of the concept and its catalogue of goals and measures.

An adopted version is read-only; goals and measures change only in a revision
(the first draft of a concept is a revision too). Starting a revision copies
the catalogue of an adopted version, keys included, so the two can be compared.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from actors.models import Organisation
from integration.core.models import User
from integration.core.services import fields_apply

from ..models import Concept, ConceptVersion, Goal, Measure, StatusUpdate
from ..selectors.updates import current_version_ids
from .funding import grant_links_copy

GOAL_FIELDS = {"number", "title", "description", "field_of_action"}
MEASURE_FIELDS = {
    "goal",
    "number",
    "title",
    "description",
    "target_group",
    "lead",
    "contact",
    "status",
    "priority",
    "start_on",
    "end_on",
    "estimated_cost",
    "funding_note",
}
# What a revision copies of a goal and a measure besides the keys (and the
# last status with its date: the Umsetzungsstand goes on in the new version).
_GOAL_COPIED = ("key", "number", "title", "description", "field_of_action_id")
_MEASURE_COPIED = (
    "key",
    "number",
    "title",
    "description",
    "target_group",
    "lead_id",
    "contact_id",
    "status",
    "priority",
    "start_on",
    "end_on",
    "estimated_cost",
    "funding_note",
    "last_update_on",
)


def _locked_version(version: ConceptVersion) -> ConceptVersion:
    return ConceptVersion.objects.select_for_update().get(pk=version.pk)


def version_check_editable(version: ConceptVersion) -> None:
    """Refuse changes to an adopted version (with the German reason)."""
    if not version.is_editable:
        raise ValidationError(
            _("“%(label)s” is adopted and cannot be changed any more. Start a revision instead.")
            % {"label": version.label}
        )


@transaction.atomic
def concept_create(*, by: User | None, title: str, label: str, description: str = "") -> Concept:
    """Create a concept with its first draft (a revision without a predecessor)."""
    concept = Concept(title=title, description=description)
    concept.full_clean()
    concept.save()
    draft = ConceptVersion(concept=concept, label=label, status=ConceptVersion.Status.REVISION)
    draft.full_clean()
    draft.save()
    return concept


@transaction.atomic
def version_revise(*, by: User | None, version: ConceptVersion, label: str = "") -> ConceptVersion:
    """Start a revision of the current ``version``: a copy of its goals and measures.

    Keys, partners, grant links and each measure's last status and date are copied; the status
    updates stay with the old version, which does not change. One revision per
    concept at a time, and only of its current version (an older one would, once
    adopted, undo what its successors changed).
    """
    # Locking the concept serialises two coordinators starting a revision at once.
    Concept.objects.select_for_update().get(pk=version.concept_id)
    version = ConceptVersion.objects.get(pk=version.pk)
    if version.status != ConceptVersion.Status.ADOPTED:
        raise ValidationError(_("Only an adopted version can be revised."))
    if version.pk not in current_version_ids():
        raise ValidationError(_("Only the current version of the concept can be revised."))
    if ConceptVersion.objects.filter(
        concept_id=version.concept_id, status=ConceptVersion.Status.REVISION
    ).exists():
        raise ValidationError(_("A revision of this concept is already in progress."))
    revision = ConceptVersion(
        concept_id=version.concept_id,
        label=label or _("Revision of %(label)s") % {"label": version.label},
        status=ConceptVersion.Status.REVISION,
        based_on=version,
    )
    revision.full_clean()
    revision.save()

    goals = list(version.goals.all())
    Goal.objects.bulk_create(
        Goal(version=revision, **{name: getattr(goal, name) for name in _GOAL_COPIED})
        for goal in goals
    )
    # Map old goals to their copies by key: one query, whatever the backend
    # returns from bulk_create.
    new_goal_ids = dict(revision.goals.values_list("key", "pk"))
    goal_key = {goal.pk: goal.key for goal in goals}

    measures = list(Measure.objects.filter(goal__version=version).prefetch_related("partners"))
    Measure.objects.bulk_create(
        Measure(
            goal_id=new_goal_ids[goal_key[measure.goal_id]],
            **{name: getattr(measure, name) for name in _MEASURE_COPIED},
        )
        for measure in measures
    )
    new_measure_ids = dict(Measure.objects.filter(goal__version=revision).values_list("key", "pk"))
    through = Measure.partners.through
    through.objects.bulk_create(
        through(measure_id=new_measure_ids[measure.key], organisation_id=partner.pk)
        for measure in measures
        for partner in measure.partners.all()
    )
    # A grant that pays for a measure pays for its copy too.
    grant_links_copy(mapping={measure.pk: new_measure_ids[measure.key] for measure in measures})
    return revision


def _newest_adopted(concept_id: int) -> ConceptVersion | None:
    """The concept's current version if adopted: its newest adopted one."""
    return ConceptVersion.objects.filter(
        concept_id=concept_id, status=ConceptVersion.Status.ADOPTED, pk__in=current_version_ids()
    ).first()


def _progress_carry_over(revision: ConceptVersion) -> int:
    """Take over the Umsetzungsstand recorded on the predecessor while ``revision`` was
    worked on: while a revision is open the adopted version stays current and its
    measures get the status updates, the copies keep the state of the day the
    revision started. A copy gets its predecessor's status and date where those are
    newer, or as new but recorded after the revision started. One query."""
    if revision.based_on_id is None:
        return 0
    old = Measure.objects.filter(goal__version_id=revision.based_on_id, key=OuterRef("key"))
    recorded_since = StatusUpdate.objects.filter(
        measure_id=OuterRef("pk"),
        date=OuterRef("last_update_on"),
        created_at__gte=revision.created_at,
    )
    newer = old.alias(recorded_since=Exists(recorded_since)).filter(
        Q(last_update_on__gt=OuterRef("last_update_on"))
        | Q(last_update_on=OuterRef("last_update_on"), recorded_since=True)
    )
    dated = old.filter(last_update_on__isnull=False)
    copies = Measure.objects.filter(goal_id__in=Goal.objects.filter(version=revision).values("pk"))
    return (
        copies.alias(has_newer=Exists(newer), has_dated=Exists(dated))
        .filter(Q(has_newer=True) | Q(last_update_on__isnull=True, has_dated=True))
        .update(
            status=Subquery(old.values("status")[:1]),
            last_update_on=Subquery(old.values("last_update_on")[:1]),
            updated_at=timezone.now(),
        )
    )


@transaction.atomic
def version_adopt(
    *,
    by: User | None,
    version: ConceptVersion,
    adopted_on: date,
    adopted_by: str = "",
    resolution=None,
) -> ConceptVersion:
    """Adopt a revision: from now on it is read-only and the concept's current version.

    The date may not lie before the adoption of the concept's newest adopted version
    (normally the one revised), so the newest adoption is always the current version.
    Status updates recorded on the predecessor meanwhile carry over to the copies.
    ``resolution`` (minutes.Resolution) links the committee's resolution; without an
    ``adopted_by`` text, that text is taken from it ("Rat, 12.03.2026, TOP Ö 4").
    """
    version = _locked_version(version)
    if version.status != ConceptVersion.Status.REVISION:
        raise ValidationError(_("This version is adopted already."))
    if adopted_on is None:
        raise ValidationError(
            {"adopted_on": _("An adopted version needs the date of its adoption.")}
        )
    newest = _newest_adopted(version.concept_id)
    if newest is not None and adopted_on < newest.adopted_on:
        raise ValidationError(
            {
                "adopted_on": _("The adoption cannot lie before that of “%(label)s” on %(date)s.")
                % {
                    "label": newest.label,
                    "date": formats.date_format(newest.adopted_on, "SHORT_DATE_FORMAT"),
                }
            }
        )
    if resolution is not None and not adopted_by:
        adopted_by = resolution.citation
    version.status = ConceptVersion.Status.ADOPTED
    version.adopted_on = adopted_on
    version.adopted_by = adopted_by
    version.resolution = resolution
    version.full_clean()
    version.save()
    _progress_carry_over(version)
    return version


@transaction.atomic
def goal_create(*, by: User | None, version: ConceptVersion, **data) -> Goal:
    """Add a goal to a revision; numbers are unique within the version."""
    version = _locked_version(version)
    version_check_editable(version)
    goal = Goal(version=version)
    fields_apply(goal, GOAL_FIELDS, data)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_update(*, by: User | None, goal: Goal, **changes) -> Goal:
    """Change a goal of a revision."""
    version_check_editable(_locked_version(goal.version))
    fields_apply(goal, GOAL_FIELDS, changes)
    goal.full_clean()
    goal.save()
    return goal


def _check_goal(goal: Goal, version: ConceptVersion) -> None:
    if goal.version_id != version.pk:
        raise ValidationError({"goal": _("The goal belongs to another version.")})


def _save_measure(measure: Measure, partners: list[Organisation] | None) -> Measure:
    measure.full_clean()
    measure.save()
    if partners is not None:
        measure.partners.set(partners)
    return measure


@transaction.atomic
def measure_create(
    *, by: User | None, goal: Goal, partners: list[Organisation] | None = None, **data
) -> Measure:
    """Add a measure to a goal of a revision; numbers are unique within the goal."""
    version = _locked_version(goal.version)
    version_check_editable(version)
    measure = Measure(goal=goal)
    fields_apply(measure, MEASURE_FIELDS, data)
    _check_goal(measure.goal, version)
    return _save_measure(measure, partners)


@transaction.atomic
def measure_update(
    *, by: User | None, measure: Measure, partners: list[Organisation] | None = None, **changes
) -> Measure:
    """Change a measure of a revision; it may move to another goal of the same version.

    In a version that is the current one (a first draft before any adoption), a
    changed status is the Umsetzungsstand: it goes into the timeline as a status
    update by ``by``, so that the status never changes without a trace.
    """
    version = _locked_version(measure.goal.version)
    version_check_editable(version)
    old_status = measure.status
    fields_apply(measure, MEASURE_FIELDS, changes)
    _check_goal(measure.goal, version)
    status_changed = measure.pk is not None and measure.status != old_status
    if status_changed and version.pk in current_version_ids():
        today = timezone.localdate()
        measure.last_update_on = max(measure.last_update_on or today, today)
        measure = _save_measure(measure, partners)
        with translation.override("de"):
            note = _("Status changed in the catalogue from “%(old)s” to “%(new)s”.") % {
                "old": Measure.Status(old_status).label,
                "new": Measure.Status(measure.status).label,
            }
        StatusUpdate.objects.create(
            measure=measure, date=today, status=measure.status, author=by, note=note
        )
        return measure
    return _save_measure(measure, partners)
