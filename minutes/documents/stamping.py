"""Reading attachments and placing their pages into the packet (pypdf).

The packet's WeasyPrint document reserves one page per attachment page (an
"attachment page" with the running header, a caption and an empty frame). Each
attachment page is then drawn into that frame as a Form XObject: its content
stream is reused as it is (no parsing, no renaming of resources, its own
resources kept apart), scaled down to fit when larger, rotated by its
``/Rotate``. The header and footer come from WeasyPrint and stay tagged
artefacts; the attachment's own content cannot join the packet's structure tree
and stays untagged.
"""

import io
import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from ..models import Attachment

logger = logging.getLogger(__name__)

PDF_MIME = "application/pdf"
MM = 72 / 25.4
# The bottom and right margins of ``@page attachment`` in documents-print.css,
# plus a little air so nothing touches the footer.
FRAME_BOTTOM_MM = 12 + 1
FRAME_RIGHT_MM = 10

# pypdf reports broken files through several exception types.
READ_ERRORS = (OSError, PyPdfError, ValueError, KeyError, TypeError, AttributeError)


@dataclass
class AttachmentPdf:
    """An attachment prepared for the packet: its readable pages (``landscape`` per
    page, as displayed) or the German reason why it is left out."""

    attachment: Attachment
    reader: PdfReader | None = None
    landscape: list[bool] = field(default_factory=list)
    problem: str = ""

    @property
    def page_count(self) -> int:
        return len(self.landscape)


def is_pdf(attachment: Attachment) -> bool:
    return attachment.mime_type == PDF_MIME


def _box(page: PageObject):
    box = page.cropbox if "/CropBox" in page else page.mediabox
    return float(box.left), float(box.bottom), float(box.width), float(box.height)


def attachment_read(attachment: Attachment) -> AttachmentPdf:
    """Open ``attachment`` (a PDF) with pypdf; an encrypted, broken, empty or
    missing file comes back with ``problem`` set instead of failing the packet."""
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return AttachmentPdf(
                attachment, problem=gettext("The PDF is encrypted and cannot be included.")
            )
        landscape = []
        for page in reader.pages:
            _left, _bottom, width, height = _box(page)
            turned = page.rotation // 90 % 2 == 1
            landscape.append((height < width) != turned)
    except READ_ERRORS as error:
        logger.warning("Attachment %s left out of a packet: %r", attachment.pk, error)
        return AttachmentPdf(
            attachment, problem=gettext("The PDF cannot be read and is not included.")
        )
    if not landscape:
        return AttachmentPdf(attachment, problem=gettext("The PDF has no pages."))
    return AttachmentPdf(attachment, reader=reader, landscape=landscape)


def _rotation(rotate: int, width: float, height: float) -> Transformation:
    """Turns box coordinates (origin 0, 0) the way a viewer shows a page with
    ``/Rotate`` (clockwise), keeping the result in the positive quadrant."""
    matrices = {
        0: (1, 0, 0, 1, 0, 0),
        90: (0, -1, 1, 0, 0, width),
        180: (-1, 0, 0, -1, width, height),
        270: (0, 1, -1, 0, height, 0),
    }
    return Transformation(ctm=matrices[rotate % 360])


def _form_xobject(writer: PdfWriter, source: PageObject):
    """``source`` as a Form XObject in ``writer`` (content and resources cloned)."""
    left, bottom, width, height = _box(source)
    contents = source.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if contents is None:
        data = b""
    elif isinstance(contents, ArrayObject):
        data = b"\n".join(part.get_object().get_data() for part in contents)
    else:
        data = contents.get_data()
    form = DecodedStreamObject()
    form.set_data(data)
    form = form.flate_encode()
    resources = source.get("/Resources")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                FloatObject(value) for value in (left, bottom, left + width, bottom + height)
            ),
            NameObject("/Resources"): resources.get_object().clone(writer)
            if resources is not None
            else DictionaryObject(),
        }
    )
    return writer._add_object(form)


def _append_content(writer: PdfWriter, page: PageObject, operations: bytes) -> None:
    """Append ``operations`` to ``page``'s content, after the page's own content
    (wrapped in q/Q so whatever state it leaves does not move the placement)."""
    current = page.get("/Contents")
    parts = []
    if current is not None:
        resolved = current.get_object()
        parts = list(resolved) if isinstance(resolved, ArrayObject) else [current]
    opening, closing = DecodedStreamObject(), DecodedStreamObject()
    opening.set_data(b"q\n")
    closing.set_data(b"\nQ\n" + operations)
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(opening), *parts, writer._add_object(closing)]
    )


def place_page(
    writer: PdfWriter, target: PageObject, source: PageObject, *, left: float, top: float
) -> None:
    """Draw ``source`` into ``target``'s frame whose top-left corner is ``left``, ``top``
    (PDF points, origin bottom-left): centred, top-aligned, scaled down to fit."""
    frame_right = float(target.mediabox.right) - FRAME_RIGHT_MM * MM
    frame_bottom = float(target.mediabox.bottom) + FRAME_BOTTOM_MM * MM
    frame_width, frame_height = frame_right - left, top - frame_bottom
    box_left, box_bottom, width, height = _box(source)
    rotate = source.rotation // 90 * 90 % 360
    shown_width, shown_height = (height, width) if rotate in (90, 270) else (width, height)
    scale = min(frame_width / shown_width, frame_height / shown_height, 1.0)
    x = left + (frame_width - shown_width * scale) / 2
    y = top - shown_height * scale
    matrix = (
        Transformation()
        .translate(-box_left, -box_bottom)
        .transform(_rotation(rotate, width, height))
        .scale(scale)
        .translate(x, y)
    )
    form = _form_xobject(writer, source)
    resources = target.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        target[NameObject("/Resources")] = resources
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    xobjects = xobjects.get_object()
    name = f"/Attachment{len(xobjects)}"
    xobjects[NameObject(name)] = form
    numbers = " ".join(f"{value:.6f}" for value in matrix.ctm)
    _append_content(writer, target, f"q {numbers} cm {name} Do Q\n".encode())
