"""Reading, checking and importing a catalogue file; the export read back in."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from integration.core import tabular
from measures import importing
from measures.importing.columns import COLUMNS
from measures.models import ConceptVersion, Goal, Measure, StatusUpdate
from measures.services import transfer

from ..actors.factories import OrganisationFactory
from ..core.factories import FieldOfActionFactory
from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "measures" / "samples"
HEADER = [column.header for column in COLUMNS]
# Organisations the sample names, by (name, short name).
SAMPLE_ORGANISATIONS = [
    ("Volkshochschule Hollerland", "VHS"),
    ("Flüchtlingsinitiative „Willkommen in Wiesenbrück“", "Willkommensinitiative"),
    ("Kommunales Integrationszentrum Kreis Hollerland", "KI"),
    ("Stadt Wiesenbrück – FB II Familie & Soziales", "FB II"),
    ("Kita Regenbogen", ""),
    ("AWO Ortsverein Wiesenbrück", "AWO"),
    ("Jobcenter Hollerland", "Jobcenter"),
    ("Kreishandwerkerschaft Hollerland", "KHW"),
    ("Migrationsberatung für Erwachsene (Caritas)", "MBE"),
    ("Jugendmigrationsdienst Wiesenbrück", "JMD"),
    ("Integrationslotsen Wiesenbrück", "Lotsen"),
]


def sample_network() -> dict:
    """The fields of action and organisations the sample names, by short name."""
    for name in ("Sprache & Bildung", "Arbeit & Ausbildung", "Beratung & Orientierung"):
        FieldOfActionFactory(name=name)
    return {
        short or name: OrganisationFactory(name=name, short_name=short)
        for name, short in SAMPLE_ORGANISATIONS
    }


def new_revision() -> ConceptVersion:
    return ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)


@pytest.fixture
def network():
    return sample_network()


@pytest.fixture
def revision():
    return new_revision()


def row(**values) -> list[str]:
    """A measure row of goal 1 in the file's column order; keys are column keys."""
    defaults = {
        "goal_number": "1",
        "goal_title": "Sprache fördern",
        "field_of_action": "Sprache & Bildung",
        "measure_number": "1.1",
        "title": "Sprachcafé",
        "lead": "VHS",
        "status": "in Umsetzung",
    }
    cells = defaults | values
    return [cells.get(column.key, "") for column in COLUMNS]


def csv_bytes(*rows, header=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def plan_of(version, data: bytes):
    return transfer.catalogue_plan(version=version, data=data)


def errors_of(plan) -> dict[int, list[str]]:
    return {r.line: r.errors for r in plan.rows if r.errors}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogue_import_sample_imports_without_errors(network, revision, coordinator, fmt):
    data = (SAMPLES / f"katalog-import-beispiel.{fmt}").read_bytes()
    plan = plan_of(revision, data)
    assert errors_of(plan) == {}
    result = transfer.catalogue_import(by=coordinator, version=revision, data=data)
    assert (result.goals_created, result.measures_created) == (3, 7)
    goal = Goal.objects.get(version=revision, number=1)
    assert goal.description.startswith("Alle Zugewanderten")
    assert goal.field_of_action.name == "Sprache & Bildung"
    cafe = Measure.objects.get(goal=goal, number=1)
    assert cafe.lead == network["VHS"]
    assert set(cafe.partners.all()) == {network["Willkommensinitiative"], network["KI"]}
    assert cafe.status == Measure.Status.IN_PROGRESS
    assert cafe.priority == Measure.Priority.HIGH
    assert (cafe.start_on, cafe.end_on) == (date(2024, 3, 1), date(2026, 12, 31))
    assert cafe.estimated_cost == Decimal("4800.00")
    care = Measure.objects.get(goal=goal, number=3)
    assert care.start_on == date(2026, 9, 1)
    assert care.estimated_cost == Decimal("12000.00")


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"lead": "Amt für Unbekanntes"}, "Unbekannte Organisation „Amt für Unbekanntes“"),
        ({"partners": "VHS; Gibt es nicht"}, "Unbekannte Organisation „Gibt es nicht“"),
        ({"status": "fast fertig"}, "Unbekannter Wert „fast fertig“ in „Status“"),
        ({"priority": "dringend"}, "dringend"),
        ({"start_on": "31.02.2024"}, "ist kein Datum"),
        ({"end_on": "irgendwann"}, "ist kein Datum"),
        ({"start_on": "2025", "end_on": "2024"}, "vor dem Beginn"),
        ({"goal_number": "eins"}, "keine ganze Zahl"),
        ({"measure_number": "1.x"}, "3.2"),
        ({"measure_number": "2.1"}, "gehört nicht zu Ziel 1"),
        ({"title": ""}, "Titel der Maßnahme"),
        ({"estimated_cost": "teuer"}, "kein Betrag"),
        ({"field_of_action": "Raumfahrt"}, "Unbekanntes Handlungsfeld „Raumfahrt“"),
        ({"title": '=HYPERLINK("http://x")'}, "Formel"),
        # Beyond the first lines too: NUL would break PostgreSQL, others hide text.
        ({"description": "x" * 5000 + "Nul\x00Glocke\x07"}, "Steuerzeichen"),
    ],
)
def test_plan_build_reports_row_error_in_german(network, revision, coordinator, cells, message):
    data = csv_bytes(row(measure_number="1.1"), row(**({"measure_number": "1.2"} | cells)))
    plan = plan_of(revision, data)
    errors = errors_of(plan)
    assert list(errors) == [3], errors
    assert any(message in error for error in errors[3]), errors[3]
    with pytest.raises(ValidationError, match="nichts wurde importiert"):
        transfer.catalogue_import(by=coordinator, version=revision, data=data)
    assert not Goal.objects.filter(version=revision).exists()
    assert not Measure.objects.filter(goal__version=revision).exists()


