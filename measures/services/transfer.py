"""Importing a catalogue file into a revision: all rows or none."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from integration.core.models import User

from .. import importing
from ..models import ConceptVersion, Goal, Measure, StatusUpdate
from ..selectors.updates import current_version_ids

# The upload waits in the session between preview and confirm, so it is kept
# small whatever IMPORT_MAX_BYTES allows: a catalogue of 1,000 measures is
# about 150 KB as XLSX.
SESSION_MAX_BYTES = 1024 * 1024

MEASURE_FIELDS = (
    "title",
    "description",
    "target_group",
    "status",
    "priority",
    "start_on",
    "end_on",
    "estimated_cost",
    "funding_note",
)


def import_max_bytes() -> int:
    return min(settings.IMPORT_MAX_BYTES, SESSION_MAX_BYTES)


@dataclass(frozen=True)
class ImportResult:
    goals_created: int
    goals_updated: int
    measures_created: int
    measures_updated: int


def version_check_importable(version: ConceptVersion) -> None:
    """Only a revision in progress (or the first draft, also a revision) takes an import."""
    if not version.is_editable:
        raise ValidationError(
            _(
                "The version “%(label)s” is adopted and cannot be changed. Start a revision "
                "and import into it."
            )
            % {"label": version.label},
            code="adopted",
        )


def catalogue_plan(*, version: ConceptVersion, data: bytes) -> importing.CataloguePlan:
    """Read and check ``data`` against ``version``; raises ``ImportFileError`` for bad files."""
    table = importing.read_catalogue(
        data, max_bytes=import_max_bytes(), max_rows=settings.IMPORT_MAX_ROWS
    )
    return importing.plan_build(table, importing.reference_load(version=version), data=data)


@transaction.atomic
def catalogue_import(
    *,
    by: User,
    version: ConceptVersion,
    data: bytes,
    expected_digest: str | None = None,
    filename: str = "",
) -> ImportResult:
    """Import a catalogue file (named ``filename``) into the revision ``version``, atomically.

    The file is checked again under the version's row lock; any error in any
    row (or a file other than the one previewed, ``expected_digest``) imports
    nothing. Goals are matched by number, measures by code ("3.2"); measures
    the file does not name stay as they are. Permission (``measures.add_measure``)
    is the view's.

    Into the current version (a first draft before any adoption, see
    ``current_version_ids``) the statuses are the Umsetzungsstand: every measure
    whose status the import changes, and every new one not "planned", gets a
    status update by ``by`` dated today, as an edit in the catalogue form does.
    """
    version = ConceptVersion.objects.select_for_update().get(pk=version.pk)
    version_check_importable(version)
    try:
        plan = catalogue_plan(version=version, data=data)
    except importing.ImportFileError as error:
        raise ValidationError(error.message, code="file") from None
    if expected_digest is not None and plan.digest != expected_digest:
        raise ValidationError(
            _("The file has changed since the preview. Please check it again."), code="digest"
        )
    if plan.has_errors:
        raise ValidationError(
            ngettext(
                "%(count)s row has errors; nothing was imported.",
                "%(count)s rows have errors; nothing was imported.",
                plan.counts["errors"],
            )
            % {"count": plan.counts["errors"]},
            code="rows",
        )
    try:
        return _apply(plan, version, by=by, filename=filename)
    except IntegrityError:
        # Another change of the version between check and write (a number
        # taken meanwhile); the transaction is rolled back as a whole.
        raise ValidationError(
            _(
                "The catalogue was changed at the same time; nothing was imported. "
                "Please try again."
            ),
            code="conflict",
        ) from None


def _timeline_note(filename: str) -> str:
    # Stored text, so in the language of the catalogue, not of the importing user.
    with translation.override("de"):
        if filename:
            return _("Status set by the import of %(filename)s.") % {"filename": filename}
        return _("Status set by an import.")


def _apply(
    plan: importing.CataloguePlan, version: ConceptVersion, *, by: User, filename: str
) -> ImportResult:
    goals: dict[int, Goal] = {}
    created_goals, changed_goals = [], []
    now = timezone.now()
    for number, goal_plan in plan.goals.items():
        goal = goal_plan.existing or Goal(version=version, number=number)
        goal.title = goal_plan.title
        if goal_plan.field_given:
            goal.field_of_action = goal_plan.field_of_action
        if goal_plan.description is not None:
            goal.description = goal_plan.description
        goal.updated_at = now
        goal.clean_fields(exclude=["version", "field_of_action"])
        (changed_goals if goal.pk else created_goals).append(goal)
        goals[number] = goal
    Goal.objects.bulk_create(created_goals)
    Goal.objects.bulk_update(
        changed_goals, ["title", "field_of_action", "description", "updated_at"]
    )
    if any(goal.pk is None for goal in created_goals):
        # Backends without RETURNING: load the keys by number.
        saved = Goal.objects.filter(version=version).in_bulk(goals, field_name="number")
        goals = {number: saved[number] for number in goals}

    existing = {measure.pk: measure for measure in _measures(version)}
    # Only the current version's statuses are the Umsetzungsstand (see catalogue_import).
    timeline = version.pk in current_version_ids()
    today = timezone.localdate()
    created, changed, partner_sets, status_set = [], [], [], []
    for row in plan.rows:
        if row.code is None:
            continue
        fields = row.fields
        measure = existing.get(fields["pk"]) or Measure(goal=goals[row.code[0]], number=row.code[1])
        old_status = measure.status if measure.pk else Measure.Status.PLANNED
        for name in MEASURE_FIELDS:
            if name in fields:
                setattr(measure, name, fields[name])
        if timeline and measure.status != old_status:
            measure.last_update_on = today
            status_set.append(measure)
        if fields.get("lead"):
            measure.lead = row.lead
        measure.updated_at = now
        measure.clean_fields(exclude=["goal", "lead", "contact"])
        measure.clean()
        (changed if measure.pk else created).append(measure)
        if fields.get("partners"):
            partner_sets.append((measure, row.partners))
    Measure.objects.bulk_create(created)
    Measure.objects.bulk_update(changed, [*MEASURE_FIELDS, "lead", "last_update_on", "updated_at"])
    if any(measure.pk is None for measure in created):
        saved = {(m.goal_id, m.number): m for m in _measures(version)}
        for measure in created:
            measure.pk = saved[(measure.goal.pk, measure.number)].pk
    if status_set:
        note = _timeline_note(filename)
        StatusUpdate.objects.bulk_create(
            StatusUpdate(measure=measure, date=today, status=measure.status, note=note, author=by)
            for measure in status_set
        )
    through = Measure.partners.through
    through.objects.filter(measure__in=[measure for measure, _partners in partner_sets]).delete()
    through.objects.bulk_create(
        through(measure_id=measure.pk, organisation_id=organisation.pk)
        for measure, partners in partner_sets
        for organisation in partners
    )
    return ImportResult(
        goals_created=len(created_goals),
        goals_updated=len(changed_goals),
        measures_created=len(created),
        measures_updated=len(changed),
    )


def _measures(version: ConceptVersion):
    return Measure.objects.filter(goal__version=version)
