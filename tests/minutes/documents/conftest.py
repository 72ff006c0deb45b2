"""A meeting with public and non-public items, papers and real PDF attachments.

Words only non-public content carries start with "Geheim", so a test can search
the public variant for them."""

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from django.core.files.base import ContentFile
from weasyprint import HTML

from minutes.models import Attachment

from ..factories import (
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    paper_of_department,
)

FILES = Path(__file__).parent.parent / "files"
ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts"

SECRET_WORDS = ("Geheimsache", "Geheimvorlage", "Geheimanlage", "Geheimgrund")


def make_pdf(title: str, pages: int = 1, *, landscape: bool = False) -> bytes:
    """A small real PDF: ``pages`` pages, each saying its title and number."""
    size = "A4 landscape" if landscape else "A4"
    body = "".join(
        f'<section style="break-before: page"><h1>{title}</h1><p>{title} Blatt {n}</p></section>'
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<style>@page {{ size: {size} }}</style>{body}").write_pdf()


def attach(paper, name: str, content: bytes, *, file_name: str, mime: str, position: int = 0):
    return Attachment.objects.create(
        paper=paper,
        name=name,
        file=ContentFile(content, name=file_name),
        file_name=file_name,
        mime_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        position=position,
    )


def pdf_attach(paper, name: str, pages: int = 1, **kwargs):
    return attach(
        paper,
        name,
        make_pdf(name, pages, landscape=kwargs.pop("landscape", False)),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        **kwargs,
    )


@dataclass
class PacketMeeting:
    meeting: object
    items: list
    papers: dict
    attachments: dict


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def packet_meeting(body):
    """Ö1 Kita (paper with a 3-page PDF, a DOCX and an encrypted PDF), Ö2 without
    paper, Ö3 public item treating a non-public paper, Ö4 Sprachkurse (paper), N1
    Geheimsache (non-public paper with a PDF), Ö5 Wohnraum (paper with a 2-page PDF
    and a landscape page). Agenda order: Ö1, Ö2, Ö3, Ö4, Ö5, N1."""
    meeting = MeetingFactory(body=body, name="12. Sitzung")
    chair = MembershipFactory(body=body, role="chair")
    kita = paper_of_department(
        title="Ausbau der Kindertagesstätten",
        text="Die Stadt braucht 40 weitere Plätze.",
        proposal="Der Ausschuss empfiehlt den Ausbau.",
    )
    hidden = paper_of_department(
        title="Geheimvorlage Grundstück", text="Geheimgrund", is_public=False
    )
    courses = paper_of_department(title="Sprachkurse für Erwachsene", text="Kurse ab Januar.")
    secret = paper_of_department(
        title="Geheimvorlage Personal", text="Geheimgrund der Sache", is_public=False
    )
    housing = paper_of_department(title="Wohnraum für Geflüchtete", text="Lage am Wohnungsmarkt.")
    items = [
        AgendaItemFactory(meeting=meeting, title="Kita-Ausbau", paper=kita),
        AgendaItemFactory(meeting=meeting, title="Mitteilungen der Verwaltung"),
        AgendaItemFactory(meeting=meeting, title="Grundstücksfragen", paper=hidden),
        AgendaItemFactory(meeting=meeting, title="Sprachkurse", paper=courses),
        AgendaItemFactory(meeting=meeting, title="Wohnraum", paper=housing),
        AgendaItemFactory(
            meeting=meeting, title="Geheimsache Personal", paper=secret, is_public=False
        ),
    ]
    attachments = {
        "kita": pdf_attach(kita, "Kostenplan Kita", 3, position=1),
        "docx": attach(
            kita,
            "Stellenbeschreibung",
            (FILES / "stellenbeschreibung.docx").read_bytes(),
            file_name="stellenbeschreibung.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            position=2,
        ),
        "encrypted": attach(
            kita,
            "Verschlüsselter Plan",
            (FILES / "encrypted.pdf").read_bytes(),
            file_name="encrypted.pdf",
            mime="application/pdf",
            position=3,
        ),
        "hidden": pdf_attach(hidden, "Geheimanlage Lageplan"),
        "secret": pdf_attach(secret, "Geheimanlage Stellenplan", 2),
        "housing": pdf_attach(housing, "Wohnungsmarktbericht", 2, position=1),
        "housing_map": pdf_attach(housing, "Karte Unterkünfte", 1, position=2, landscape=True),
    }
    return PacketMeeting(
        meeting=meeting,
        items=items,
        papers={
            "kita": kita,
            "hidden": hidden,
            "courses": courses,
            "secret": secret,
            "housing": housing,
            "chair": chair,
        },
        attachments=attachments,
    )


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page by pdftotext (poppler), in reading order."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[: len(pypdf.PdfReader(__import__("io").BytesIO(pdf)).pages)]