def test_plan_build_reports_duplicate_numbers_on_the_later_row(network, revision):
    data = csv_bytes(row(), row(title="Noch ein Sprachcafé"), row(measure_number="1"))
    errors = errors_of(plan_of(revision, data))
    assert list(errors) == [3, 4]
    assert "bereits in Zeile 2" in errors[3][0]
    assert "bereits in Zeile 2" in errors[4][0]


def test_plan_build_reports_inconsistent_goal_rows(network, revision):
    data = csv_bytes(
        row(),
        row(measure_number="1.2", goal_title="Bildung fördern"),
        row(measure_number="1.3", field_of_action="Arbeit & Ausbildung"),
    )
    errors = errors_of(plan_of(revision, data))
    assert "heißt in Zeile 2 „Sprache fördern“" in errors[3][0]
    assert "Handlungsfeld" in errors[4][0]


def test_plan_build_new_goal_without_title_is_an_error(network, revision):
    errors = errors_of(plan_of(revision, csv_bytes(row(goal_title=""))))
    assert "keinen Titel" in errors[2][0]


def test_plan_build_matches_short_name_case_insensitively_and_refuses_ambiguous(network, revision):
    OrganisationFactory(name="VHS Kreis Nord", short_name="vhs")
    plan = plan_of(revision, csv_bytes(row(lead="Kita regenbogen"), row(measure_number="2")))
    assert plan.rows[0].errors == []
    assert plan.rows[0].lead == network["Kita Regenbogen"]
    assert "mehrdeutig" in plan.rows[1].errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (csv_bytes(header=["Ziel-Nr.", "Ziel", "Maßnahme"]), "Maßnahme-Nr."),
        (csv_bytes(), "keine Datenzeilen"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "weder eine CSV- noch eine Excel-Datei"),
        (b"PK\x03\x04 not really a zip", "weder eine CSV- noch eine Excel-Datei"),
    ],
)
def test_read_catalogue_refuses_bad_files_in_german(revision, coordinator, data, message):
    with pytest.raises(importing.ImportFileError) as caught:
        plan_of(revision, data)
    assert message in caught.value.message
    with pytest.raises(ValidationError):
        transfer.catalogue_import(by=coordinator, version=revision, data=data)


def test_catalogue_import_refuses_an_adopted_version(network, coordinator):
    adopted = ConceptVersionFactory()
    with pytest.raises(ValidationError, match="beschlossen"):
        transfer.catalogue_import(by=coordinator, version=adopted, data=csv_bytes(row()))
    assert not Measure.objects.exists()


