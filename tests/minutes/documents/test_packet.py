"""The meeting packet (Sitzungsmappe), parsed back with pypdf and pdftotext."""

import io
import re
import subprocess

import pypdf
import pytest

from minutes.documents import DocumentUnavailableError, packet_pdf
from minutes.models import Body

from .conftest import ARTIFACTS, SECRET_WORDS, page_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_packet(packet_meeting):
    return packet_pdf(packet_meeting.meeting, variant="members")


@pytest.fixture
def public_packet(packet_meeting):
    return packet_pdf(packet_meeting.meeting, variant="public")


def outline_titles(pdf: bytes) -> list[tuple[int, str, int]]:
    """(level, title, page number) of every bookmark in order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []

    def walk(entries, level):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, level + 1)
            else:
                found.append((level, entry.title, reader.get_destination_page_number(entry) + 1))

    walk(reader.outline, 1)
    return found


def section_start(texts: list[str], number: str, title: str) -> int:
    """The first page (1-based) carrying the item's header and its title."""
    for index, text in enumerate(texts, start=1):
        if f"TOP {number}" in text and title in text:
            return index
    raise AssertionError(f"no page for TOP {number}")


def test_packet_members_holds_every_item_and_paper_in_agenda_order(packet_meeting, members_packet):
    text = "\f".join(page_texts(members_packet.pdf))
    expected = [
        "TOP Ö 1",
        "Ausbau der Kindertagesstätten",
        "Kostenplan Kita Blatt 3",
        "TOP Ö 2",
        "TOP Ö 3",
        "Geheimvorlage Grundstück",
        "Geheimanlage Lageplan Blatt 1",
        "TOP Ö 4",
        "Sprachkurse für Erwachsene",
        "TOP Ö 5",
        "Wohnraum für Geflüchtete",
        "Wohnungsmarktbericht Blatt 2",
        "Karte Unterkünfte Blatt 1",
        "TOP N 1",
        "Geheimvorlage Personal",
        "Geheimanlage Stellenplan Blatt 2",
    ]
    # Search each after the previous one, past the invitation and contents.
    position = text.index("Seite 3 von")
    for words in expected:
        found = text.find(words, position)
        assert found > 0, words
        position = found
    # 1 invitation + 1 contents + 6 covers + 4 papers + 3+1+2+2+1 attachment pages
    # (the encrypted PDF is left out)
    assert members_packet.pages == 2 + 6 + 5 + 9 == len(page_texts(members_packet.pdf))


def test_packet_public_holds_no_nonpublic_word(packet_meeting, public_packet):
    reader = pypdf.PdfReader(io.BytesIO(public_packet.pdf))
    text = "\f".join(page_texts(public_packet.pdf))
    outline = " ".join(title for _level, title, _page in outline_titles(public_packet.pdf))
    toc = " ".join(entry.label for entry in public_packet.toc)
    everything = " ".join([text, outline, toc, str(reader.metadata)])
    for word in (*SECRET_WORDS, "nicht öffentlich", "Nicht öffentlicher Teil", "TOP N"):
        assert word not in everything, word
    # The non-public paper's reference on a public item is not named either.
    assert packet_meeting.papers["hidden"].reference not in everything
    for words in ("Kita-Ausbau", "Grundstücksfragen", "Wohnungsmarktbericht Blatt 2"):
        assert words in text
    assert public_packet.pages == 2 + 5 + 3 + 3 + 3


def test_packet_contents_page_numbers_match_the_pages(packet_meeting, members_packet):
    texts = page_texts(members_packet.pdf)
    contents = texts[1]
    assert "Inhalt" in contents
    rows = re.findall(r"^\s*([ÖN]) ?(\d+)\s+(.+?)\s{2,}(\d+)\s*$", contents, re.MULTILINE)
    assert len(rows) == 6
    for kind, number, title, page in rows:
        title = title.removesuffix(" (nicht öffentlich)")
        assert int(page) == section_start(texts, f"{kind} {number}", title), title
    # The attachment lines point at the attachment's first page.
    match = re.search(r"Anlage: Wohnungsmarktbericht\s+(\d+)", contents)
    assert "Wohnungsmarktbericht Blatt 1" in texts[int(match[1]) - 1]
    assert [entry.page for entry in members_packet.toc if entry.level == 1] == [
        int(page) for *_rest, page in rows
    ]


def test_packet_bookmarks_follow_the_agenda(packet_meeting, members_packet):
    papers = packet_meeting.papers
    outline = outline_titles(members_packet.pdf)
    titles = [(level, title) for level, title, _page in outline]
    assert titles == [
        (1, "Einladung"),
        (1, "Inhalt"),
        (1, "TOP Ö 1 Kita-Ausbau"),
        (2, f"Vorlage {papers['kita'].reference}"),
        (2, "Anlage: Kostenplan Kita"),
        (1, "TOP Ö 2 Mitteilungen der Verwaltung"),
        (1, "TOP Ö 3 Grundstücksfragen"),
        (2, f"Vorlage {papers['hidden'].reference}"),
        (2, "Anlage: Geheimanlage Lageplan"),
        (1, "TOP Ö 4 Sprachkurse"),
        (2, f"Vorlage {papers['courses'].reference}"),
        (1, "TOP Ö 5 Wohnraum"),
        (2, f"Vorlage {papers['housing'].reference}"),
        (2, "Anlage: Wohnungsmarktbericht"),
        (2, "Anlage: Karte Unterkünfte"),
        (1, "TOP N 1 Geheimsache Personal"),
        (2, f"Vorlage {papers['secret'].reference}"),
        (2, "Anlage: Geheimanlage Stellenplan"),
    ]
    pages = [page for _level, _title, page in outline]
    assert pages == sorted(pages)


