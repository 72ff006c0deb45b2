"""Reading and checking import files, and the atomic import of their rows."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from actors import importing
from actors.services import import_rows

from .factories import (
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "actors" / "samples"
HEADER = ["Organisation", "Art", "Anrede", "Vorname", "Nachname", "E-Mail", "Telefon"]
HEADER += ["Funktion", "Sprachen", "Ehrenamt", "Netzwerkrunden", "Notizen"]
from .helpers import ROUND_TABLE  # noqa: E402 - re-exported for other tests


def row(**values) -> list[str]:
    keys = {
        "Organisation": "organisation",
        "Art": "kind",
        "Anrede": "salutation",
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail": "email",
        "Telefon": "phone",
        "Funktion": "function",
        "Sprachen": "languages",
        "Ehrenamt": "volunteer",
        "Netzwerkrunden": "circles",
        "Notizen": "notes",
    }
    return [values.get(keys[header], "") for header in HEADER]


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(header)]
    for cells in rows:
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def read(data: bytes, *, max_bytes=1_000_000, max_rows=1000) -> importing.Table:
    return importing.read_table(data, max_bytes=max_bytes, max_rows=max_rows)


def plan_of(data: bytes) -> importing.ImportPlan:
    return import_rows.import_plan(data=data)


AMINA = row(
    organisation="Sprachcafé im Bürgerhaus",
    kind="Initiative",
    salutation="Frau",
    first_name="Amina",
    last_name="Haddad",
    email="amina.haddad@mail.example",
    phone="+49 2345 61 72 80",
    languages="Arabisch, Deutsch",
    volunteer="ja",
    circles=ROUND_TABLE,
)


# ---------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_read_table_detects_the_delimiter(delimiter):
    table = read(csv_bytes([AMINA], delimiter=delimiter))
    assert table.delimiter == delimiter
    assert table.rows[0].values["last_name"] == "Haddad"
    assert table.rows[0].values["languages"] == "Arabisch, Deutsch"
    assert table.rows[0].line == 2


@pytest.mark.parametrize(
    ("encoding", "warned"), [("utf-8-sig", False), ("utf-8", False), ("cp1252", True)]
)
def test_read_table_reads_utf8_with_and_without_bom_and_cp1252(encoding, warned):
    data = csv_bytes(
        [row(organisation="Begegnungsstätte Mühlbach", last_name="Jürgens")], encoding=encoding
    )
    table = read(data)
    assert table.rows[0].values["organisation"] == "Begegnungsstätte Mühlbach"
    assert table.rows[0].values["last_name"] == "Jürgens"
    assert bool(table.warnings) is warned
    if warned:
        assert "Windows-1252" in table.warnings[0]


def test_read_table_reads_excel_unicode_text_utf16():
    data = "\t".join(HEADER).encode("utf-16") + "\r\n".encode("utf-16-le")
    data += "\t".join(AMINA).encode("utf-16-le")
    assert read(data).rows[0].values["first_name"] == "Amina"


def test_read_table_reads_xlsx_with_numbers_and_missing_cells():
    cells = row(last_name="Nasser", first_name="Samir")
    cells[HEADER.index("Telefon")] = 4923456172
    table = read(xlsx_bytes([cells, [], cells[:5]]))
    assert table.format == "xlsx"
    assert [r.line for r in table.rows] == [2, 4]
    assert table.rows[0].values["phone"] == "4923456172"
    assert table.rows[1].values["notes"] == ""


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n", b"\xef\xbb\xbf", b";;;\r\n;;;\r\n"],
    ids=["empty", "blank", "bom", "delims"],
)
def test_read_table_refuses_empty_files(data):
    with pytest.raises(importing.ImportFileError, match="leer"):
        read(data)


def test_read_table_refuses_a_header_without_rows():
    with pytest.raises(importing.ImportFileError, match="keine Datenzeilen"):
        read(csv_bytes([]))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"%PDF-1.7\n\x00\x01\x02binary",
        b"PK\x03\x04this is no workbook",
    ],
    ids=["png", "pdf", "zip"],
)
def test_read_table_refuses_binary_files(data):
    with pytest.raises(importing.ImportFileError, match="weder eine CSV- noch eine Excel-Datei"):
        read(data)


def test_read_table_explains_old_excel_files():
    with pytest.raises(importing.ImportFileError, match=r"\.xls"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_read_table_refuses_undecodable_bytes():
    # 0x81 and 0x8d are invalid UTF-8 here and undefined in Windows-1252.
    with pytest.raises(importing.ImportFileError, match="Zeichen der Datei"):
        read(b"Nachname;Vorname\r\nM\x81ller;J\x8dn\r\n")


def test_read_table_refuses_files_over_the_size_limit():
    with pytest.raises(importing.ImportFileError, match="zu groß"):
        read(csv_bytes([AMINA] * 10), max_bytes=200)


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_read_table_refuses_too_many_rows(make):
    rows = [row(last_name=f"Name {n}") for n in range(6)]
    assert len(read(make(rows), max_rows=6).rows) == 6
    with pytest.raises(importing.ImportFileError, match="mehr als 5 Zeilen"):
        read(make(rows), max_rows=5)


def test_read_table_needs_the_last_name_column_for_people():
    data = csv_bytes([["Sprachcafé", "Amina"]], header=["Organisation", "Vorname"])
    with pytest.raises(importing.ImportFileError, match="Spalte „Nachname“ fehlt"):
        read(data)


def test_read_table_names_unknown_headers_and_hints_at_the_delimiter():
    data = b"Einrichtung|Zuname\r\nCaritas|Meyer\r\n"
    with pytest.raises(importing.ImportFileError, match="Semikolon oder Komma") as error:
        read(data)
    assert "Einrichtung|Zuname" in error.value.message


def test_read_table_warns_about_ignored_columns():
    data = csv_bytes([["Meyer", "x"]], header=["Nachname", "Geburtstag"])
    assert read(data).warnings == ["Diese Spalten werden nicht importiert: „Geburtstag“."]


def test_plan_reports_rows_longer_than_the_header(network_setup):
    data = b'Nachname;Vorname\r\nMeyer;Jana\r\nSchulz;=HYPERLINK("http://x";"y")\r\n'
    plan = plan_of(data)
    assert plan.rows[0].ok
    assert "Spalten ohne Überschrift („y)“)" in plan.rows[1].errors[0]
    assert "enthält eine Formel" in plan.rows[1].errors[1]


def test_plan_ignores_unnamed_xlsx_columns_with_a_warning(network_setup):
    plan = plan_of(xlsx_bytes([["Meyer", None, "Summe"]], header=["Nachname", None, None]))
    assert plan.rows[0].ok
    assert plan.rows[0].warnings == [
        "Werte in Spalten ohne Überschrift werden nicht importiert: „Summe“."
    ]


# ---------------------------------------------------------------------------
# Checking rows


def test_plan_sample_files_have_no_problems(network_setup):
    for name in ("netzwerk-import-beispiel.csv", "netzwerk-import-beispiel.xlsx"):
        plan = plan_of((SAMPLES / name).read_bytes())
        assert plan.counts["errors"] == 0, [r.errors for r in plan.rows]
        assert plan.counts["warnings"] == 0, [r.warnings for r in plan.rows]
        assert plan.table.warnings == []
        assert plan.counts["people_new"] >= 6
        assert plan.counts["organisations_new"] >= 4


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_plan_rejects_formula_cells(make, network_setup):
    evil = row(last_name='=HYPERLINK("http://evil","Klick")', first_name="Jana")
    plan = plan_of(make([evil, AMINA]))
    assert "enthält eine Formel" in plan.rows[0].errors[0]
    assert plan.rows[1].ok  # "+49 …" is a phone number, not a formula


def test_plan_rejects_dde_payloads_but_keeps_notes_with_dashes(network_setup):
    plan = plan_of(
        csv_bytes(
            [
                row(last_name="Meyer", notes="-cmd|' /C calc'!A0"),
                row(last_name="Schulz", notes="- bringt Kuchen mit (Sommerfest)"),
            ]
        )
    )
    assert not plan.rows[0].ok
    assert plan.rows[1].ok


def test_plan_reports_each_problem_in_german(network_setup):
    plan = plan_of(
        csv_bytes(
            [
                row(organisation="Caritas", first_name="Jana"),
                row(last_name="Meyer", email="meyer(at)mail.example"),
                row(last_name="Schulz", circles="Stammtisch Nord"),
                row(last_name="Kaya", languages="Klingonisch"),
                row(email="info@verein.example"),
            ]
        )
    )
    errors = [r.errors for r in plan.rows]
    assert errors == [
        ["Der Nachname fehlt."],
        ["„meyer(at)mail.example“ ist keine gültige E-Mail-Adresse."],
        [
            "Unbekannte Netzwerkrunde „Stammtisch Nord“. Bitte legen Sie sie zuerst an oder "
            "korrigieren Sie den Namen."
        ],
        ["Unbekannte Sprache „Klingonisch“."],
        ["Weder Organisation noch Nachname sind angegeben."],
    ]


def test_plan_flags_duplicates_by_email_in_the_database_and_in_the_file(network_setup):
    existing = PersonFactory(email="Amina.Haddad@Mail.example", first_name="Amina")
    twice = row(last_name="Haddad", email="AMINA.HADDAD@mail.example")
    plan = plan_of(csv_bytes([AMINA, twice]))
    first, second = plan.rows
    assert first.ok
    assert first.person.existing == existing
    assert "gibt es schon" in first.warnings[0]
    assert first.actions[1] == f"Ergänzt die vorhandene Person „{existing.full_name}“"
    assert second.errors == ["Die E-Mail-Adresse steht schon in Zeile 2 dieser Datei."]


def test_plan_combines_rows_of_one_organisation(network_setup):
    caritas = OrganisationFactory(name="Caritasverband Wiesenbrück")
    plan = plan_of(
        csv_bytes(
            [
                row(organisation="Familienzentrum Mühlbach", last_name="Kortmann"),
                row(organisation="familienzentrum  mühlbach", last_name="Yıldız"),
                row(organisation="CARITASVERBAND Wiesenbrück", last_name="Meyer"),
            ]
        )
    )
    assert plan.counts["organisations_new"] == 1
    assert plan.organisations["caritasverband wiesenbrück"].existing == caritas
    assert plan.rows[1].actions[0] == ("Organisation „Familienzentrum Mühlbach“ (neu, aus Zeile 2)")


def test_plan_warns_about_wrongly_encoded_text(network_setup):
    plan = plan_of(csv_bytes([row(last_name="MÃ¼ller")]))
    assert "falsch kodiert" in plan.rows[0].warnings[0]


def test_plan_digest_changes_when_the_database_does(network_setup):
    data = csv_bytes([AMINA])
    digest = plan_of(data).digest
    assert plan_of(data).digest == digest
    PersonFactory(email="amina.haddad@mail.example")
    assert plan_of(data).digest != digest


# ---------------------------------------------------------------------------
# Importing


def test_read_table_own_csv_export_quotes_are_undone_but_formulas_stay():
    from integration.core.tabular import cell_text

    assert cell_text("'+49 2345 61") == "+49 2345 61"
    assert cell_text("'- Notiz") == "- Notiz"
    assert cell_text('\'=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell_text("'Tante Emma") == "'Tante Emma"


def test_import_rejects_control_characters_anywhere_in_the_file(network_setup):
    from actors.importing import validation

    # Past the first 4 KiB, which the file check looks at as a whole.
    filler = [
        row(last_name=f"Meyer{number}", email=f"m{number}@mail.example") for number in range(300)
    ]
    hidden = row(
        last_name="Versteckt", email="v@mail.example", notes='\x01=HYPERLINK("http://evil")'
    )
    plan = plan_of(csv_bytes([*filler, hidden]))
    assert "Steuerzeichen" in plan.rows[-1].errors[0]
    assert all(planned.ok for planned in plan.rows[:-1])
    assert validation.CONTROL_CHARACTERS.search("\x01")
