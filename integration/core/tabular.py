"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel.

A cell that starts with ``= + - @`` or a tab or carriage return is read by
spreadsheet programs as a formula ("CSV injection": ``=HYPERLINK(…)`` in a
name field becomes a link, DDE payloads start programs). Every cell of a
download is therefore prefixed with a single quote in that case, in both
formats, as OWASP recommends.
"""

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)


def sanitise_cell(value):
    """The value with a leading quote where a spreadsheet would read a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sanitised(dataset: tablib.Dataset, *, for_xlsx: bool = False) -> tablib.Dataset:
    """A copy of ``dataset`` whose headers and cells cannot be read as formulas."""

    def clean(value):
        value = sanitise_cell(value)
        if for_xlsx and isinstance(value, str):
            # Control characters make openpyxl refuse the whole workbook.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

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