def test_packet_metadata_title_language_author_and_tags(packet_meeting, members_packet):
    reader = pypdf.PdfReader(io.BytesIO(members_packet.pdf))
    body = packet_meeting.meeting.body.name
    assert reader.metadata.title == f"Sitzungsmappe {body} 03.12.2026"
    assert reader.metadata.author == "Stadt Wiesenbrück"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert reader.pdf_header == "%PDF-1.7"
    assert reader.xmp_metadata.dc_title["x-default"] == reader.metadata.title


def test_packet_header_and_footer_on_every_page(members_packet):
    texts = page_texts(members_packet.pdf)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {total}" in text
        assert "Ausschuss für Bildung, Erziehung, Senioren und Soziales · 03.12.2026" in text
    # The merged attachment pages of Ö 5 carry its header (also the landscape map).
    for words in (
        "Wohnungsmarktbericht Blatt 1",
        "Wohnungsmarktbericht Blatt 2",
        "Karte Unterkünfte",
    ):
        page = next(text for text in texts if f"{words}" in text and "Anlage zu" in text)
        assert "TOP Ö 5" in page


def test_packet_marks_every_nonpublic_page(members_packet):
    texts = page_texts(members_packet.pdf)
    start = section_start(texts, "N 1", "Geheimsache Personal")
    nonpublic = texts[start - 1 :]
    assert len(nonpublic) == 1 + 1 + 2  # cover, paper, two attachment pages
    for text in nonpublic:
        assert "NICHT ÖFFENTLICH" in text
        assert "TOP N 1" in text
    for text in texts[2 : start - 1]:
        assert "NICHT ÖFFENTLICH" not in text


def test_packet_lists_other_and_unreadable_attachments(members_packet):
    text = "\f".join(page_texts(members_packet.pdf))
    assert (
        "Stellenbeschreibung (stellenbeschreibung.docx) – kein PDF-Dokument; als eigene Datei"
        in text
    )
    assert "Verschlüsselter Plan (encrypted.pdf) – Das PDF ist verschlüsselt" in text


def test_packet_skips_broken_and_missing_files(packet_meeting):
    from .conftest import attach

    kita = packet_meeting.papers["kita"]
    attach(kita, "Kaputt", b"%PDF-1.4 kaputt", file_name="kaputt.pdf", mime="application/pdf")
    missing = attach(kita, "Fehlt", b"%PDF-1.4", file_name="fehlt.pdf", mime="application/pdf")
    missing.file.storage.delete(missing.file.name)
    result = packet_pdf(packet_meeting.meeting, variant="members")
    text = "\f".join(page_texts(result.pdf))
    assert "Kaputt (kaputt.pdf) – Das PDF kann nicht gelesen werden" in text
    assert "Fehlt (fehlt.pdf) – Das PDF kann nicht gelesen werden" in text


def test_packet_reports_progress_up_to_100(packet_meeting):
    seen = []
    packet_pdf(packet_meeting.meeting, variant="public", progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 100
    assert len(seen) > 5


def test_packet_public_of_a_nonpublic_body_does_not_exist(packet_meeting):
    Body.objects.filter(pk=packet_meeting.meeting.body_id).update(is_public=False)
    with pytest.raises(DocumentUnavailableError):
        packet_pdf(packet_meeting.meeting, variant="public")
    assert packet_pdf(packet_meeting.meeting, variant="members").pages > 2


def test_packet_page_one_as_png_artefact(members_packet, public_packet):
    """Page 1 and a merged attachment page as PNG under var/test-artifacts/ for a person
    to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, result, page in (
        ("packet-members", members_packet, 1),
        ("packet-public", public_packet, 1),
        ("packet-members-attachment", members_packet, 5),
    ):
        prefix = ARTIFACTS / f"{name}-page{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-",
                str(prefix),
            ],
            input=result.pdf,
            check=True,
        )
        assert prefix.with_suffix(".png").stat().st_size > 5000


def test_packet_queries_do_not_grow_with_the_agenda(packet_meeting, django_assert_max_num_queries):
    from ..factories import AgendaItemFactory, paper_of_department
    from .conftest import pdf_attach

    for number in range(5):
        paper = paper_of_department(title=f"Weitere Vorlage {number}")
        pdf_attach(paper, f"Weitere Anlage {number}")
        AgendaItemFactory(
            meeting=packet_meeting.meeting, title=f"Weiterer Punkt {number}", paper=paper
        )
    with django_assert_max_num_queries(7):
        result = packet_pdf(packet_meeting.meeting, variant="public")
    assert "Weitere Anlage 4" in "\f".join(page_texts(result.pdf))


def test_packet_turns_rotated_attachment_pages_like_a_viewer(packet_meeting):
    from .conftest import attach, make_pdf

    reader = pypdf.PdfReader(io.BytesIO(make_pdf("Gedrehter Plan", 1)))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.pages[0].rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    courses = packet_meeting.papers["courses"]
    attach(courses, "Gedreht", buffer.getvalue(), file_name="gedreht.pdf", mime="application/pdf")
    result = packet_pdf(packet_meeting.meeting, variant="public")
    page = next(
        index
        for index, text in enumerate(page_texts(result.pdf))
        if "Anlage zu TOP Ö 4: Gedreht" in text
    )
    shown = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[page]
    assert shown.mediabox.width > shown.mediabox.height  # a landscape page is reserved
    # Drawn upright: pdftotext reads the words in order, not letter by letter.
    assert "Gedrehter Plan Blatt 1" in page_texts(result.pdf)[page]
