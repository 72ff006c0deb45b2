"""Turning uploaded bytes into catalogue rows: CSV or XLSX, encoding, delimiter, header.

The byte-level work (encodings, delimiters, old Excel files, formulas kept as
text) is the network import's: its helpers in ``actors.importing.reading`` are
reused, only the header mapping is the catalogue's own. No database access.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from tablib.formats import registry

from actors.importing import ImportFileError
from actors.importing.reading import (
    _cell_text,
    _csv_unreadable,
    _decode,
    _not_a_table,
    _too_many_rows,
)

from .columns import COLUMN_BY_KEY, COLUMNS, REQUIRED_KEYS, norm

CONTROL = "".join(chr(code) for code in (*range(9), 11, 12, *range(14, 32)))


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
    all: empty, too large, not a table, too many rows, required columns missing.
    """
    if len(data) > max_bytes:
        raise ImportFileError(
            _("The file is too large (%(size)s). At most %(max)s can be imported.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)}
        )
    if not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n;,"):
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        dataset, fmt, warnings = _xlsx_dataset(data, max_rows=max_rows), "xlsx", []
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ImportFileError(
            _(
                "This is a file in the old Excel format (.xls). Please save it in Excel "
                "as “Excel workbook (.xlsx)” or “CSV UTF-8” and upload it again."
            )
        )
    else:
        dataset, warnings = _csv_dataset(data, max_rows=max_rows)
        fmt = "csv"
    table = _table(dataset, fmt)
    table.warnings[:0] = warnings
    return table


def _csv_dataset(data: bytes, *, max_rows: int) -> tuple[tablib.Dataset, list[str]]:
    text, encoding = _decode(data)
    if any(char in CONTROL for char in text[:4096]):
        raise _not_a_table()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > max_rows + 1:
        raise _too_many_rows(max_rows)
    header = lines[0] if lines else ""
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ";"
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _csv_unreadable() from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) > max_rows + 1:
        raise _too_many_rows(max_rows)
    # Rows shorter or longer than the header are padded rather than refused:
    # missing cells are empty, surplus cells have no column and are dropped.
    width = len(rows[0]) if rows else 0
    dataset = tablib.Dataset(headers=rows[0] if rows else [])
    for row in rows[1:]:
        dataset.append((row + [""] * width)[:width])
    warnings = []
    if encoding == "Windows-1252":
        warnings.append(
            _(
                "The file was encoded as Windows-1252 (ANSI) and was converted. Please "
                "check umlauts and special characters in the preview."
            )
        )
    return dataset, warnings


def _xlsx_dataset(data: bytes, *, max_rows: int) -> tablib.Dataset:
    try:
        # Formulas are read as their text so that the row check refuses them.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise _not_a_table() from None
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "rows"):
            raise _not_a_table()
        if sheet.max_row and sheet.max_row > max_rows + 1:
            raise _too_many_rows(max_rows)
        dataset = tablib.Dataset()
        try:
            registry.get_format("xlsx").import_sheet(dataset, sheet)
        except tablib.InvalidDimensions:
            raise ImportFileError(
                _("Row %(line)s has more cells than the header row.") % {"line": dataset.height + 2}
            ) from None
        return dataset
    finally:
        workbook.close()


def _aliases() -> dict[str, str]:
    aliases = {}
    for column in COLUMNS:
        for alias in (column.header, *column.aliases):
            aliases.setdefault(norm(alias), column.key)
    return aliases


def _table(dataset: tablib.Dataset, fmt: str) -> CatalogueTable:
    headers = [_cell_text(header) for header in (dataset.headers or [])]
    aliases = _aliases()
    positions: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        key = aliases.get(norm(header).rstrip(":*").strip())
        if key is None:
            if header:
                ignored.append(header)
        elif key not in positions:
            positions[key] = index
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
    for number, cells in enumerate(dataset, start=2):
        values = dict.fromkeys(COLUMN_BY_KEY, "")
        for key, index in positions.items():
            values[key] = _cell_text(cells[index]) if index < len(cells) else ""
        if any(values.values()):
            rows.append(Row(line=number, values=values))
    table = CatalogueTable(format=fmt, columns=list(positions), rows=rows)
    if ignored:
        table.warnings.append(
            _("These columns are not imported: %(columns)s.")
            % {"columns": ", ".join(f"„{header}“" for header in ignored)}
        )
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return table
