"""Importing organisations and people from a file, and keeping the upload until then.

An upload is stored as ``MEDIA_ROOT/imports/<uuid>`` (outside the web root);
the view keeps the uuid in the session. The file stays until it is imported or
discarded, so a user who fixes errors can look at the preview again.
"""

import contextlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from integration.core.models import User

from .. import importing
from ..models import Language, Organisation, Person
from . import network

# Uploads nobody imported or discarded are removed after this long.
UPLOAD_MAX_AGE_SECONDS = 2 * 24 * 60 * 60


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _upload_path(token: str) -> Path:
    # The token comes back from the session; parsing it as a UUID keeps any
    # other value from naming a path outside the upload folder.
    return _upload_dir() / str(uuid.UUID(token))


def import_upload_store(*, data: bytes) -> str:
    """Store an uploaded file and return its token; removes stale uploads on the way."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for stale in folder.iterdir():
        if stale.is_file() and stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    token = str(uuid.uuid4())
    _upload_path(token).write_bytes(data)
    return token


def import_upload_load(*, token: str) -> bytes | None:
    """The stored upload, or None when it is gone (imported, discarded or expired)."""
    try:
        return _upload_path(token).read_bytes()
    except (ValueError, FileNotFoundError):
        return None


def import_upload_discard(*, token: str) -> None:
    """Remove a stored upload; harmless when it is already gone."""
    with contextlib.suppress(ValueError):
        _upload_path(token).unlink(missing_ok=True)


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
    organisations_created: int = 0
    organisations_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    memberships_added: int = 0
    rows_skipped: int = 0


@transaction.atomic
def import_confirm(
    *, by: User, data: bytes, skip_invalid: bool = False, expected_digest: str | None = None
) -> ImportResult:
    """Import the organisations and people of an upload, all or nothing.

    The file is checked again inside the transaction, so the import acts on
    today's data, not on the preview's. Rows with errors make the import fail
    unless ``skip_invalid``; ``expected_digest`` (from the preview) refuses an
    import whose plan changed since the user looked at it. Any failure rolls
    every row back.
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
    result = ImportResult(rows_skipped=len(plan.error_rows))
    reference = plan.reference
    circles = reference.circles_by_id
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
    for row in plan.valid_rows:
        if row.person is None:
            continue
        organisation = organisations.get(row.person.organisation_key)
        added = _with_row(row.line, _person_save, by, row.person, organisation, reference)
        if row.person.existing is None:
            result.people_created += 1
        else:
            result.people_updated += 1
        result.memberships_added += added
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
