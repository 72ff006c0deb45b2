"""Reading and checking a catalogue file of goals and measures; nothing here writes.

A catalogue is one sheet (XLSX or CSV) with one row per measure; its goal is
named in the same row (Ziel-Nr., Ziel, Handlungsfeld). A row without a measure
describes only its goal (its Beschreibung is the goal's). ``read_catalogue``
(``reading``) turns bytes into rows, ``reference_load`` (``validation``) reads
what the rows are checked against, ``plan_build`` checks every row and says in
German what importing it would do; ``services.transfer.catalogue_import``
carries a plan out. ``exporting.catalogue_dataset`` writes the same columns.
"""

from integration.core.tabular import ImportFileError

from .columns import COLUMN_BY_KEY, COLUMNS, REQUIRED_KEYS, Column
from .exporting import catalogue_dataset
from .reading import CatalogueTable, Row, read_catalogue
from .validation import CataloguePlan, Reference, RowPlan, plan_build, reference_load

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "REQUIRED_KEYS",
    "CataloguePlan",
    "CatalogueTable",
    "Column",
    "ImportFileError",
    "Reference",
    "Row",
    "RowPlan",
    "catalogue_dataset",
    "plan_build",
    "read_catalogue",
    "reference_load",
]
