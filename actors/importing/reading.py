"""Turning uploaded bytes into rows: CSV or XLSX, encoding, delimiter, header.

tablib parses; this module only tells CSV from XLSX, finds encoding and
delimiter and refuses what is no table. No database access.
"""

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from tablib.formats import registry

from .columns import COLUMN_BY_KEY, COLUMNS, CONTROL, PERSON_KEYS, ImportFileError, _norm


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

    Raises ``ImportFileError`` for what cannot be imported at all: empty,
    too large, binary or old-Excel files, undecodable text, too many rows, no
    recognisable header.
    """
    if len(data) > max_bytes:
        raise ImportFileError(
            _("The file is too large (%(size)s). At most %(max)s can be imported.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)}
        )
    if not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n;,"):
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows=max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ImportFileError(
            _(
                "This is a file in the old Excel format (.xls). Please save it in Excel "
                "as “Excel workbook (.xlsx)” or “CSV UTF-8” and upload it again."
            )
        )
    return _read_csv(data, max_rows=max_rows)


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is neither a CSV nor an Excel file (.xlsx). Please upload the list "
            "as .xlsx, or save it in Excel as “CSV UTF-8 (comma delimited)”."
        )
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated.
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise _not_a_table()
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "The characters of the file cannot be read: it is neither UTF-8 nor "
                "Windows-1252 (ANSI) encoded. Please save it in Excel as “CSV UTF-8 "
                "(comma delimited)” or as .xlsx and upload it again."
            )
        ) from None


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    text, encoding = _decode(data)
    if CONTROL.search(text[:4096]):
        raise _not_a_table()
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ";"
    # Count the rows before building the dataset, so that a huge file is refused
    # early; the reader stops one row past the limit.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        widths = [len(row) for row in itertools.islice(reader, max_rows + 2) if any(row)]
    except csv.Error:
        raise _csv_unreadable() from None
    if len(widths) > max_rows + 1:
        raise _too_many_rows(max_rows)
    if widths and max(widths) > widths[0]:
        # A row longer than the header (mostly a delimiter inside an unquoted
        # cell) would make tablib refuse the whole file; unnamed header cells
        # let it through, and the row is reported on its own.
        text = text.replace(header_line, header_line + delimiter * (max(widths) - widths[0]), 1)
    dataset = tablib.Dataset()
    try:
        dataset.load(io.StringIO(text, newline=""), format="csv", delimiter=delimiter)
    except tablib.InvalidDimensions:
        raise ImportFileError(
            _(
                "Row %(line)s has more cells than the header row. Perhaps a cell contains "
                "the delimiter “%(delimiter)s” without quotes, or the header row is "
                "incomplete."
            )
            % {"line": dataset.height + 2, "delimiter": _delimiter_name(delimiter)}
        ) from None
    except csv.Error:
        raise _csv_unreadable() from None
    table = _table(dataset, format="csv", encoding=encoding, delimiter=delimiter)
    if encoding == "Windows-1252":
        table.warnings.append(
            _(
                "The file was encoded as Windows-1252 (ANSI) and was converted. Please "
                "check umlauts and special characters in the preview."
            )
        )
    return table


def _delimiter_name(delimiter: str) -> str:
    return {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}[delimiter]


def _read_xlsx(data: bytes, *, max_rows: int) -> Table:
    try:
        # Formulas are read as their text (data_only=False) so that they can be
        # refused rather than silently turned into their last computed value.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise _not_a_table() from None
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "rows"):
            raise _not_a_table()
        # The sheet's stored dimension tells the size without reading the rows.
        if sheet.max_row and sheet.max_row > max_rows + 1:
            raise _too_many_rows(max_rows)
        dataset = tablib.Dataset()
        try:
            registry.get_format("xlsx").import_sheet(dataset, sheet)
        except tablib.InvalidDimensions:
            raise ImportFileError(
                _("Row %(line)s has more cells than the header row.") % {"line": dataset.height + 2}
            ) from None
        table = _table(dataset, format="xlsx", encoding=None, delimiter=None)
        if len(workbook.sheetnames) > 1:
            table.warnings.append(
                _("Only the worksheet “%(sheet)s” was read; the file has further worksheets.")
                % {"sheet": sheet.title}
            )
        return table
    finally:
        workbook.close()


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows. Please split it into several files.")
        % {"max": max_rows}
    )


def _csv_unreadable() -> ImportFileError:
    # Python's own message is English and technical; this one says what to check.
    return ImportFileError(
        _(
            "The CSV file cannot be read, mostly because of a quotation mark without its "
            "counterpart or a line break inside a cell. Please save the list again from "
            "Excel as “CSV UTF-8” or as .xlsx."
        )
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    # "-" or "–" in a cell means "nothing" in hand-kept lists.
    if text in {"-", "–", "—"}:
        return ""
    # Our own CSV export quotes values a spreadsheet would take for a formula
    # ("'+49 …"); importing it again gives the value back. A real formula stays
    # a formula and is refused by the row check.
    if text.startswith("'") and text[1:2] in {"=", "+", "-", "@"}:
        unquoted = text[1:]
        return text if unquoted.startswith("=") else unquoted
    return text


def _column_aliases() -> dict[str, str]:
    aliases = {}
    for column in COLUMNS:
        for alias in (*column.aliases, str(column.label)):
            aliases.setdefault(_norm(alias), column.key)
    return aliases


def _table(dataset: tablib.Dataset, *, format: str, encoding, delimiter) -> Table:
    headers = [_cell_text(header) for header in (dataset.headers or [])]
    aliases = _column_aliases()
    positions: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        key = aliases.get(_norm(header).rstrip(":*").strip())
        if key is None:
            if header:
                ignored.append(header)
        elif key not in positions:
            positions[key] = index
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
    for number, cells in enumerate(dataset, start=2):
        values = dict.fromkeys(COLUMN_BY_KEY, "")
        for key, index in positions.items():
            values[key] = _cell_text(cells[index]) if index < len(cells) else ""
        extra = [_cell_text(cells[index]) for index in unnamed if index < len(cells)]
        extra = [value for value in extra if value]
        if any(values.values()) or extra:
            rows.append(Row(line=number, values=values, unnamed=extra))
    table = Table(
        format=format,
        encoding=encoding,
        delimiter=delimiter,
        columns=list(positions),
        rows=rows,
    )
    if ignored:
        table.warnings.append(
            _("These columns are not imported: %(columns)s.")
            % {"columns": ", ".join(f"„{header}“" for header in ignored)}
        )
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return table
