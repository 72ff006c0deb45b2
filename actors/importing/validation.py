"""Checking every row and planning, in German, what importing it would do; nothing writes.

``plan_build`` takes a ``Table`` (see ``reading``) and a ``Reference`` (see
``reference``) and returns an ``ImportPlan``: per row its errors, warnings and
actions, and the organisations the valid rows name.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction
from integration.core.tabular import CONTROL_CHARACTERS

from ..models import Circle, Organisation, Person
from .columns import (
    COLUMN_BY_KEY,
    FORMULA,
    KIND_ALIASES,
    LIST_SEPARATORS,
    MOJIBAKE,
    NO,
    PERSON_KEYS,
    SALUTATIONS,
    YES,
    _norm,
)
from .reading import Table
from .reference import Reference


@dataclass
class OrganisationPlan:
    """An organisation the valid rows name: created once, or an existing one added to."""

    key: str
    name: str
    existing: Organisation | None
    line: int  # first valid row naming it
    kind: str = ""
    staffing: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    field_ids: set[int] = field(default_factory=set)
    circle_ids: list[int] = field(default_factory=list)  # memberships of the organisation itself


@dataclass
class PersonPlan:
    existing: Person | None
    data: dict
    language_ids: list[int]
    organisation_key: str | None
    function: str
    circle_ids: list[int]


@dataclass
class RowPlan:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    organisation_key: str | None = None
    person: PersonPlan | None = None
    # Parsed values of the row, kept until the organisations are merged.
    kind: str = ""
    volunteer: bool = False
    circles: list[Circle] = field(default_factory=list)
    fields: list[FieldOfAction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        parts = ("title", "first_name", "last_name")
        return " ".join(self.values.get(key, "") for key in parts if self.values.get(key))


@dataclass
class ImportPlan:
    table: Table
    reference: Reference
    rows: list[RowPlan]
    organisations: dict[str, OrganisationPlan]

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.ok]

    @property
    def error_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if not row.ok]

    @property
    def warning_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.ok and row.warnings]

    @property
    def counts(self) -> dict[str, int]:
        people = [row.person for row in self.valid_rows if row.person]
        return {
            "rows": len(self.rows),
            "valid": len(self.valid_rows),
            "errors": len(self.error_rows),
            "warnings": len(self.warning_rows),
            "organisations_new": sum(1 for o in self.organisations.values() if not o.existing),
            "organisations_existing": sum(1 for o in self.organisations.values() if o.existing),
            "people_new": sum(1 for person in people if not person.existing),
            "people_existing": sum(1 for person in people if person.existing),
        }

    @property
    def digest(self) -> str:
        """A fingerprint of what the import would do, to tell a stale preview."""
        summary = [
            [
                row.line,
                row.ok,
                row.organisation_key,
                row.person.existing.pk if row.person and row.person.existing else None,
            ]
            for row in self.rows
        ]
        summary.append(
            sorted(
                [key, org.existing.pk if org.existing else None]
                for key, org in self.organisations.items()
            )
        )
        return hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]


def _split(value: str, known: dict) -> list[str]:
    if not value:
        return []
    if _norm(value) in known:
        return [value]
    return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]


def _kind(value: str) -> str | None:
    wanted = _norm(value)
    for kind, aliases in KIND_ALIASES.items():
        if wanted in aliases or wanted in {_norm(kind.value), _norm(str(kind.label))}:
            return kind
    return None


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label)


def _check_cells(row: RowPlan) -> None:
    for key, value in row.values.items():
        if CONTROL_CHARACTERS.search(value):
            row.errors.append(
                _(
                    "The column “%(column)s” contains invisible control characters. Please "
                    "retype the value."
                )
                % {"column": _label(key)}
            )
        elif FORMULA.match(value):
            shown = value if len(value) <= 40 else value[:40] + "…"
            row.errors.append(
                _(
                    "The column “%(column)s” contains a formula (%(formula)s); formulas are "
                    "not imported. Please enter the value as plain text."
                )
                % {"column": _label(key), "formula": shown}
            )
        elif MOJIBAKE.search(value):
            row.warnings.append(
                _(
                    "“%(value)s” in “%(column)s” looks wrongly encoded (e.g. “Ã¼” instead of "
                    "“ü”). Please save the file as “CSV UTF-8” or .xlsx."
                )
                % {"value": value, "column": _label(key)}
            )
        max_length = COLUMN_BY_KEY[key].max_length
        if max_length and len(value) > max_length:
            row.errors.append(
                _("“%(column)s” is too long (at most %(max)s characters).")
                % {"column": _label(key), "max": max_length}
            )


def _check_row(row: RowPlan, reference: Reference, seen: dict) -> None:
    values = row.values
    _check_cells(row)
    is_person = any(values.get(key) for key in PERSON_KEYS)
    organisation = values.get("organisation", "")
    if is_person and not values.get("last_name"):
        row.errors.append(_("The last name is missing."))
    if not is_person and not organisation:
        row.errors.append(_("Neither an organisation nor a last name is given."))
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": email})
    if values.get("kind"):
        row.kind = _kind(values["kind"]) or ""
        if not row.kind:
            row.warnings.append(
                _("Unknown kind “%(kind)s”; a new organisation is created as “Other”.")
                % {"kind": values["kind"]}
            )
    volunteer = _norm(values.get("volunteer", ""))
    row.volunteer = volunteer in YES
    if volunteer and volunteer not in YES | NO:
        row.warnings.append(
            _("“%(value)s” under “Ehrenamt” is neither “ja” nor “nein”; read as “nein”.")
            % {"value": values["volunteer"]}
        )
    for name in _split(values.get("circles", ""), reference.circles):
        circle = reference.circles.get(_norm(name))
        if circle is None:
            row.errors.append(
                _("Unknown network circle “%(name)s”. Please create it first or correct the name.")
                % {"name": name}
            )
        elif circle.is_archived:
            row.errors.append(_("The network circle “%(name)s” is archived.") % {"name": name})
        elif circle not in row.circles:
            row.circles.append(circle)
    for name in _split(values.get("fields_of_action", ""), reference.fields):
        field_of_action = reference.fields.get(_norm(name))
        if field_of_action is None:
            row.errors.append(_("Unknown field of action “%(name)s”.") % {"name": name})
        elif field_of_action not in row.fields:
            row.fields.append(field_of_action)
    if organisation:
        row.organisation_key = _norm(organisation)
    elif values.get("kind") or values.get("fields_of_action"):
        row.warnings.append(_("“Art” and “Handlungsfelder” need an organisation; ignored."))
    if is_person:
        _check_person(row, reference, seen)
    elif row.organisation_key:
        earlier = seen["organisations"].setdefault(row.organisation_key, row.line)
        if earlier != row.line:
            row.warnings.append(
                _("The organisation is also listed in row %(line)s; the rows are combined.")
                % {"line": earlier}
            )


def _check_person(row: RowPlan, reference: Reference, seen: dict) -> None:
    values = row.values
    languages = []
    for name in _split(values.get("languages", ""), reference.languages):
        language = reference.languages.get(_norm(name))
        if language is None:
            row.errors.append(_("Unknown language “%(name)s”.") % {"name": name})
        elif language.pk not in languages:
            languages.append(language.pk)
    salutation = Person.Salutation.NONE
    if values.get("salutation"):
        salutation = SALUTATIONS.get(_norm(values["salutation"]))
        if salutation is None:
            salutation = Person.Salutation.NONE
            row.warnings.append(
                _("Unknown salutation “%(value)s”; the full name is used instead.")
                % {"value": values["salutation"]}
            )
    if values.get("function") and not row.organisation_key:
        row.warnings.append(_("A function without an organisation is not imported."))
    email = _norm(values.get("email", ""))
    existing = None
    if email:
        earlier = seen["emails"].setdefault(email, row.line)
        if earlier != row.line:
            row.errors.append(
                _("The email address is already used by row %(line)s of this file.")
                % {"line": earlier}
            )
        existing = reference.people_by_email.get(email)
        if existing is not None:
            row.warnings.append(
                _(
                    "“%(name)s” with this email address already exists. The row adds to that "
                    "entry (organisation, circles, languages, empty fields) and overwrites "
                    "nothing."
                )
                % {"name": existing.full_name}
            )
    else:
        name = _norm(f"{values.get('first_name', '')} {values.get('last_name', '')}")
        earlier = seen["names"].setdefault(name, row.line)
        if earlier != row.line:
            row.warnings.append(
                _("Row %(line)s has the same name; perhaps the same person?") % {"line": earlier}
            )
        if name in reference.people_by_name:
            row.warnings.append(
                _(
                    "A person named “%(name)s” already exists; without an email address the "
                    "row creates a second entry."
                )
                % {"name": reference.people_by_name[name].full_name}
            )
    row.person = PersonPlan(
        existing=existing,
        data={
            "salutation": salutation,
            "title": values.get("title", ""),
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "email": values.get("email", ""),
            "phone": values.get("phone", ""),
            "is_volunteer": row.volunteer,
            "notes": values.get("notes", ""),
        },
        language_ids=languages,
        organisation_key=row.organisation_key,
        function=values.get("function", "") if row.organisation_key else "",
        circle_ids=[circle.pk for circle in row.circles],
    )


def _merge_organisation(row: RowPlan, plan: ImportPlan, reference: Reference) -> None:
    key = row.organisation_key
    organisation = plan.organisations.get(key)
    if organisation is None:
        organisation = OrganisationPlan(
            key=key,
            name=row.values["organisation"],
            existing=reference.organisations.get(key),
            line=row.line,
        )
        plan.organisations[key] = organisation
    organisation.kind = organisation.kind or row.kind
    organisation.field_ids |= {field.pk for field in row.fields}
    if row.person is None:
        # A row without a person describes the organisation itself.
        if row.volunteer:
            organisation.staffing = Organisation.Staffing.VOLUNTEER
        organisation.email = organisation.email or row.values.get("email", "")
        organisation.phone = organisation.phone or row.values.get("phone", "")
        organisation.notes = organisation.notes or row.values.get("notes", "")
        for circle in row.circles:
            if circle.pk not in organisation.circle_ids:
                organisation.circle_ids.append(circle.pk)


def _describe(row: RowPlan, plan: ImportPlan, reference: Reference) -> None:
    """Say in German what importing the (valid) row does."""
    organisation = plan.organisations.get(row.organisation_key) if row.organisation_key else None
    if organisation is not None:
        if organisation.existing is not None:
            row.actions.append(
                _("Existing organisation “%(name)s”") % {"name": organisation.existing.name}
            )
        elif organisation.line == row.line:
            row.actions.append(_("New organisation “%(name)s”") % {"name": organisation.name})
        else:
            row.actions.append(
                _("Organisation “%(name)s” (new, from row %(line)s)")
                % {"name": organisation.name, "line": organisation.line}
            )
    person = row.person
    if person is None:
        if organisation is not None:
            existing_id = organisation.existing.pk if organisation.existing else None
            joins = [
                circle.name
                for circle in row.circles
                if (existing_id, circle.pk) not in reference.organisation_circles
            ]
            if joins:
                row.actions.append(
                    _("The organisation joins: %(circles)s") % {"circles": ", ".join(joins)}
                )
        return
    if person.existing is None:
        row.actions.append(_("New person “%(name)s”") % {"name": row.name})
    else:
        row.actions.append(
            _("Adds to existing person “%(name)s”") % {"name": person.existing.full_name}
        )
    if organisation is not None:
        linked = (
            person.existing is not None
            and organisation.existing is not None
            and (person.existing.pk, organisation.existing.pk) in reference.affiliations
        )
        if not linked:
            row.actions.append(
                _("Works for “%(organisation)s”%(function)s")
                % {
                    "organisation": organisation.name,
                    "function": f" ({person.function})" if person.function else "",
                }
            )
    existing_id = person.existing.pk if person.existing else None
    joins = [
        circle.name
        for circle in row.circles
        if (existing_id, circle.pk) not in reference.person_circles
    ]
    if joins:
        row.actions.append(_("Member of: %(circles)s") % {"circles": ", ".join(joins)})


def plan_build(table: Table, reference: Reference) -> ImportPlan:
    """Check every row and plan what importing the valid ones would create or add to."""
    plan = ImportPlan(table=table, reference=reference, rows=[], organisations={})
    seen: dict[str, dict[str, int]] = {"emails": {}, "names": {}, "organisations": {}}
    for source in table.rows:
        row = RowPlan(line=source.line, values=source.values)
        values = ", ".join(f"„{value}“" for value in source.unnamed)
        if source.unnamed and table.format == "csv":
            row.errors.append(
                _(
                    "The row has values in columns without a header (%(values)s). Perhaps a "
                    "cell contains the delimiter without quotes, so that the cells shifted."
                )
                % {"values": values}
            )
        elif source.unnamed:
            row.warnings.append(
                _("Values in columns without a header are not imported: %(values)s.")
                % {"values": values}
            )
        _check_row(row, reference, seen)
        plan.rows.append(row)
    # Organisations are merged from valid rows only: when rows with errors are
    # skipped, the first valid row naming a new organisation creates it.
    for row in plan.valid_rows:
        if row.organisation_key:
            _merge_organisation(row, plan, reference)
    for organisation in plan.organisations.values():
        if organisation.existing is None:
            organisation.kind = organisation.kind or Organisation.Kind.OTHER
            if not organisation.staffing:
                volunteer = organisation.kind == Organisation.Kind.VOLUNTEER_INITIATIVE
                organisation.staffing = (
                    Organisation.Staffing.VOLUNTEER
                    if volunteer
                    else Organisation.Staffing.PROFESSIONAL
                )
    for row in plan.valid_rows:
        _describe(row, plan, reference)
    return plan
