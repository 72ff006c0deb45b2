"""The columns an import file may have and the words its cells use.

Shared by ``reading`` (headers) and ``validation`` (cells); no database access.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from ..models import Affiliation, Organisation, Person


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
LIST_SEPARATORS = re.compile(r"[;,\n]")


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()
