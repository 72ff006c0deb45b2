"""The columns of a catalogue file and the words its cells use; no database access.

The headers are part of the file format, not of the UI: an export always writes
the German headers below, whatever the user's language, so that it can be
imported again; the English aliases are accepted too.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from ..models import Goal, Measure


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the export writes it
    aliases: tuple[str, ...]  # further headers accepted (compared case-insensitively)
    help: object = ""  # lazy translation for the upload page
    max_length: int | None = None


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


COLUMNS = (
    Column(
        "goal_number",
        "Ziel-Nr.",
        ("ziel-nr", "ziel nr.", "ziel nr", "zielnummer", "ziel-nummer", "nr. ziel", "goal no."),
        gettext_lazy("Number of the goal, e.g. 3. Goals are matched by their number."),
    ),
    Column(
        "goal_title",
        "Ziel",
        ("ziele", "zielsetzung", "goal"),
        gettext_lazy("Title of the goal; needed for a new goal, the same in all its rows."),
        _max(Goal, "title"),
    ),
    Column(
        "field_of_action",
        "Handlungsfeld",
        ("handlungsfelder", "themenfeld", "field of action"),
        gettext_lazy("Name of an existing field of action, e.g. Sprache & Bildung."),
    ),
    Column(
        "measure_number",
        "Maßnahme-Nr.",
        ("maßnahme-nr", "maßnahme nr.", "massnahme-nr.", "maßnahmennummer", "measure no."),
        gettext_lazy(
            "“3.2” or “2” (within the goal). Measures are matched by this code. A row "
            "without a measure describes only its goal."
        ),
    ),
    Column(
        "title",
        "Maßnahme",
        ("maßnahmen", "massnahme", "measure"),
        gettext_lazy("Title of the measure."),
        _max(Measure, "title"),
    ),
    Column(
        "description",
        "Beschreibung",
        ("erläuterung", "description"),
        gettext_lazy("Of the measure; in a row without a measure, of the goal."),
    ),
    Column(
        "target_group",
        "Zielgruppe",
        ("zielgruppen", "target group"),
        "",
        _max(Measure, "target_group"),
    ),
    Column(
        "lead",
        "Federführend",
        ("federführung", "verantwortlich", "zuständig", "lead"),
        gettext_lazy(
            "Name or short name of an organisation or department of the network, e.g. FB II."
        ),
    ),
    Column(
        "partners",
        "Beteiligt",
        ("beteiligte", "kooperationspartner", "partner", "partners"),
        gettext_lazy("Names or short names of organisations, separated by semicolons."),
    ),
    Column(
        "status",
        "Status",
        ("stand", "umsetzungsstand"),
        gettext_lazy(
            "geplant, in Umsetzung, umgesetzt, dauerhaft, zurückgestellt or verworfen; "
            "empty means geplant for a new measure."
        ),
    ),
    Column(
        "priority",
        "Priorität",
        ("prioritaet", "priority"),
        gettext_lazy("hoch, mittel or niedrig; empty means mittel for a new measure."),
    ),
    Column(
        "start_on",
        "Beginn",
        ("start", "ab", "von"),
        gettext_lazy("A date (31.12.2026), a month (03/2026) or a year (2026)."),
    ),
    Column("end_on", "Ende", ("bis", "end"), gettext_lazy("Like Beginn.")),
    Column(
        "estimated_cost",
        "Kosten",
        ("kosten (€)", "geschätzte kosten", "kosten in €", "cost"),
        gettext_lazy("In euros, e.g. 12.500 or 12500,50."),
    ),
    Column(
        "funding_note",
        "Finanzierung",
        ("förderung", "finanzierung / förderung", "funding"),
        gettext_lazy("How the measure is paid for, e.g. Integrationspauschale NRW."),
        _max(Measure, "funding_note"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = ("goal_number", "measure_number", "title")
# The columns that say something about a measure (not about its goal).
MEASURE_KEYS = tuple(
    column.key
    for column in COLUMNS
    if column.key not in {"goal_number", "goal_title", "field_of_action", "description"}
)

S = Measure.Status
# The file's words, German first: the first word of each is what the export writes.
STATUS_WORDS = {
    S.PLANNED: ("geplant", "planung", "in planung", "planned"),
    S.IN_PROGRESS: ("in Umsetzung", "in arbeit", "laufend", "begonnen", "in progress"),
    S.DONE: ("umgesetzt", "erledigt", "abgeschlossen", "done", "implemented"),
    S.PERMANENT: ("dauerhaft", "daueraufgabe", "fortlaufend", "permanent", "permanent task"),
    S.DEFERRED: ("zurückgestellt", "zurueckgestellt", "ruht", "deferred"),
    S.DISCARDED: ("verworfen", "entfällt", "entfallen", "discarded"),
}
P = Measure.Priority
PRIORITY_WORDS = {
    P.HIGH: ("hoch", "1", "high"),
    P.MEDIUM: ("mittel", "2", "normal", "medium"),
    P.LOW: ("niedrig", "gering", "3", "low"),
}


def norm(value: str) -> str:
    return " ".join(value.split()).casefold()
