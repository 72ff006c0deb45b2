"""Writing the rows of a checked import file: organisations, people, memberships.

``import_apply`` is the synchronous, all-or-nothing import; the background
import (``transfer.import_run``) calls it inside its transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from integration.core.models import User

from .. import importing
from ..models import Language, Organisation, Person
from . import network

# ``progress(done, total)`` is told after this many rows.
PROGRESS_EVERY = 100

Progress = Callable[[int, int], None]


def import_plan(*, data: bytes) -> importing.ImportPlan:
    """Read and check an upload against the database (no writes).

    Raises ``importing.ImportFileError`` when the file cannot be read at all.
    """
    table = importing.read_table(
        data, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS
    )
    return importing.plan_build(table, importing.reference_load(table))


@dataclass
class ImportResult:
    rows_total: int = 0
    organisations_created: int = 0
    organisations_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    memberships_added: int = 0
    rows_skipped: int = 0


@transaction.atomic
def import_apply(
    *,
    by: User,
    data: bytes,
    skip_invalid: bool = False,
    expected_digest: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the organisations and people of an upload, all or nothing.

    The file is checked again inside the transaction, so the import acts on
    today's data, not on the preview's. Rows with errors make the import fail
    unless ``skip_invalid``; ``expected_digest`` (from the preview) refuses an
    import whose plan changed since the user looked at it. Any failure rolls
    every row back. ``progress(done, total)`` is told every ``PROGRESS_EVERY``
    valid rows.
    """
    try:
        plan = import_plan(data=data)
    except importing.ImportFileError as error:
        raise ValidationError(error.message) from None
    if expected_digest is not None and plan.digest != expected_digest:
        raise ValidationError(
            _("The data changed since the preview. Please check the preview again.")
        )
    if plan.error_rows and not skip_invalid:
        raise ValidationError(
            _(
                "%(count)s rows have errors. Correct the file and upload it again, or choose "
                "to import only the valid rows."
            )
            % {"count": len(plan.error_rows)}
        )
    if not plan.valid_rows:
        raise ValidationError(_("The file has no row that can be imported."))
    result = ImportResult(rows_total=len(plan.rows), rows_skipped=len(plan.error_rows))
    reference = plan.reference
    circles = reference.circles_by_id
    # Progress counts valid rows; the organisations are saved first and stand
    # for the rows without a person.
    total = len(plan.valid_rows)
    people_rows = [row for row in plan.valid_rows if row.person is not None]
    organisations = {}
    for key, organisation in plan.organisations.items():
        organisations[key] = _with_row(
            organisation.line, _organisation_save, by, organisation, reference
        )
        if organisation.existing is None:
            result.organisations_created += 1
        else:
            result.organisations_updated += 1
        for circle_id in organisation.circle_ids:
            existing_id = organisation.existing.pk if organisation.existing else None
            if (existing_id, circle_id) not in reference.organisation_circles:
                _with_row(
                    organisation.line,
                    network.membership_add,
                    by=by,
                    circle=circles[circle_id],
                    organisation=organisations[key],
                )
                result.memberships_added += 1
    done = total - len(people_rows)
    if progress:
        progress(done, total)
    for row in people_rows:
        organisation = organisations.get(row.person.organisation_key)
        added = _with_row(row.line, _person_save, by, row.person, organisation, reference)
        if row.person.existing is None:
            result.people_created += 1
        else:
            result.people_updated += 1
        result.memberships_added += added
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    return result


def _with_row(line: int, function, *args, **kwargs):
    """Call ``function``; a refusal names the row, and the transaction undoes all rows."""
    try:
        return function(*args, **kwargs)
    except ValidationError as error:
        raise ValidationError(
            _("Row %(line)s: %(error)s") % {"line": line, "error": " ".join(error.messages)}
        ) from error


def _organisation_save(
    by: User, plan: importing.OrganisationPlan, reference: importing.Reference
) -> Organisation:
    fields = reference.fields_by_id
    if plan.existing is None:
        return network.organisation_create(
            by=by,
            name=plan.name,
            kind=plan.kind,
            staffing=plan.staffing,
            email=plan.email,
            phone=plan.phone,
            notes=plan.notes,
            fields_of_action=[fields[pk] for pk in sorted(plan.field_ids)],
        )
    organisation = plan.existing
    # Fill what is empty, never overwrite what the coordination keeps.
    changes = {
        name: getattr(plan, name)
        for name in ("email", "phone", "notes")
        if getattr(plan, name) and not getattr(organisation, name)
    }
    current = set(organisation.fields_of_action.values_list("pk", flat=True))
    if not changes and plan.field_ids <= current:
        return organisation
    return network.organisation_update(
        by=by,
        organisation=organisation,
        fields_of_action=[fields[pk] for pk in sorted(current | plan.field_ids)],
        **changes,
    )


def _person_save(
    by: User,
    plan: importing.PersonPlan,
    organisation: Organisation | None,
    reference: importing.Reference,
) -> int:
    """Create or add to the row's person; returns the number of circle memberships added."""
    languages = reference.languages_by_id
    if plan.existing is None:
        person = network.person_create(
            by=by, languages=[languages[pk] for pk in plan.language_ids], **plan.data
        )
        existing_circles = set()
    else:
        person = _person_add_to(by, plan, languages)
        existing_circles = {
            circle_id for person_id, circle_id in reference.person_circles if person_id == person.pk
        }
    if organisation is not None and (person.pk, organisation.pk) not in reference.affiliations:
        network.affiliation_add(
            by=by, person=person, organisation=organisation, function=plan.function
        )
    added = 0
    circles = reference.circles_by_id
    for circle_id in plan.circle_ids:
        if circle_id not in existing_circles:
            network.membership_add(by=by, circle=circles[circle_id], person=person)
            added += 1
    return added


def _person_add_to(by: User, plan: importing.PersonPlan, languages: dict[int, Language]) -> Person:
    person = plan.existing
    changes = {
        name: value
        for name, value in plan.data.items()
        if name in {"title", "first_name", "phone", "notes"} and value and not getattr(person, name)
    }
    if plan.data["is_volunteer"] and not person.is_volunteer:
        changes["is_volunteer"] = True
    current = set(person.languages.values_list("pk", flat=True))
    if not changes and set(plan.language_ids) <= current:
        return person
    return network.person_update(
        by=by,
        person=person,
        languages=[languages[pk] for pk in sorted(current | set(plan.language_ids))],
        **changes,
    )