def test_catalogue_import_updates_by_code_and_keeps_unnamed_measures(
    network, revision, coordinator
):
    goal = GoalFactory(version=revision, number=1, title="Alt")
    old = MeasureFactory(goal=goal, number=1, title="Alt", status=Measure.Status.PLANNED)
    kept = MeasureFactory(goal=goal, number=5, title="Bleibt")
    transfer.catalogue_import(by=coordinator, version=revision, data=csv_bytes(row()))
    old.refresh_from_db()
    goal.refresh_from_db()
    assert (old.title, old.status, old.lead) == ("Sprachcafé", "in_progress", network["VHS"])
    assert goal.title == "Sprache fördern"
    assert Measure.objects.filter(pk=kept.pk, title="Bleibt").exists()
    assert Measure.objects.filter(goal__version=revision).count() == 2


def test_catalogue_import_is_atomic_when_writing_fails(network, revision, coordinator, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Measure.objects, "bulk_create", broken)
    with pytest.raises(ValidationError, match="nichts wurde importiert"):
        transfer.catalogue_import(by=coordinator, version=revision, data=csv_bytes(row()))
    assert not Goal.objects.filter(version=revision).exists()


def test_catalogue_import_checks_again_on_confirm(network, revision, coordinator):
    data = csv_bytes(row(), row(measure_number="1.2", lead="JMD"))
    plan = plan_of(revision, data)
    assert not plan.has_errors
    network["JMD"].delete()  # gone between preview and confirm
    with pytest.raises(ValidationError, match="nichts wurde importiert"):
        transfer.catalogue_import(
            by=coordinator, version=revision, data=data, expected_digest=plan.digest
        )
    assert not Measure.objects.exists()


def test_catalogue_import_refuses_another_file_than_previewed(network, revision, coordinator):
    with pytest.raises(ValidationError, match="seit der Vorschau"):
        transfer.catalogue_import(
            by=coordinator, version=revision, data=csv_bytes(row()), expected_digest="0" * 64
        )


def _response_bytes(version, fmt: str) -> bytes:
    dataset = importing.catalogue_dataset(version, for_xlsx=fmt == "xlsx")
    return tabular.dataset_response(dataset, fmt, "katalog").content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_catalogue_export_imports_again_unchanged(network, revision, coordinator, fmt):
    source = ConceptVersionFactory()
    field = FieldOfActionFactory(name="Gesundheit")
    goal = GoalFactory(version=source, number=3, title="Gesund leben", field_of_action=field)
    goal.description = "- beginnt mit einem Strich"
    goal.save()
    measure = MeasureFactory(
        goal=goal,
        number=10,
        title="+49 Hotline",
        description="Mehrzeilig\nzweite Zeile",
        lead=network["FB II"],
        status=Measure.Status.PERMANENT,
        priority=Measure.Priority.LOW,
        start_on=date(2020, 2, 1),
        end_on=date(2030, 6, 30),
        estimated_cost=Decimal("12500.50"),
        funding_note="Integrationspauschale NRW",
        target_group="Familien",
    )
    measure.partners.set([network["AWO"], network["KI"]])
    GoalFactory(version=source, number=4, title="Ohne Maßnahmen")

    data = _response_bytes(source, fmt)
    assert errors_of(plan_of(revision, data)) == {}
    transfer.catalogue_import(by=coordinator, version=revision, data=data)

    names = ["title", "description", "field_of_action_id"]
    copied_goals = Goal.objects.filter(version=revision).order_by("number")
    assert [g.number for g in copied_goals] == [3, 4]
    assert [getattr(copied_goals[0], n) for n in names] == [getattr(goal, n) for n in names]
    copy = Measure.objects.get(goal__version=revision)
    fields = [
        "number",
        "title",
        "description",
        "target_group",
        "lead_id",
        "status",
        "priority",
        "start_on",
        "end_on",
        "estimated_cost",
        "funding_note",
    ]
    assert [getattr(copy, n) for n in fields] == [getattr(measure, n) for n in fields]
    assert set(copy.partners.all()) == {network["AWO"], network["KI"]}


def test_catalogue_export_neutralises_formulas(network):
    version = ConceptVersionFactory()
    MeasureFactory(goal=GoalFactory(version=version), title='=HYPERLINK("http://evil")')
    text = _response_bytes(version, "csv").decode("utf-8-sig")
    assert ";'=HYPERLINK" in text.replace('"', "")
    assert "\n=" not in text
    assert ";=" not in text


