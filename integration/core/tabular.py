"""Spreadsheets in and out: reading uploaded CSV/XLSX files, writing safe downloads.

Reading (``read_sheet``) turns uploaded bytes into a ``tablib.Dataset``: it
tells CSV from XLSX, finds encoding and delimiter, enforces size and row limits
and refuses what is no table with an ``ImportFileError`` in German. Which
column means what is the importing app's business; ``column_positions`` and
``cell_text`` help it map headers and cells. No database access.

Writing: in a CSV file a cell that starts with ``= + - @`` or a tab or carriage
return is read by spreadsheet programs as a formula ("CSV injection":
``=HYPERLINK(…)`` in a name field becomes a link, DDE payloads start programs);
such cells get a leading single quote, as OWASP recommends. In an XLSX file
cells are typed: only a text starting with ``=`` would be written as a formula,
so only those are quoted and a phone number like ``+49 …`` stays as it is.
Control characters are removed first, so that none can hide a formula behind it.
"""

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException
from tablib.formats import registry

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_FORMULA_PREFIXES = ("=",)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def sanitise_cell(value, *, for_xlsx: bool = False):
    """The value without control characters, quoted where a spreadsheet would read a formula."""
    if not isinstance(value, str):
        return value
    # Control characters first: "\x01=HYPERLINK(…)" must not slip past the check
    # and become a formula once the character is gone (openpyxl refuses them too).
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(XLSX_FORMULA_PREFIXES if for_xlsx else FORMULA_PREFIXES):
        return "'" + value
    return value


def sanitised(dataset: tablib.Dataset, *, for_xlsx: bool = False) -> tablib.Dataset:
    """A copy of ``dataset`` whose headers and cells cannot be read as formulas."""

    def clean(value):
        return sanitise_cell(value, for_xlsx=for_xlsx)

    safe = tablib.Dataset(title=dataset.title)
    if dataset.headers:
        safe.headers = [clean(header) for header in dataset.headers]
    for row in dataset:
        safe.append([clean(value) for value in row])
    return safe


def dataset_response(dataset: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    """A download of ``dataset`` as ``filename.csv`` or ``filename.xlsx``.

    CSV is written the way German Excel opens it with a double click: UTF-8 with
    a byte order mark, semicolons between the cells, CRLF line ends.
    """
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown format {fmt!r}")
    if fmt == "csv":
        text = sanitised(dataset).export("csv", delimiter=";", lineterminator="\r\n")
        content = ("\ufeff" + text).encode("utf-8")
    else:
        content = sanitised(dataset, for_xlsx=True).export("xlsx")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt}"
    )
    # Lists of people: keep them out of shared caches and the browser cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Reading -----------------------------------------------------------------------------------------

# Control characters no text file has: their presence means a binary file.
BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Tab, line feed and carriage return are text; the other C0 characters are not:
# one could hide a formula from a spreadsheet's view, NUL breaks PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; ``message`` says why, in German."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """An uploaded file's cells, before any column is given a meaning."""

    dataset: tablib.Dataset  # the first row is its headers; a CSV's cells are all text
    format: str  # "csv" or "xlsx"
    encoding: str | None  # of a CSV file: "UTF-8", "UTF-16" or "Windows-1252"
    delimiter: str | None  # of a CSV file: ";", "," or a tab
    warnings: list[str] = field(default_factory=list)  # in German, for the preview


