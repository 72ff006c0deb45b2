"""Reading and checking an import file of organisations and people; nothing here writes.

The lists towns keep today are Excel sheets or CSV exports of them, one row per
contact: Organisation, Art, Anrede, Titel, Vorname, Nachname, E-Mail, Telefon,
Funktion, Sprachen, Ehrenamt, Netzwerkrunden, Handlungsfelder, Notizen.

``read_table`` turns uploaded bytes into rows (tablib parses; this module only
tells CSV from XLSX, finds encoding and delimiter and refuses what is no table),
``reference_load`` reads what the rows are checked against, and ``plan_build``
checks every row and says in German what importing it would do.
``services.transfer.import_confirm`` carries a plan out.
"""

import csv
import hashlib
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from tablib.formats import registry

from integration.core.models import FieldOfAction

from .models import Affiliation, Circle, CircleMembership, Language, Organisation, Person


class ImportFileError(ValueError):
    """The file as a whole cannot be read; ``message`` says why, in German."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation: the header as the UI and the export name it
    # Headers seen in towns' lists (compared case-insensitively), German and English.
    aliases: tuple[str, ...]
    max_length: int | None = None


COLUMNS = (
    Column(
        "organisation",
        gettext_lazy("Organisation"),
        ("organisation", "organisationen", "einrichtung", "institution", "träger", "akteur"),
        Organisation._meta.get_field("name").max_length,
    ),
    Column("kind", gettext_lazy("Kind"), ("art", "typ", "kind", "art der organisation")),
    Column("salutation", gettext_lazy("Salutation"), ("anrede", "salutation")),
    Column(
        "title",
        gettext_lazy("Title"),
        ("titel", "title"),
        Person._meta.get_field("title").max_length,
    ),
    Column(
        "first_name",
        gettext_lazy("First name"),
        ("vorname", "first name", "firstname"),
        Person._meta.get_field("first_name").max_length,
    ),
    Column(
        "last_name",
        gettext_lazy("Last name"),
        ("nachname", "name", "familienname", "last name", "lastname", "surname"),
        Person._meta.get_field("last_name").max_length,
    ),
    Column(
        "email",
        gettext_lazy("Email"),
        ("e-mail", "email", "e-mail-adresse", "mail", "e-mail adresse"),
        Person._meta.get_field("email").max_length,
    ),
    Column(
        "phone",
        gettext_lazy("Phone"),
        ("telefon", "tel.", "tel", "telefonnummer", "phone"),
        Person._meta.get_field("phone").max_length,
    ),
    Column(
        "function",
        gettext_lazy("Function"),
        ("funktion", "rolle", "position", "function"),
        Affiliation._meta.get_field("function").max_length,
    ),
    Column("languages", gettext_lazy("Languages"), ("sprachen", "sprache", "languages")),
    Column(
        "volunteer",
        gettext_lazy("Volunteer"),
        ("ehrenamt", "ehrenamtlich", "ehrenamt (ja/nein)", "volunteer"),
    ),
    Column(
        "circles",
        gettext_lazy("Network circles"),
        (
            "netzwerkrunden",
            "netzwerkrunde",
            "netzwerke",
            "gremien",
            "runder tisch",
            "runde tische",
            "arbeitskreise",
            "network circles",
            "circles",
        ),
    ),
    Column(
        "fields_of_action",
        gettext_lazy("Fields of action"),
        ("handlungsfelder", "handlungsfeld", "themen", "fields of action"),
    ),
    Column("notes", gettext_lazy("Notes"), ("notizen", "bemerkungen", "bemerkung", "notes")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# What the upload page says about each column.
COLUMN_HELP = {
    "organisation": gettext_lazy(
        "Name of the organisation. Rows naming the same organisation are combined; an "
        "organisation that already exists (same name) is used, not created again."
    ),
    "kind": gettext_lazy(
        "e.g. Verwaltung, Jobcenter, Wohlfahrtsverband, Beratung, Schule, Kita, Verein, "
        "Migrantenorganisation, Initiative, Arbeitgeber."
    ),
    "salutation": gettext_lazy("Frau, Herr or empty."),
    "title": gettext_lazy("e.g. Dr."),
    "first_name": "",
    "last_name": gettext_lazy(
        "Required for every person. A row without any person columns describes the "
        "organisation only."
    ),
    "email": gettext_lazy(
        "Of the person, or of the organisation in a row without a person. A person whose "
        "address already exists is added to, not created twice."
    ),
    "phone": "",
    "function": gettext_lazy("The person's function in the organisation, e.g. Leitung."),
    "languages": gettext_lazy("Separated by commas, e.g. Deutsch, Arabisch, Dari."),
    "volunteer": gettext_lazy("ja or nein."),
    "circles": gettext_lazy(
        "Names of existing network circles, separated by semicolons or commas, e.g. "
        "Runder Tisch Integration; AG Sprache & Bildung."
    ),
    "fields_of_action": gettext_lazy(
        "Fields of action of the organisation, separated by commas, e.g. Gesundheit."
    ),
    "notes": "",
}
# Columns that describe a person; a row with any of them is a person's row.
PERSON_KEYS = ("salutation", "title", "first_name", "last_name", "function", "languages")

KIND_ALIASES = {
    Organisation.Kind.ADMINISTRATION: (
        "verwaltung",
        "stadtverwaltung",
        "kommune",
        "behörde",
        "amt",
        "fachbereich",
    ),
    Organisation.Kind.JOBCENTER: ("jobcenter", "agentur für arbeit", "arbeitsagentur"),
    Organisation.Kind.FOREIGNERS_OFFICE: ("ausländerbehörde", "abh"),
    Organisation.Kind.INTEGRATION_CENTRE: (
        "ki",
        "kommunales integrationszentrum",
        "integrationszentrum",
    ),
    Organisation.Kind.WELFARE: ("wohlfahrtsverband", "wohlfahrt", "wohlfahrtspflege"),
    Organisation.Kind.COUNSELLING: ("beratung", "beratungsstelle", "migrationsberatung"),
    Organisation.Kind.SCHOOL: ("schule", "kita", "kindertagesstätte", "schule / kita"),
    Organisation.Kind.POLICE: ("polizei",),
    Organisation.Kind.EMPLOYER: ("arbeitgeber", "unternehmen", "betrieb", "kammer", "ihk"),
    Organisation.Kind.CLUB: ("verein", "sportverein"),
    Organisation.Kind.MIGRANT_ORGANISATION: (
        "migrantenorganisation",
        "migrantenselbstorganisation",
        "mso",
    ),
    Organisation.Kind.VOLUNTEER_INITIATIVE: (
        "initiative",
        "ehrenamtliche initiative",
        "flüchtlingsinitiative",
    ),
    Organisation.Kind.OTHER: ("sonstige", "sonstiges", "andere"),
}
SALUTATIONS = {
    "frau": Person.Salutation.MS,
    "fr.": Person.Salutation.MS,
    "ms": Person.Salutation.MS,
    "mrs": Person.Salutation.MS,
    "herr": Person.Salutation.MR,
    "hr.": Person.Salutation.MR,
    "mr": Person.Salutation.MR,
    "divers": Person.Salutation.NONE,
    "keine": Person.Salutation.NONE,
}
YES = {"ja", "j", "x", "yes", "y", "1", "wahr", "true", "ehrenamt", "ehrenamtlich"}
NO = {"nein", "n", "no", "0", "falsch", "false", "hauptamt", "hauptamtlich"}

# A formula as spreadsheets read it: "=…", "@…", or "+cmd|…" / "-HYPERLINK(…".
# A phone number "+49 …" or a note "- bringt …" is not one.
FORMULA = re.compile(r"^(?:[=@]|[+\-][A-Za-z_.]+[(|!])")
# UTF-8 read as Windows-1252: "Ã¼" for "ü", "â€“" for "–".
MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152-\u0178\u2013-\u203a]|â€|\ufffd")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LIST_SEPARATORS = re.compile(r"[;,\n]")


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


# ---------------------------------------------------------------------------
# Reading the file


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
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from None
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
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from None
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
    return "" if text in {"-", "–", "—"} else text


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


# ---------------------------------------------------------------------------
# What the rows are checked against


@dataclass
class Reference:
    circles: dict[str, Circle]
    languages: dict[str, Language]
    fields: dict[str, FieldOfAction]
    organisations: dict[str, Organisation]
    people_by_email: dict[str, Person]
    people_by_name: dict[str, Person]
    # Current links of the people and organisations above: (person or organisation id, circle id)
    person_circles: set[tuple[int, int]]
    organisation_circles: set[tuple[int, int]]
    affiliations: set[tuple[int, int]]  # (person id, organisation id)

    @property
    def circles_by_id(self) -> dict[int, Circle]:
        return {circle.pk: circle for circle in self.circles.values()}

    @property
    def fields_by_id(self) -> dict[int, FieldOfAction]:
        return {field.pk: field for field in self.fields.values()}

    @property
    def languages_by_id(self) -> dict[int, Language]:
        return {language.pk: language for language in self.languages.values()}


def _current() -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gt=timezone.localdate())


def reference_load(table: Table) -> Reference:
    """Load circles, languages, fields of action and the existing entries the rows name.

    A constant number of queries whatever the size of the file.
    """
    emails = {_norm(row.values.get("email", "")) for row in table.rows} - {""}
    last_names = {_norm(row.values.get("last_name", "")) for row in table.rows} - {""}
    people = Person.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    by_email: dict[str, Person] = {}
    for person in people.annotate(email_lower=Lower("email")).filter(email_lower__in=emails):
        by_email.setdefault(_norm(person.email), person)
    by_name: dict[str, Person] = {}
    named = people.annotate(last_lower=Lower("last_name")).filter(last_lower__in=last_names)
    for person in named:
        by_name.setdefault(_norm(f"{person.first_name} {person.last_name}"), person)
    organisations = {_norm(org.name): org for org in Organisation.objects.all()}
    person_ids = [person.pk for person in by_email.values()]
    languages: dict[str, Language] = {}
    for language in Language.objects.all():
        languages[_norm(language.name)] = language
        languages.setdefault(_norm(language.code), language)
    memberships = CircleMembership.objects.filter(_current())
    return Reference(
        circles={_norm(circle.name): circle for circle in Circle.objects.all()},
        languages=languages,
        fields={_norm(field.name): field for field in FieldOfAction.objects.all()},
        organisations=organisations,
        people_by_email=by_email,
        people_by_name=by_name,
        person_circles=set(
            memberships.filter(person_id__in=person_ids).values_list("person_id", "circle_id")
        ),
        organisation_circles=set(
            memberships.filter(organisation__isnull=False).values_list(
                "organisation_id", "circle_id"
            )
        ),
        affiliations=set(
            Affiliation.objects.filter(_current(), person_id__in=person_ids).values_list(
                "person_id", "organisation_id"
            )
        ),
    )


# ---------------------------------------------------------------------------
# Checking the rows


@dataclass
class OrganisationPlan:
    """An organisation the valid rows name: created once, or an existing one added to."""

    key: str
    name: str
    existing: Organisation | None
    line: int  # first valid row naming it
    kind: str = ""
    staffing: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    field_ids: set[int] = field(default_factory=set)
    circle_ids: list[int] = field(default_factory=list)  # memberships of the organisation itself


@dataclass
class PersonPlan:
    existing: Person | None
    data: dict
    language_ids: list[int]
    organisation_key: str | None
    function: str
    circle_ids: list[int]


@dataclass
class RowPlan:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    organisation_key: str | None = None
    person: PersonPlan | None = None
    # Parsed values of the row, kept until the organisations are merged.
    kind: str = ""
    volunteer: bool = False
    circles: list[Circle] = field(default_factory=list)
    fields: list[FieldOfAction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        parts = ("title", "first_name", "last_name")
        return " ".join(self.values.get(key, "") for key in parts if self.values.get(key))


@dataclass
class ImportPlan:
    table: Table
    reference: Reference
    rows: list[RowPlan]
    organisations: dict[str, OrganisationPlan]

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.ok]

    @property
    def error_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if not row.ok]

    @property
    def warning_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.ok and row.warnings]

    @property
    def counts(self) -> dict[str, int]:
        people = [row.person for row in self.valid_rows if row.person]
        return {
            "rows": len(self.rows),
            "valid": len(self.valid_rows),
            "errors": len(self.error_rows),
            "warnings": len(self.warning_rows),
            "organisations_new": sum(1 for o in self.organisations.values() if not o.existing),
            "organisations_existing": sum(1 for o in self.organisations.values() if o.existing),
            "people_new": sum(1 for person in people if not person.existing),
            "people_existing": sum(1 for person in people if person.existing),
        }

    @property
    def digest(self) -> str:
        """A fingerprint of what the import would do, to tell a stale preview."""
        summary = [
            [
                row.line,
                row.ok,
                row.organisation_key,
                row.person.existing.pk if row.person and row.person.existing else None,
            ]
            for row in self.rows
        ]
        summary.append(
            sorted(
                [key, org.existing.pk if org.existing else None]
                for key, org in self.organisations.items()
            )
        )
        return hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]


def _split(value: str, known: dict) -> list[str]:
    if not value:
        return []
    if _norm(value) in known:
        return [value]
    return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]


def _kind(value: str) -> str | None:
    wanted = _norm(value)
    for kind, aliases in KIND_ALIASES.items():
        if wanted in aliases or wanted in {_norm(kind.value), _norm(str(kind.label))}:
            return kind
    return None


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label)


def _check_cells(row: RowPlan) -> None:
    for key, value in row.values.items():
        if FORMULA.match(value):
            shown = value if len(value) <= 40 else value[:40] + "…"
            row.errors.append(
                _(
                    "The column “%(column)s” contains a formula (%(formula)s); formulas are "
                    "not imported. Please enter the value as plain text."
                )
                % {"column": _label(key), "formula": shown}
            )
        elif MOJIBAKE.search(value):
            row.warnings.append(
                _(
                    "“%(value)s” in “%(column)s” looks wrongly encoded (e.g. “Ã¼” instead of "
                    "“ü”). Please save the file as “CSV UTF-8” or .xlsx."
                )
                % {"value": value, "column": _label(key)}
            )
        max_length = COLUMN_BY_KEY[key].max_length
        if max_length and len(value) > max_length:
            row.errors.append(
                _("“%(column)s” is too long (at most %(max)s characters).")
                % {"column": _label(key), "max": max_length}
            )


def _check_row(row: RowPlan, reference: Reference, seen: dict) -> None:
    values = row.values
    _check_cells(row)
    is_person = any(values.get(key) for key in PERSON_KEYS)
    organisation = values.get("organisation", "")
    if is_person and not values.get("last_name"):
        row.errors.append(_("The last name is missing."))
    if not is_person and not organisation:
        row.errors.append(_("Neither an organisation nor a last name is given."))
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": email})
    if values.get("kind"):
        row.kind = _kind(values["kind"]) or ""
        if not row.kind:
            row.warnings.append(
                _("Unknown kind “%(kind)s”; a new organisation is created as “Other”.")
                % {"kind": values["kind"]}
            )
    volunteer = _norm(values.get("volunteer", ""))
    row.volunteer = volunteer in YES
    if volunteer and volunteer not in YES | NO:
        row.warnings.append(
            _("“%(value)s” under “Ehrenamt” is neither “ja” nor “nein”; read as “nein”.")
            % {"value": values["volunteer"]}
        )
    for name in _split(values.get("circles", ""), reference.circles):
        circle = reference.circles.get(_norm(name))
        if circle is None:
            row.errors.append(
                _("Unknown network circle “%(name)s”. Please create it first or correct the name.")
                % {"name": name}
            )
        elif circle.is_archived:
            row.errors.append(_("The network circle “%(name)s” is archived.") % {"name": name})
        elif circle not in row.circles:
            row.circles.append(circle)
    for name in _split(values.get("fields_of_action", ""), reference.fields):
        field_of_action = reference.fields.get(_norm(name))
        if field_of_action is None:
            row.errors.append(_("Unknown field of action “%(name)s”.") % {"name": name})
        elif field_of_action not in row.fields:
            row.fields.append(field_of_action)
    if organisation:
        row.organisation_key = _norm(organisation)
    elif values.get("kind") or values.get("fields_of_action"):
        row.warnings.append(_("“Art” and “Handlungsfelder” need an organisation; ignored."))
    if is_person:
        _check_person(row, reference, seen)
    elif row.organisation_key:
        earlier = seen["organisations"].setdefault(row.organisation_key, row.line)
        if earlier != row.line:
            row.warnings.append(
                _("The organisation is also listed in row %(line)s; the rows are combined.")
                % {"line": earlier}
            )


def _check_person(row: RowPlan, reference: Reference, seen: dict) -> None:
    values = row.values
    languages = []
    for name in _split(values.get("languages", ""), reference.languages):
        language = reference.languages.get(_norm(name))
        if language is None:
            row.errors.append(_("Unknown language “%(name)s”.") % {"name": name})
        elif language.pk not in languages:
            languages.append(language.pk)
    salutation = Person.Salutation.NONE
    if values.get("salutation"):
        salutation = SALUTATIONS.get(_norm(values["salutation"]))
        if salutation is None:
            salutation = Person.Salutation.NONE
            row.warnings.append(
                _("Unknown salutation “%(value)s”; the full name is used instead.")
                % {"value": values["salutation"]}
            )
    if values.get("function") and not row.organisation_key:
        row.warnings.append(_("A function without an organisation is not imported."))
    email = _norm(values.get("email", ""))
    existing = None
    if email:
        earlier = seen["emails"].setdefault(email, row.line)
        if earlier != row.line:
            row.errors.append(
                _("The email address is already used by row %(line)s of this file.")
                % {"line": earlier}
            )
        existing = reference.people_by_email.get(email)
        if existing is not None:
            row.warnings.append(
                _(
                    "“%(name)s” with this email address already exists. The row adds to that "
                    "entry (organisation, circles, languages, empty fields) and overwrites "
                    "nothing."
                )
                % {"name": existing.full_name}
            )
    else:
        name = _norm(f"{values.get('first_name', '')} {values.get('last_name', '')}")
        earlier = seen["names"].setdefault(name, row.line)
        if earlier != row.line:
            row.warnings.append(
                _("Row %(line)s has the same name; perhaps the same person?") % {"line": earlier}
            )
        if name in reference.people_by_name:
            row.warnings.append(
                _(
                    "A person named “%(name)s” already exists; without an email address the "
                    "row creates a second entry."
                )
                % {"name": reference.people_by_name[name].full_name}
            )
    row.person = PersonPlan(
        existing=existing,
        data={
            "salutation": salutation,
            "title": values.get("title", ""),
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "email": values.get("email", ""),
            "phone": values.get("phone", ""),
            "is_volunteer": row.volunteer,
            "notes": values.get("notes", ""),
        },
        language_ids=languages,
        organisation_key=row.organisation_key,
        function=values.get("function", "") if row.organisation_key else "",
        circle_ids=[circle.pk for circle in row.circles],
    )


def _merge_organisation(row: RowPlan, plan: ImportPlan, reference: Reference) -> None:
    key = row.organisation_key
    organisation = plan.organisations.get(key)
    if organisation is None:
        organisation = OrganisationPlan(
            key=key,
            name=row.values["organisation"],
            existing=reference.organisations.get(key),
            line=row.line,
        )
        plan.organisations[key] = organisation
    organisation.kind = organisation.kind or row.kind
    organisation.field_ids |= {field.pk for field in row.fields}
    if row.person is None:
        # A row without a person describes the organisation itself.
        if row.volunteer:
            organisation.staffing = Organisation.Staffing.VOLUNTEER
        organisation.email = organisation.email or row.values.get("email", "")
        organisation.phone = organisation.phone or row.values.get("phone", "")
        organisation.notes = organisation.notes or row.values.get("notes", "")
        for circle in row.circles:
            if circle.pk not in organisation.circle_ids:
                organisation.circle_ids.append(circle.pk)


def _describe(row: RowPlan, plan: ImportPlan, reference: Reference) -> None:
    """Say in German what importing the (valid) row does."""
    organisation = plan.organisations.get(row.organisation_key) if row.organisation_key else None
    if organisation is not None:
        if organisation.existing is not None:
            row.actions.append(
                _("Existing organisation “%(name)s”") % {"name": organisation.existing.name}
            )
        elif organisation.line == row.line:
            row.actions.append(_("New organisation “%(name)s”") % {"name": organisation.name})
        else:
            row.actions.append(
                _("Organisation “%(name)s” (new, from row %(line)s)")
                % {"name": organisation.name, "line": organisation.line}
            )
    person = row.person
    if person is None:
        if organisation is not None:
            existing_id = organisation.existing.pk if organisation.existing else None
            joins = [
                circle.name
                for circle in row.circles
                if (existing_id, circle.pk) not in reference.organisation_circles
            ]
            if joins:
                row.actions.append(
                    _("The organisation joins: %(circles)s") % {"circles": ", ".join(joins)}
                )
        return
    if person.existing is None:
        row.actions.append(_("New person “%(name)s”") % {"name": row.name})
    else:
        row.actions.append(
            _("Adds to existing person “%(name)s”") % {"name": person.existing.full_name}
        )
    if organisation is not None:
        linked = (
            person.existing is not None
            and organisation.existing is not None
            and (person.existing.pk, organisation.existing.pk) in reference.affiliations
        )
        if not linked:
            row.actions.append(
                _("Works for “%(organisation)s”%(function)s")
                % {
                    "organisation": organisation.name,
                    "function": f" ({person.function})" if person.function else "",
                }
            )
    existing_id = person.existing.pk if person.existing else None
    joins = [
        circle.name
        for circle in row.circles
        if (existing_id, circle.pk) not in reference.person_circles
    ]
    if joins:
        row.actions.append(_("Member of: %(circles)s") % {"circles": ", ".join(joins)})


def plan_build(table: Table, reference: Reference) -> ImportPlan:
    """Check every row and plan what importing the valid ones would create or add to."""
    plan = ImportPlan(table=table, reference=reference, rows=[], organisations={})
    seen: dict[str, dict[str, int]] = {"emails": {}, "names": {}, "organisations": {}}
    for source in table.rows:
        row = RowPlan(line=source.line, values=source.values)
        values = ", ".join(f"„{value}“" for value in source.unnamed)
        if source.unnamed and table.format == "csv":
            row.errors.append(
                _(
                    "The row has values in columns without a header (%(values)s). Perhaps a "
                    "cell contains the delimiter without quotes, so that the cells shifted."
                )
                % {"values": values}
            )
        elif source.unnamed:
            row.warnings.append(
                _("Values in columns without a header are not imported: %(values)s.")
                % {"values": values}
            )
        _check_row(row, reference, seen)
        plan.rows.append(row)
    # Organisations are merged from valid rows only: when rows with errors are
    # skipped, the first valid row naming a new organisation creates it.
    for row in plan.valid_rows:
        if row.organisation_key:
            _merge_organisation(row, plan, reference)
    for organisation in plan.organisations.values():
        if organisation.existing is None:
            organisation.kind = organisation.kind or Organisation.Kind.OTHER
            if not organisation.staffing:
                volunteer = organisation.kind == Organisation.Kind.VOLUNTEER_INITIATIVE
                organisation.staffing = (
                    Organisation.Staffing.VOLUNTEER
                    if volunteer
                    else Organisation.Staffing.PROFESSIONAL
                )
    for row in plan.valid_rows:
        _describe(row, plan, reference)
    return plan
