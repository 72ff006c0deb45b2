"""Turning uploaded bytes into rows of the network import's columns.

``integration.core.tabular.read_sheet`` reads the file (CSV or XLSX, encoding,
delimiter, limits); this module only gives its columns their meaning and
refuses a file without the ones a row needs. No database access.
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

from .columns import COLUMN_BY_KEY, COLUMNS, PERSON_KEYS


@dataclass
class Row:
    line: int  # as the spreadsheet numbers it; the header is line 1
    values: dict[str, str]
    unnamed: list[str] = field(default_factory=list)  # values in columns without a header


@dataclass
class Table:
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]  # the recognised column keys, in file order
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)


def read_table(data: bytes, *, max_bytes: int, max_rows: int) -> Table:
    """Parse an uploaded CSV or XLSX file into rows keyed by column.

    Raises ``ImportFileError`` for what cannot be imported at all: what
    ``read_sheet`` refuses, and a file without a recognisable header.
    """
    return _table(read_sheet(data, max_bytes=max_bytes, max_rows=max_rows))


def _column_aliases() -> list[tuple[str, str]]:
    return [
        (alias, column.key) for column in COLUMNS for alias in (*column.aliases, str(column.label))
    ]


def _table(sheet: Sheet) -> Table:
    headers = [cell_text(header) for header in (sheet.dataset.headers or [])]
    positions, header_warnings = column_positions(headers, _column_aliases())
    person_columns = [key for key in PERSON_KEYS if key in positions]
    if person_columns and "last_name" not in positions:
        raise ImportFileError(
            _(
                "The column “Nachname” is missing. The file has columns about people "
                "(%(columns)s), and a person needs a last name."
            )
            % {"columns": ", ".join(str(COLUMN_BY_KEY[key].label) for key in person_columns)}
        )
    if "organisation" not in positions and "last_name" not in positions:
        found = ", ".join(f"„{header}“" for header in headers if header) or "–"
        raise ImportFileError(
            _(
                "The first row has none of the expected column headers (at least "
                "“Organisation” or “Nachname”). Found: %(found)s. Please check that the "
                "first row holds the column headers and that the columns are separated by "
                "semicolons or commas."
            )
            % {"found": found}
        )
    unnamed = [index for index, header in enumerate(headers) if not header]
    rows = []
    for number, cells in enumerate(sheet.dataset, start=2):
        values = dict.fromkeys(COLUMN_BY_KEY, "")
        for key, index in positions.items():
            values[key] = cell_text(cells[index]) if index < len(cells) else ""
        extra = [cell_text(cells[index]) for index in unnamed if index < len(cells)]
        extra = [value for value in extra if value]
        if any(values.values()) or extra:
            rows.append(Row(line=number, values=values, unnamed=extra))
    if not rows:
        raise no_data_rows()
    return Table(
        format=sheet.format,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        columns=list(positions),
        rows=rows,
        warnings=[*header_warnings, *sheet.warnings],
    )