def read_sheet(data: bytes, *, max_bytes: int, max_rows: int) -> Sheet:
    """Parse an uploaded CSV or XLSX file (the first worksheet) into a dataset.

    Raises ``ImportFileError`` for what cannot be imported at all: empty, too
    large, binary or old-Excel files, undecodable text, more than ``max_rows``
    rows below the header. A CSV row longer than the header gets header cells
    without a name, so that its surplus cells can be reported rather than lost.
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


def cell_text(value) -> str:
    """A cell as the text an import compares: stripped, dates ISO, "-" for nothing.

    Our own CSV export quotes values a spreadsheet would take for a formula
    (``'+49 …``); importing it again gives the value back. A real formula
    (``'=…``) stays as it is, so that the importing app's row check refuses it.
    """
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
    if text.startswith("'") and text[1:2] in {"=", "+", "-", "@"}:
        unquoted = text[1:]
        return text if unquoted.startswith("=") else unquoted
    return text


def column_positions(
    headers: list[str], aliases: Iterable[tuple[str, str]]
) -> tuple[dict[str, int], list[str]]:
    """Which cell of a row holds which column, and the warnings about the headers.

    ``aliases`` are ``(header, key)`` pairs, the preferred spelling first;
    headers are compared with spaces collapsed, case folded and a trailing
    ``:`` or ``*`` ignored. Returns each key's position (its first column) and
    a German warning naming the headers that match no key, if there are any.
    """
    known: dict[str, str] = {}
    for alias, key in aliases:
        known.setdefault(_header_norm(alias), key)
    positions: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        key = known.get(_header_norm(header).rstrip(":*").strip())
        if key is None:
            if header:
                ignored.append(header)
        elif key not in positions:
            positions[key] = index
    warnings = []
    if ignored:
        warnings.append(
            _("These columns are not imported: %(columns)s.")
            % {"columns": ", ".join(f"„{header}“" for header in ignored)}
        )
    return positions, warnings


def no_data_rows() -> ImportFileError:
    """The error for a file whose header row is all it has."""
    return ImportFileError(_("The file has a header row but no data rows."))


def _header_norm(value: str) -> str:
    return " ".join(value.split()).casefold()


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


def _read_csv(data: bytes, *, max_rows: int) -> Sheet:
    text, encoding = _decode(data)
    if BINARY_CHARACTERS.search(text[:4096]):
        raise _not_a_table()
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    # Blank lines above the header are dropped: the first line with text is the header.
    text = text[text.find(header_line) :]
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
    sheet = Sheet(dataset=dataset, format="csv", encoding=encoding, delimiter=delimiter)
    if encoding == "Windows-1252":
        sheet.warnings.append(
            _(
                "The file was encoded as Windows-1252 (ANSI) and was converted. Please "
                "check umlauts and special characters in the preview."
            )
        )
    return sheet


def _delimiter_name(delimiter: str) -> str:
    return {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}[delimiter]


class _CountedRows:
    """A worksheet whose rows stop with "too many rows" after ``limit``."""

    def __init__(self, worksheet, *, limit: int):
        self.title = worksheet.title
        self._worksheet = worksheet
        self._limit = limit

    @property
    def rows(self):
        for index, row in enumerate(self._worksheet.rows):
            if index >= self._limit:
                raise _too_many_rows(self._limit - 1)
            yield row


def _read_xlsx(data: bytes, *, max_rows: int) -> Sheet:
    try:
        # Formulas are read as their text (data_only=False) so that they can be
        # refused rather than silently turned into their last computed value.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise _not_a_table() from None
    try:
        worksheet = workbook.active
        if worksheet is None or not hasattr(worksheet, "rows"):
            raise _not_a_table()
        # The sheet's stored dimension tells the size without reading the rows;
        # a file may leave it out or lie, so the rows are counted as they are read.
        if worksheet.max_row and worksheet.max_row > max_rows + 1:
            raise _too_many_rows(max_rows)
        dataset = tablib.Dataset()
        try:
            registry.get_format("xlsx").import_sheet(
                dataset, _CountedRows(worksheet, limit=max_rows + 1)
            )
        except tablib.InvalidDimensions:
            raise ImportFileError(
                _("Row %(line)s has more cells than the header row.") % {"line": dataset.height + 2}
            ) from None
        sheet = Sheet(dataset=dataset, format="xlsx", encoding=None, delimiter=None)
        if len(workbook.sheetnames) > 1:
            sheet.warnings.append(
                _("Only the worksheet “%(sheet)s” was read; the file has further worksheets.")
                % {"sheet": worksheet.title}
            )
        return sheet
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
