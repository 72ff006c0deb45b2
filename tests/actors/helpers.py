"""Helpers shared by the actors tests: table rows of a page, personal data left in the history."""

from django.db.models import Q

from actors.languages import LANGUAGES
from actors.models import Consent, Language, Person

from ..core.factories import FieldOfActionFactory
from .factories import CircleFactory

# The round table the sample import file names.
ROUND_TABLE = "Runder Tisch Integration Wiesenbrück"

NAME, EMAIL = "Zwetschgenbaum", "jolanda.zwetschgenbaum@mail.example"


def rows(page) -> list[str]:
    return [" ".join(row.text.split()) for row in page.html.select("table tbody tr")]


def history_rows_mentioning(text: str) -> list:
    text_filter = (
        Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(email__icontains=text)
        | Q(phone__icontains=text)
        | Q(notes__icontains=text)
    )
    rows = list(Person.history.filter(text_filter))
    rows += list(
        Consent.history.filter(Q(note__icontains=text) | Q(withdrawal_note__icontains=text))
    )
    return rows


def create_sample_network() -> None:
    """The circles and fields of action the sample file names, and the languages.

    Languages come from a data migration, which a transactional test that ran
    before (and flushed the database) has removed.
    """
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    for name in (
        ROUND_TABLE,
        "Koordinierungsstab Migration und Teilhabe",
        "AG Sprache & Bildung",
        "AG Arbeit & Ausbildung",
        "Integrationslotsen-Pool",
    ):
        CircleFactory(name=name)
    for name in (
        "Sprache & Bildung",
        "Arbeit & Ausbildung",
        "Gesundheit",
        "Soziokulturelle Teilhabe",
        "Frauen & Familie",
    ):
        FieldOfActionFactory(name=name)
