"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel.

In a CSV file a cell that starts with ``= + - @`` or a tab or carriage return
is read by spreadsheet programs as a formula ("CSV injection": ``=HYPERLINK(…)``
in a name field becomes a link, DDE payloads start programs); such cells get a
leading single quote, as OWASP recommends. In an XLSX file cells are typed:
only a text starting with ``=`` would be written as a formula, so only those
are quoted and a phone number like ``+49 …`` stays as it is. Control characters
are removed first, so that none can hide a formula behind it.
"""

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