def test_catalogue_dataset_runs_constant_queries(django_assert_max_num_queries, network):
    version = ConceptVersionFactory()
    for number in range(1, 4):
        goal = GoalFactory(version=version, number=number)
        for index in range(1, 6):
            MeasureFactory(goal=goal, number=index).partners.set([network["KI"]])
    with django_assert_max_num_queries(3):
        dataset = importing.catalogue_dataset(version)
    assert dataset.height == 3 + 15


def test_plan_build_checks_a_new_end_against_the_stored_start(network, revision):
    goal = GoalFactory(version=revision, number=1, title="Sprache fördern")
    MeasureFactory(goal=goal, number=1, start_on=date(2026, 3, 1), end_on=None)
    header = [column.header for column in COLUMNS if column.key != "start_on"]
    cells = [
        cell
        for column, cell in zip(COLUMNS, row(end_on="31.12.2025"), strict=True)
        if column.key != "start_on"
    ]
    plan = plan_of(revision, csv_bytes(cells, header=header))
    assert any("vor dem Beginn (01.03.2026)" in error for error in errors_of(plan)[2])


def test_read_catalogue_counts_xlsx_rows_whatever_the_sheet_says(revision, settings):
    # A sheet without its <dimension> claims no size; the rows are counted anyway.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for _number in range(12):
        sheet.append(row())
    out = io.BytesIO()
    workbook.save(out)
    settings.IMPORT_MAX_ROWS = 10

    class NoDimension:
        def __init__(self, worksheet):
            self.title, self.rows, self.max_row = worksheet.title, worksheet.rows, None

    from integration.core import tabular as module

    counted = module._CountedRows(NoDimension(sheet), limit=11)
    with pytest.raises(importing.ImportFileError, match="10"):
        list(counted.rows)


# The Umsetzungsstand: statuses an import sets in the current version


def _imported_statuses(version, coordinator, filename="katalog.csv"):
    goal = GoalFactory(version=version, number=1)
    changed = MeasureFactory(goal=goal, number=1, status=Measure.Status.PLANNED)
    same = MeasureFactory(
        goal=goal, number=2, status=Measure.Status.IN_PROGRESS, last_update_on=date(2025, 5, 2)
    )
    data = csv_bytes(
        row(measure_number="1.1", status="in Umsetzung"),
        row(measure_number="1.2", status="in Umsetzung"),
        row(measure_number="1.3", status="umgesetzt", title="Neu umgesetzt"),
        row(measure_number="1.4", status="geplant", title="Neu geplant"),
    )
    transfer.catalogue_import(by=coordinator, version=version, data=data, filename=filename)
    return changed, same


@time_machine.travel("2026-03-16 10:00 +01:00", tick=False)
def test_catalogue_import_into_the_first_draft_puts_set_statuses_into_the_timeline(
    network, revision, coordinator
):
    _changed, same = _imported_statuses(revision, coordinator)

    updates = StatusUpdate.objects.order_by("measure__number")
    assert [(u.measure.code, u.status) for u in updates] == [
        ("1.1", Measure.Status.IN_PROGRESS),
        ("1.3", Measure.Status.DONE),
    ]
    for update in updates:
        assert (update.date, update.author) == (date(2026, 3, 16), coordinator)
        assert update.note == "Status durch Import von katalog.csv gesetzt."
        assert update.measure.last_update_on == date(2026, 3, 16)
    same.refresh_from_db()
    assert same.last_update_on == date(2025, 5, 2)
    assert Measure.objects.get(title="Neu geplant").last_update_on is None


def test_catalogue_import_into_a_revision_beside_an_adopted_version_leaves_the_timeline(
    network, coordinator
):
    adopted = ConceptVersionFactory()
    revision = ConceptVersionFactory(
        concept=adopted.concept,
        status=ConceptVersion.Status.REVISION,
        adopted_on=None,
        based_on=adopted,
    )
    changed, _same = _imported_statuses(revision, coordinator)

    assert not StatusUpdate.objects.exists()
    changed.refresh_from_db()
    assert (changed.status, changed.last_update_on) == (Measure.Status.IN_PROGRESS, None)


def test_catalogue_import_timeline_in_the_same_transaction(
    network, revision, coordinator, monkeypatch
):
    def broken(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(StatusUpdate.objects, "bulk_create", broken)
    with pytest.raises(ValidationError, match="nichts wurde importiert"):
        transfer.catalogue_import(by=coordinator, version=revision, data=csv_bytes(row()))
    assert not Measure.objects.exists()
