"""Checking every row of a catalogue file against the network and the target version.

``plan_build`` reports every problem per row in German and says what importing
the row would do; it does not write. The plan is built again inside the
import's transaction, so what is imported is what was checked.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

from actors.importing.columns import FORMULA
from actors.models import Organisation
from integration.core.models import FieldOfAction
from integration.core.tabular import CONTROL_CHARACTERS

from ..models import ConceptVersion, Goal, Measure
from .columns import COLUMN_BY_KEY, MEASURE_KEYS, PRIORITY_WORDS, STATUS_WORDS, norm
from .reading import CatalogueTable, Row

MAX_NUMBER = 32767  # PositiveSmallIntegerField
CODE = re.compile(r"^(?:(\d+)\s*\.\s*)?(\d+)\.?$")
DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")
YEAR = re.compile(r"^(\d{4})$")
THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
COST_LIMIT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


@dataclass
class Reference:
    """What the rows are checked against: organisations, fields of action, the version."""

    version: ConceptVersion
    organisations: dict[str, list[Organisation]]  # normalised name or short name → matches
    fields: dict[str, FieldOfAction]  # normalised name → field
    goals: dict[int, Goal]  # number → goal of the version
    measures: dict[tuple[int, int], Measure]  # (goal number, number) → measure of the version


def reference_load(*, version: ConceptVersion) -> Reference:
    """Load the reference data in four queries, whatever the size of the file."""
    organisations: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.only("pk", "name", "short_name", "is_archived"):
        for name in {norm(organisation.name), norm(organisation.short_name)} - {""}:
            organisations.setdefault(name, []).append(organisation)
    goals = {goal.number: goal for goal in Goal.objects.filter(version=version)}
    measures = {
        (measure.goal.number, measure.number): measure
        for measure in Measure.objects.filter(goal__version=version).select_related("goal")
    }
    return Reference(
        version=version,
        organisations=organisations,
        fields={norm(f.name): f for f in FieldOfAction.objects.all()},
        goals=goals,
        measures=measures,
    )


@dataclass
class GoalPlan:
    number: int
    line: int  # the first row naming the goal
    title: str = ""
    description: str | None = None  # None: no goal row, keep the existing description
    field_of_action: FieldOfAction | None = None
    field_given: bool = False
    title_line: int | None = None  # the row that named the title first
    existing: Goal | None = None


@dataclass
class RowPlan:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    goal_number: int | None = None
    code: tuple[int, int] | None = None  # (goal number, measure number) of a measure row
    fields: dict = field(default_factory=dict)  # the measure's parsed fields
    lead: Organisation | None = None
    partners: list[Organisation] = field(default_factory=list)


@dataclass
class CataloguePlan:
    table: CatalogueTable
    rows: list[RowPlan]
    goals: dict[int, GoalPlan]
    digest: str

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        measures = [row for row in self.rows if row.code and not row.errors]
        goals = self.goals.values()
        return {
            "rows": len(self.rows),
            "errors": sum(1 for row in self.rows if row.errors),
            "goals_new": sum(1 for goal in goals if goal.existing is None),
            "goals_existing": sum(1 for goal in goals if goal.existing is not None),
            "measures_new": sum(1 for row in measures if row.fields.get("pk") is None),
            "measures_updated": sum(1 for row in measures if row.fields.get("pk") is not None),
        }


def plan_build(table: CatalogueTable, reference: Reference, *, data: bytes) -> CataloguePlan:
    """Check every row; each problem becomes a German message on its row."""
    rows = [RowPlan(line=row.line, values=row.values) for row in table.rows]
    goals: dict[int, GoalPlan] = {}
    seen_codes: dict[tuple[int, int], int] = {}
    for row, plan in zip(table.rows, rows, strict=True):
        _check_texts(row, plan, table.columns)
        plan.goal_number = _goal_number(row.values["goal_number"], plan)
        _measure_row(row, plan, reference, table.columns)
        if plan.goal_number is not None:
            _goal_merge(row, plan, goals, reference)
        if plan.code is not None:
            first = seen_codes.setdefault(plan.code, plan.line)
            if first != plan.line:
                plan.errors.append(
                    _("The measure number %(code)s is already used in row %(line)s.")
                    % {"code": _code(plan.code), "line": first}
                )
    for goal in goals.values():
        if goal.existing is None and not goal.title:
            for plan in rows:
                if plan.goal_number == goal.number and not plan.errors:
                    plan.errors.append(
                        _(
                            "Goal %(number)s is new and has no title: fill in the column "
                            "“Ziel” in at least one of its rows."
                        )
                        % {"number": goal.number}
                    )
    _describe(rows, goals)
    digest = hashlib.sha256(data).hexdigest()
    return CataloguePlan(table=table, rows=rows, goals=goals, digest=digest)


def _code(code: tuple[int, int]) -> str:
    return f"{code[0]}.{code[1]}"


def _check_texts(row: Row, plan: RowPlan, columns: list[str]) -> None:
    # Every column that is read, not only the text ones: NUL would break the database.
    for key in columns:
        value = row.values[key]
        column = COLUMN_BY_KEY[key]
        if CONTROL_CHARACTERS.search(value):
            plan.errors.append(
                _(
                    "The column “%(column)s” contains invisible control characters. Please "
                    "retype the value."
                )
                % {"column": column.header}
            )
        elif FORMULA.match(value):
            plan.errors.append(
                _("“%(column)s” holds a formula (%(value)s); please enter plain text.")
                % {"column": column.header, "value": value[:40]}
            )
        elif column.max_length and len(value) > column.max_length:
            plan.errors.append(
                _("“%(column)s” is too long (%(length)s characters, at most %(max)s).")
                % {"column": column.header, "length": len(value), "max": column.max_length}
            )


def _number(value: str) -> int | None:
    if value.isdigit() and 0 < int(value) <= MAX_NUMBER:
        return int(value)
    return None


def _goal_number(value: str, plan: RowPlan) -> int | None:
    value = value.strip().rstrip(".")
    if not value:
        plan.errors.append(_("The goal number (column “Ziel-Nr.”) is missing."))
        return None
    number = _number(value)
    if number is None:
        plan.errors.append(
            _("The goal number “%(value)s” is not a whole number greater than 0.")
            % {"value": value}
        )
    return number


def _measure_row(row: Row, plan: RowPlan, reference: Reference, columns: list[str]) -> None:
    """Parse the measure columns; a row without number and title describes its goal only."""
    values = row.values
    number_text, title = values["measure_number"].strip(), values["title"].strip()
    if not number_text and not title:
        filled = [COLUMN_BY_KEY[key].header for key in MEASURE_KEYS if values[key]]
        if filled:
            plan.warnings.append(
                _(
                    "Without a measure number and title this row describes only its goal; "
                    "%(columns)s are not imported."
                )
                % {"columns": ", ".join(f"„{name}“" for name in filled)}
            )
        return
    if not title:
        plan.errors.append(_("The title of the measure (column “Maßnahme”) is missing."))
    match = CODE.match(number_text)
    if not number_text:
        plan.errors.append(_("The measure number (column “Maßnahme-Nr.”) is missing."))
    elif match is None or _number(match.group(2)) is None:
        plan.errors.append(
            _("The measure number “%(value)s” is neither like “3.2” nor like “2”.")
            % {"value": number_text}
        )
    elif match.group(1) and plan.goal_number and int(match.group(1)) != plan.goal_number:
        plan.errors.append(
            _("The measure number %(code)s does not belong to goal %(goal)s of this row.")
            % {"code": number_text, "goal": plan.goal_number}
        )
    elif plan.goal_number is not None:
        plan.code = (plan.goal_number, int(match.group(2)))
    existing = reference.measures.get(plan.code) if plan.code else None
    fields = {"pk": existing.pk if existing else None, "title": title}
    for key in ("description", "target_group", "funding_note"):
        if key in columns:
            fields[key] = values[key].strip()
    fields |= _choice(values, "status", STATUS_WORDS, plan, existing)
    fields |= _choice(values, "priority", PRIORITY_WORDS, plan, existing)
    for key, end in (("start_on", False), ("end_on", True)):
        if key in columns:
            fields[key] = _date(values[key], plan, key, end=end)
    # A column the file leaves out keeps the stored value, which the other must fit.
    start = fields["start_on"] if "start_on" in columns else getattr(existing, "start_on", None)
    end = fields["end_on"] if "end_on" in columns else getattr(existing, "end_on", None)
    if start and end and end < start:
        plan.errors.append(
            _("The end (%(end)s) lies before the start (%(start)s).")
            % {
                "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
                "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
            }
        )
    if "estimated_cost" in columns:
        fields["estimated_cost"] = _cost(values["estimated_cost"], plan)
    if "lead" in columns:
        fields["lead"] = True
        plan.lead = (
            _organisation(values["lead"], plan, reference, "lead") if values["lead"] else None
        )
    if "partners" in columns:
        fields["partners"] = True
        names = [name.strip() for name in re.split(r"[;\n]", values["partners"]) if name.strip()]
        plan.partners = [
            organisation
            for name in dict.fromkeys(names)
            if (organisation := _organisation(name, plan, reference, "partners"))
        ]
    plan.fields = fields


def _choice(values, key, words, plan: RowPlan, existing: Measure | None) -> dict:
    text = norm(values[key])
    if not text:
        # Empty: a new measure gets the default, an existing one keeps its value.
        return {} if existing else {key: Measure._meta.get_field(key).default}
    for value, accepted in words.items():
        if text in {norm(word) for word in accepted} or text == norm(str(value.label)):
            return {key: value}
    allowed = ", ".join(accepted[0] for accepted in words.values())
    plan.errors.append(
        _("Unknown value “%(value)s” in “%(column)s”; possible are: %(allowed)s.")
        % {"column": COLUMN_BY_KEY[key].header, "value": values[key], "allowed": allowed}
    )
    return {}


def _date(value: str, plan: RowPlan, key: str, *, end: bool) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if match := ISO_DAY.match(value):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := DAY.match(value):
            day, month, year = (int(part) for part in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if match := MONTH.match(value):
            month, year = int(match.group(1)), int(match.group(2))
            if end:
                following = date(year + month // 12, month % 12 + 1, 1)
                return date.fromordinal(following.toordinal() - 1)
            return date(year, month, 1)
        if match := YEAR.match(value):
            year = int(match.group(1))
            return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        pass
    plan.errors.append(
        _("“%(value)s” in “%(column)s” is not a date (e.g. 31.12.2026, 03/2026 or 2026).")
        % {"value": value, "column": COLUMN_BY_KEY[key].header}
    )
    return None


def _cost(value: str, plan: RowPlan) -> Decimal | None:
    text = value.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if THOUSANDS.match(text) or ("," in text and "." in text):
        text = text.replace(".", "").replace(",", ".")  # German: 12.500,50
    else:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > COST_LIMIT:
        plan.errors.append(
            _("“%(value)s” in “Kosten” is not an amount in euros (e.g. 12.500,00).")
            % {"value": value}
        )
        return None
    return amount.quantize(Decimal("0.01"))


def _organisation(name: str, plan: RowPlan, reference: Reference, key: str):
    matches = reference.organisations.get(norm(name), [])
    # A full name beats a short name that happens to be the same words.
    exact = [organisation for organisation in matches if norm(organisation.name) == norm(name)]
    matches = exact or matches
    column = COLUMN_BY_KEY[key].header
    if not matches:
        plan.errors.append(
            _(
                "Unknown organisation “%(name)s” (%(column)s). Please add it to the network "
                "first or correct the name."
            )
            % {"name": name, "column": column}
        )
        return None
    if len(matches) > 1:
        plan.errors.append(
            _("“%(name)s” (%(column)s) is ambiguous: %(matches)s. Please use the full name.")
            % {
                "name": name,
                "column": column,
                "matches": "; ".join(organisation.name for organisation in matches),
            }
        )
        return None
    if matches[0].is_archived:
        plan.warnings.append(
            _("The organisation “%(name)s” is archived.") % {"name": matches[0].name}
        )
    return matches[0]


def _field(name: str, plan: RowPlan, reference: Reference) -> FieldOfAction | None:
    wanted = norm(name)
    found = reference.fields.get(wanted)
    if found is None:
        # "Arbeit" for "Arbeit & Ausbildung", if only one field starts so.
        candidates = [f for key, f in reference.fields.items() if key.startswith(wanted)]
        found = candidates[0] if len(candidates) == 1 else None
    if found is None:
        plan.errors.append(_("Unknown field of action “%(name)s”.") % {"name": name})
    return found


def _goal_merge(row: Row, plan: RowPlan, goals: dict[int, GoalPlan], reference: Reference):
    """Collect the goal's title, field and description; rows must agree on them."""
    number = plan.goal_number
    goal = goals.get(number)
    if goal is None:
        existing = reference.goals.get(number)
        goal = goals[number] = GoalPlan(number=number, line=plan.line, existing=existing)
        if existing:
            goal.title = existing.title
    values = row.values
    title = values["goal_title"].strip()
    if title and goal.title_line is None:
        goal.title, goal.title_line = title, plan.line
    elif title and norm(goal.title) != norm(title):
        plan.errors.append(
            _("Goal %(number)s is called “%(first)s” in row %(line)s, here “%(here)s”.")
            % {"number": number, "first": goal.title, "line": goal.title_line, "here": title}
        )
    if values["field_of_action"].strip():
        found = _field(values["field_of_action"].strip(), plan, reference)
        if found is not None:
            if goal.field_given and goal.field_of_action != found:
                plan.errors.append(
                    _(
                        "Goal %(number)s has the field of action “%(first)s” in an earlier row, "
                        "here “%(here)s”."
                    )
                    % {"number": number, "first": goal.field_of_action, "here": found}
                )
            else:
                goal.field_of_action, goal.field_given = found, True
    if plan.code is None and not values["measure_number"] and not values["title"]:
        description = values["description"].strip()
        if goal.description is not None and goal.description != description:
            plan.errors.append(
                _("Goal %(number)s has a second row without a measure with another description.")
                % {"number": number}
            )
        else:
            goal.description = description


def _describe(rows: list[RowPlan], goals: dict[int, GoalPlan]) -> None:
    """What importing each row without errors would do, in German."""
    announced: set[int] = set()
    for plan in rows:
        if plan.errors or plan.goal_number is None:
            continue
        goal = goals[plan.goal_number]
        if goal.number not in announced:
            announced.add(goal.number)
            if goal.existing is None:
                plan.actions.append(_("New goal %(number)s") % {"number": goal.number})
            else:
                plan.actions.append(_("Goal %(number)s is updated") % {"number": goal.number})
        if plan.code is not None:
            message = (
                _("New measure %(code)s")
                if plan.fields.get("pk") is None
                else _("Measure %(code)s is updated")
            )
            plan.actions.append(message % {"code": _code(plan.code)})
