"""Export datasets of the network and the safe spreadsheet download."""

import csv
import io
from datetime import timedelta

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from actors import exporting
from actors.models import Consent, Organisation, Person
from integration.core import tabular

from ..core.factories import FieldOfActionFactory
from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    ConsentFactory,
    OrganisationFactory,
    PersonFactory,
    language,
)

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil","Klick")'


def rows_of(dataset: tablib.Dataset) -> list[dict]:
    return [dict(zip(dataset.headers, values, strict=True)) for values in dataset]


# ---------------------------------------------------------------------------
# integration.core.tabular


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("+49 2345 61", "'+49 2345 61"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Caritas = Hilfe", "Caritas = Hilfe"),
        # A control character must not hide a formula from the check.
        ('\x01=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_sanitise_cell_neutralises_formula_prefixes(value, expected):
    assert tabular.sanitise_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("\x01" + EVIL, "'" + EVIL),
        # Typed cells: only "=" makes a formula, so phone numbers stay clean.
        ("+49 2345 61", "+49 2345 61"),
        ("- Notiz", "- Notiz"),
        ("@cmd", "@cmd"),
    ],
)
def test_sanitise_cell_for_xlsx_quotes_only_formulas(value, expected):
    assert tabular.sanitise_cell(value, for_xlsx=True) == expected


def dataset_with_evil_cells() -> tablib.Dataset:
    dataset = tablib.Dataset(title="Personen")
    dataset.headers = ["Nachname", "=Kopf"]
    dataset.append([EVIL, "Jürgen Müller"])
    dataset.append(["@cmd", "bell\x07"])
    dataset.append(["\x01" + EVIL, "+49 2345 61"])
    return dataset


def test_dataset_response_csv_is_utf8_with_bom_and_semicolons():
    response = tabular.dataset_response(dataset_with_evil_cells(), "csv", "personen-2026-01-15")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="personen-2026-01-15.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Nachname", "'=Kopf"]
    assert rows[1] == ["'" + EVIL, "Jürgen Müller"]
    assert rows[2][0] == "'@cmd"


def test_dataset_response_xlsx_holds_no_formula():
    response = tabular.dataset_response(dataset_with_evil_cells(), "xlsx", "personen")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="personen.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Personen"
    cells = [cell for line in sheet.iter_rows() for cell in line]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A2"].value == "'" + EVIL
    assert sheet["B3"].value == "bell"  # control characters dropped, not an error
    assert sheet["A4"].value == "'" + EVIL
    assert sheet["B4"].value == "+49 2345 61"


def test_dataset_response_names_non_ascii_files():
    response = tabular.dataset_response(tablib.Dataset(), "csv", "netzwerkrunde-müller")
    assert "filename*=utf-8''netzwerkrunde-m%C3%BCller.csv" in response["Content-Disposition"]


def test_dataset_response_refuses_unknown_formats():
    with pytest.raises(ValueError, match="pdf"):
        tabular.dataset_response(tablib.Dataset(), "pdf", "x")


# ---------------------------------------------------------------------------
# actors.exporting


