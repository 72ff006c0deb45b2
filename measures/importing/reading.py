"""Turning uploaded bytes into rows of the catalogue's columns.

``integration.core.tabular.read_sheet`` reads the file (CSV or XLSX, encoding,
delimiter, limits), as for the network import; this module only gives the
catalogue's columns their meaning. No database access.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from integration.core.tabular import (
    ImportFileError,
    Sheet,
    cell_text,
    column_positions,
    no_data_rows,
    read_sheet,
)

from .columns import COLUMN_BY_KEY, COLUMNS, REQUIRED_KEYS


@dataclass
class Row:
    line: int  # as the spreadsheet numbers it; the header is line 1
    values: dict[str, str]


@dataclass
class CatalogueTable:
    format: str
    columns: list[str]  # the recognised column keys, in file order
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)


def read_catalogue(data: bytes, *, max_bytes: int, max_rows: int) -> CatalogueTable:
    """Parse an uploaded catalogue (CSV or XLSX) into rows keyed by column.

    Raises ``ImportFileError`` (German message) for what cannot be imported at
    all: what ``read_sheet`` refuses, and a file without the required columns.
    """
    return _table(read_sheet(data, max_bytes=max_bytes, max_rows=max_rows))


def _column_aliases() -> list[tuple[str, str]]:
    return [(alias, column.key) for column in COLUMNS for alias in (column.header, *column.aliases)]


def _table(sheet: Sheet) -> CatalogueTable:
    headers = [cell_text(header) for header in (sheet.dataset.headers or [])]
    positions, header_warnings = column_positions(headers, _column_aliases())
    missing = [COLUMN_BY_KEY[key].header for key in REQUIRED_KEYS if key not in positions]
    if missing:
        found = ", ".join(f"„{header}“" for header in headers if header) or "–"
        raise ImportFileError(
            _(
                "Required columns are missing: %(missing)s. Found: %(found)s. Please check "
                "that the first row holds the column headers."
            )
            % {"missing": ", ".join(f"„{name}“" for name in missing), "found": found}
        )
    rows = []
    for number, cells in enumerate(sheet.dataset, start=2):
        values = dict.fromkeys(COLUMN_BY_KEY, "")
        for key, index in positions.items():
            values[key] = cell_text(cells[index]) if index < len(cells) else ""
        if any(values.values()):
            rows.append(Row(line=number, values=values))
    if not rows:
        raise no_data_rows()
    return CatalogueTable(
        format=sheet.format,
        columns=list(positions),
        rows=rows,
        warnings=[*sheet.warnings, *header_warnings],
    )
