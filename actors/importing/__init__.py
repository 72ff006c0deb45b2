"""Reading and checking an import file of organisations and people; nothing here writes.

The lists towns keep today are Excel sheets or CSV exports of them, one row per
contact: Organisation, Art, Anrede, Titel, Vorname, Nachname, E-Mail, Telefon,
Funktion, Sprachen, Ehrenamt, Netzwerkrunden, Handlungsfelder, Notizen.

``read_table`` (``reading``, on ``integration.core.tabular.read_sheet``) turns
uploaded bytes into rows, ``reference_load`` (``reference``) reads what the rows
are checked against, and ``plan_build`` (``validation``) checks every row and
says in German what importing it would do. ``services.transfer.import_apply``
carries a plan out.
"""

from integration.core.tabular import ImportFileError

from .columns import (
    COLUMN_BY_KEY,
    COLUMN_HELP,
    COLUMNS,
    KIND_ALIASES,
    PERSON_KEYS,
    SALUTATIONS,
    Column,
)
from .reading import Row, Table, read_table
from .reference import Reference, reference_load
from .validation import ImportPlan, OrganisationPlan, PersonPlan, RowPlan, plan_build

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "COLUMN_HELP",
    "KIND_ALIASES",
    "PERSON_KEYS",
    "SALUTATIONS",
    "Column",
    "ImportFileError",
    "ImportPlan",
    "OrganisationPlan",
    "PersonPlan",
    "Reference",
    "Row",
    "RowPlan",
    "Table",
    "plan_build",
    "read_table",
    "reference_load",
]