def test_organisations_dataset_columns_and_values():
    organisation = OrganisationFactory(
        name="Caritasverband Wiesenbrück",
        kind=Organisation.Kind.WELFARE,
        phone="+49 2345 100",
    )
    organisation.fields_of_action.set([FieldOfActionFactory(name="Gesundheit")])
    CircleMembershipFactory(
        organisation=organisation, person=None, circle=CircleFactory(name="Runder Tisch")
    )
    CircleMembershipFactory(
        organisation=organisation,
        person=None,
        circle=CircleFactory(name="Alte AG"),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    (exported,) = rows_of(exporting.organisations_dataset(Organisation.objects.all()))
    assert exported["Organisation"] == "Caritasverband Wiesenbrück"
    assert exported["Art"] == "Wohlfahrtsverband"
    assert exported["Handlungsfelder"] == "Gesundheit"
    assert exported["Netzwerkrunden"] == "Runder Tisch"
    assert exported["Archiviert"] == "nein"
    assert exported["Telefon"] == "+49 2345 100"  # sanitised by the download, not here


def test_people_dataset_has_the_import_columns():
    person = PersonFactory(
        first_name="Olena", last_name="Kovalenko", title="Dr.", salutation=Person.Salutation.MS
    )
    person.languages.set([language("uk"), language("ru")])
    AffiliationFactory(
        person=person, organisation=OrganisationFactory(name="VHS Hollerland"), function="Kurse"
    )
    AffiliationFactory(person=person, end_date=timezone.localdate() - timedelta(days=3))
    CircleMembershipFactory(person=person, circle=CircleFactory(name="AG Sprache"))
    (exported,) = rows_of(exporting.people_dataset(Person.objects.all()))
    assert exported == {
        "Organisation": "VHS Hollerland",
        "Funktion": "Kurse",
        "Anrede": "Frau",
        "Titel": "Dr.",
        "Vorname": "Olena",
        "Nachname": "Kovalenko",
        "E-Mail": person.email,
        "Telefon": "",
        "Sprachen": "Russisch; Ukrainisch",
        "Ehrenamt": "ja",
        "Netzwerkrunden": "AG Sprache",
        "Archiviert": "nein",
        "Notizen": "",
    }


def test_circle_members_dataset_lists_current_people_and_organisations():
    circle = CircleFactory(name="Runder Tisch")
    member = CircleMembershipFactory(circle=circle, person__last_name="Meyer").person
    AffiliationFactory(
        person=member, organisation=OrganisationFactory(name="Jobcenter"), function="Fallmanagement"
    )
    CircleMembershipFactory(
        circle=circle, person=None, organisation=OrganisationFactory(name="AWO Ortsverein")
    )
    CircleMembershipFactory(circle=circle, end_date=timezone.localdate() - timedelta(days=1))
    CircleMembershipFactory(circle=circle, person__anonymised_at=timezone.now())
    CircleMembershipFactory(person__last_name="Anderswo")
    exported = rows_of(exporting.circle_members_dataset(circle, circle.memberships.all()))
    assert sorted((row["Mitglied"], row["Person oder Organisation"]) for row in exported) == [
        ("AWO Ortsverein", "Organisation"),
        (member.full_name, "Person"),
    ]
    person_row = next(row for row in exported if row["Person oder Organisation"] == "Person")
    assert person_row["Organisation"] == "Jobcenter"
    assert person_row["Funktion"] == "Fallmanagement"
    assert person_row["Rolle"] == "Mitglied"
    assert person_row["Mitglied seit"] == ""


def test_circle_members_dataset_gives_addresses_only_where_invitations_are_allowed():
    circle = CircleFactory(name="Runder Tisch")
    allowed = CircleMembershipFactory(circle=circle, person__last_name="Adler").person
    ConsentFactory(person=allowed, purpose=Consent.Purpose.INVITATIONS)
    refused = CircleMembershipFactory(circle=circle, person__last_name="Brandt").person
    ConsentFactory(person=refused, purpose=Consent.Purpose.SURVEYS)
    exported = {
        row["Mitglied"]: row
        for row in rows_of(exporting.circle_members_dataset(circle, circle.memberships.all()))
    }
    assert exported[allowed.full_name]["E-Mail"] == allowed.email
    assert exported[allowed.full_name]["Keine Einladung per E-Mail, weil"] == ""
    assert exported[refused.full_name]["E-Mail"] == ""
    assert (
        "keine Rechtsgrundlage" in exported[refused.full_name]["Keine Einladung per E-Mail, weil"]
    )


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_export_datasets_need_a_constant_number_of_queries():
    circle = CircleFactory()

    def add_rows(count):
        for _ in range(count):
            person = PersonFactory()
            person.languages.set([language("de")])
            AffiliationFactory(person=person)
            CircleMembershipFactory(person=person, circle=circle)
            organisation = OrganisationFactory()
            organisation.fields_of_action.set([FieldOfActionFactory()])
            CircleMembershipFactory(organisation=organisation, person=None, circle=circle)

    def run():
        exporting.people_dataset(Person.objects.all())
        exporting.organisations_dataset(Organisation.objects.all())
        exporting.circle_members_dataset(circle, circle.memberships.all())

    add_rows(2)
    few = _queries(run)
    add_rows(20)
    assert _queries(run) == few
