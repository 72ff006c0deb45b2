"""Sitzungsmappe: the meeting packet of a meeting as one PDF.

Order: the invitation with the agenda, the table of contents, then per agenda
item (agenda order) a cover page (TOP, title, paper reference and kind, what
follows), the paper (title, reference, kind, date, lead department, Sachverhalt,
Beschlussvorschlag) and the paper's PDF attachments in their order; non-PDF
files and PDFs that cannot be included (encrypted, broken) are listed by name
with the reason.

How it is built, in one WeasyPrint pass: the attachments are opened first and
their pages counted; the HTML reserves one "attachment page" per attachment
page; WeasyPrint lays out everything, so the table of contents
(``target-counter``), the running header (body, date, "TOP Ö 5", "nicht
öffentlich" on non-public items) and "Seite x von y" are right by construction,
including the attachment pages; finally pypdf draws each attachment page into
its reserved page (``stamping.place_page``). The outline (bookmarks: invitation,
contents, each item with its paper and attachments below it) comes from
WeasyPrint too.

Accessibility: the packet is a tagged PDF/UA-1 document (title, language de,
author = the municipality) as far as WeasyPrint produced it: the invitation,
contents, cover pages, papers and the caption of every attachment page are
tagged; header and footer are artefacts. The merged attachments are foreign
PDFs: their content cannot join the packet's structure tree and is untagged (a
screen reader finds the caption "Anlage … Seite x von y" and the original file
on the portal). Links inside attachments are not carried over.

Variants: "public" shows what the public portal shows (the access selectors with
an anonymous reader: public items of a public body, public papers and their
files) and never names anything else; "members" holds every item of the meeting.
"""

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader, PdfWriter

from integration.documents.rendering import PDF_LANGUAGE, pdf_render

from ..models import Meeting
from .common import PUBLIC, meeting_title
from .invitation import invitation_context
from .selection import DocumentItem, document_items
from .stamping import READ_ERRORS, AttachmentPdf, attachment_read, is_pdf, place_page

logger = logging.getLogger(__name__)


@dataclass
class TocEntry:
    """A line of the table of contents (level 1: item, 2: paper or attachment)."""

    level: int
    label: str
    page: int


@dataclass
class PacketResult:
    pdf: bytes
    pages: int
    toc: list[TocEntry]


@dataclass
class PacketSection:
    """One agenda item of the packet with its attachments sorted by what happens to them."""

    entry: DocumentItem
    header: str
    marker: str
    pdfs: list[AttachmentPdf] = field(default_factory=list)
    listed: list = field(default_factory=list)  # non-PDF files, named only
    skipped: list[AttachmentPdf] = field(default_factory=list)  # PDFs that cannot be read

    @property
    def item(self):
        return self.entry.item

    @property
    def anchor(self) -> str:
        return f"item-{self.item.pk}"

    @property
    def bookmark(self) -> str:
        return f"TOP {self.item.printed_number} {self.item.title}"


def packet_title(meeting: Meeting) -> str:
    return gettext("Meeting packet %(body)s %(date)s") % {
        "body": meeting.body.name,
        "date": f"{meeting.date:%d.%m.%Y}",
    }


def frame_id(section: PacketSection, pdf: AttachmentPdf, index: int) -> str:
    return f"frame-{section.item.pk}-{pdf.attachment.pk}-{index}"


def _section(meeting: Meeting, entry: DocumentItem) -> PacketSection:
    item = entry.item
    section = PacketSection(
        entry=entry,
        header=f"{meeting_title(meeting)} · TOP {item.printed_number}",
        marker="" if item.is_public else gettext("non-public"),
    )
    for attachment in entry.attachments:
        if not is_pdf(attachment):
            section.listed.append(attachment)
            continue
        pdf = attachment_read(attachment)
        (section.pdfs if pdf.reader else section.skipped).append(pdf)
    return section


def _context(meeting: Meeting, variant: str, items, sections) -> dict:
    context = invitation_context(meeting=meeting, variant=variant, items=items)
    context.update(
        {
            "document_title": packet_title(meeting),
            "sections": sections,
            "footer": gettext("Meeting packet, public version")
            if variant == PUBLIC
            else gettext("Meeting packet, version for the members"),
        }
    )
    return context


def _destinations(reader: PdfReader) -> dict[str, tuple[int, float, float]]:
    """Named destinations WeasyPrint wrote for every element id: page index, left, top."""
    return {
        str(name): (
            reader.get_destination_page_number(destination),
            float(destination.left or 0),
            float(destination.top or 0),
        )
        for name, destination in reader.named_destinations.items()
    }


def _toc(sections: list[PacketSection], places: dict) -> list[TocEntry]:
    toc = []
    for section in sections:
        toc.append(TocEntry(1, section.bookmark, places[section.anchor][0] + 1))
        if section.entry.paper:
            paper = section.entry.paper
            label = f"{gettext('Paper')} {paper.reference} {paper.title}"
            toc.append(TocEntry(2, label, places[f"paper-{section.item.pk}"][0] + 1))
        for pdf in section.pdfs:
            page = places[frame_id(section, pdf, 1)][0] + 1
            toc.append(TocEntry(2, f"{gettext('Attachment')}: {pdf.attachment.name}", page))
    return toc


def packet_pdf(
    meeting: Meeting, *, variant: str, progress: Callable[[int], None] | None = None
) -> PacketResult:
    """The meeting packet of ``meeting`` in ``variant`` ("public" or "members"); see
    the module docstring. ``progress(percent)`` is called as parts complete. Raises
    ``DocumentUnavailableError`` for the public packet of a meeting the public may
    not see. Reads only; running it twice gives the same content."""
    report = progress or (lambda percent: None)
    with translation.override(PDF_LANGUAGE):
        meeting = Meeting.objects.select_related("body", "location").get(pk=meeting.pk)
        items = document_items(meeting=meeting, variant=variant, with_attachments=True)
        report(5)
        sections = []
        for number, entry in enumerate(items, start=1):
            sections.append(_section(meeting, entry))
            report(5 + 20 * number // len(items))
        context = _context(meeting, variant, items, sections)
        pdf = pdf_render(template="minutes/documents/packet.html", context=context)
        report(70)

        reader = PdfReader(io.BytesIO(pdf))
        places = _destinations(reader)
        writer = PdfWriter(clone_from=reader)
        # PDF/UA-1 is PDF 1.7; pypdf would otherwise write its own default header.
        writer.pdf_header = reader.pdf_header
        for number, section in enumerate(sections, start=1):
            for attachment in section.pdfs:
                for index, source in enumerate(attachment.reader.pages, start=1):
                    page_index, left, top = places[frame_id(section, attachment, index)]
                    try:
                        place_page(writer, writer.pages[page_index], source, left=left, top=top)
                    except READ_ERRORS as error:
                        # A page pypdf opened but cannot copy stays reserved with its
                        # caption; the packet as a whole is still worth having.
                        logger.warning(
                            "Page %s of attachment %s left empty: %r",
                            index,
                            attachment.attachment.pk,
                            error,
                        )
            report(70 + 25 * number // len(sections))
        output = io.BytesIO()
        writer.write(output)
        toc = _toc(sections, places)
    report(100)
    return PacketResult(pdf=output.getvalue(), pages=len(writer.pages), toc=toc)
