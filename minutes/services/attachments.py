"""Files of papers and meetings: upload checks, storing, deleting, text extraction.

An upload is accepted only when its extension is allowed (``ATTACHMENT_TYPES``)
AND its content is what the extension claims: a PDF that pypdf can open and that
is not encrypted, a PNG or JPEG by its magic bytes, DOCX/XLSX/ODT as ZIP files
with the right content type or mimetype entry. HTML, SVG and executables are
never accepted, whatever their name. Files are stored under a random name below
MEDIA_ROOT (outside the web root) and only served by the permission-checked view.
"""

import hashlib
import io
import logging
import os
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.core.models import User

from ..models import Attachment, Meeting, Paper
from ..selectors.access import can_edit_paper
from .oparl import publication_watch

logger = logging.getLogger(__name__)

PDF_MIME = "application/pdf"
# Text beyond this many characters is not kept for the search.
TEXT_MAX_CHARS = 1_000_000
# Bytes read of a ZIP member that names the document's type.
ZIP_ENTRY_MAX_BYTES = 1_000_000


class _ContentMismatchError(Exception):
    """The content does not match the type: carries the German message."""


def _check_pdf(head: bytes, upload: UploadedFile) -> None:
    import pypdf
    from pypdf.errors import PyPdfError

    if not head.startswith(b"%PDF-"):
        raise _ContentMismatchError(_("The file is not a PDF document."))
    upload.seek(0)
    try:
        reader = pypdf.PdfReader(upload)
        if reader.is_encrypted:
            raise _ContentMismatchError(
                _(
                    "The PDF is encrypted or password-protected. Please upload it "
                    "without a password."
                )
            )
        len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        # pypdf reports a broken file through several exception types.
        raise _ContentMismatchError(
            _("The PDF document cannot be read; it may be damaged.")
        ) from error


def _check_magic(magic: bytes, message: str) -> Callable[[bytes, UploadedFile], None]:
    def check(head: bytes, upload: UploadedFile) -> None:
        if not head.startswith(magic):
            raise _ContentMismatchError(message)

    return check


def _zip_entry(upload: UploadedFile, name: str) -> bytes | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            try:
                with archive.open(name) as entry:
                    return entry.read(ZIP_ENTRY_MAX_BYTES)
            except KeyError:
                return None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None


def _check_ooxml(content_type: str, message: str) -> Callable[[bytes, UploadedFile], None]:
    def check(head: bytes, upload: UploadedFile) -> None:
        if not head.startswith(b"PK\x03\x04"):
            raise _ContentMismatchError(message)
        types = _zip_entry(upload, "[Content_Types].xml")
        # The exact main part type: macro-enabled variants (.docm, .xlsm) differ.
        if types is None or f'ContentType="{content_type}"'.encode() not in types:
            raise _ContentMismatchError(message)

    return check


def _check_odf(mimetype: str, message: str) -> Callable[[bytes, UploadedFile], None]:
    def check(head: bytes, upload: UploadedFile) -> None:
        if not head.startswith(b"PK\x03\x04") or _zip_entry(upload, "mimetype") != (
            mimetype.encode()
        ):
            raise _ContentMismatchError(message)

    return check


@dataclass(frozen=True)
class FileType:
    mime_type: str
    check: Callable[[bytes, UploadedFile], None]


def _file_types() -> dict[str, FileType]:
    not_docx = _("The file is not a Word document (DOCX).")
    not_xlsx = _("The file is not an Excel workbook (XLSX).")
    not_odt = _("The file is not an OpenDocument text (ODT).")
    jpeg = FileType("image/jpeg", _check_magic(b"\xff\xd8\xff", _("The file is not a JPEG image.")))
    return {
        "pdf": FileType(PDF_MIME, _check_pdf),
        "png": FileType(
            "image/png",
            _check_magic(b"\x89PNG\r\n\x1a\n", _("The file is not a PNG image.")),
        ),
        "jpg": jpeg,
        "jpeg": jpeg,
        "docx": FileType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _check_ooxml(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                not_docx,
            ),
        ),
        "xlsx": FileType(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _check_ooxml(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                not_xlsx,
            ),
        ),
        "odt": FileType(
            "application/vnd.oasis.opendocument.text",
            _check_odf("application/vnd.oasis.opendocument.text", not_odt),
        ),
    }


def allowed_extensions() -> list[str]:
    """The extensions accepted now: the settings' list, as far as a check exists."""
    known = _file_types()
    return [
        ext for ext in (e.lower().lstrip(".") for e in settings.ATTACHMENT_TYPES) if ext in known
    ]


def clean_file_name(name: str) -> str:
    """The original name without path, control characters or surrounding blanks."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:] or "datei"


def attachment_validate(upload: UploadedFile) -> str:
    """Check size, extension and content of ``upload``; return its MIME type.
    Raises a German ValidationError (at ``upload``) otherwise."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "upload": _("The file is too large (%(size)s); at most %(limit)s are allowed.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    extension = os.path.splitext(clean_file_name(upload.name))[1].lower().lstrip(".")
    allowed = allowed_extensions()
    if extension not in allowed:
        raise ValidationError(
            {
                "upload": _("Files of this type cannot be uploaded. Allowed: %(types)s.")
                % {"types": ", ".join(ext.upper() for ext in allowed)}
            }
        )
    file_type = _file_types()[extension]
    upload.seek(0)
    head = upload.read(16)
    try:
        file_type.check(head, upload)
    except _ContentMismatchError as error:
        raise ValidationError({"upload": str(error)}) from error
    finally:
        upload.seek(0)
    return file_type.mime_type


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_may_add(by: User, paper: Paper | None, meeting: Meeting | None) -> None:
    if (paper is None) == (meeting is None):
        raise ValueError("attachment_add needs exactly one of paper and meeting")
    allowed = (
        can_edit_paper(by, paper) and by.has_perm("minutes.add_attachment")
        if paper is not None
        else by.has_perm("minutes.change_meeting")
    )
    if not allowed:
        raise ValidationError(_("You may not add files here."))


@transaction.atomic
def attachment_add(
    *,
    by: User,
    upload: UploadedFile,
    paper: Paper | None = None,
    meeting: Meeting | None = None,
    name: str = "",
    is_public: bool = False,
) -> Attachment:
    """Store ``upload`` as a file of ``paper`` or ``meeting`` after checking it.

    A paper's files need ``can_edit_paper``, a meeting's ``minutes.change_meeting``.
    The name shown is ``name`` or the original file name; the stored name is random.
    The text of a PDF is extracted by a task after the commit."""
    _check_may_add(by, paper, meeting)
    mime_type = attachment_validate(upload)
    file_name = clean_file_name(upload.name)
    last = (paper or meeting).attachments.order_by("-position").first()
    attachment = Attachment(
        paper=paper,
        meeting=meeting,
        name=(name or "").strip()[:300] or file_name,
        file_name=file_name,
        mime_type=mime_type,
        size=upload.size,
        sha256=_sha256(upload),
        position=(last.position + 1) if last else 1,
        is_public=is_public if meeting is not None else False,
        uploaded_by=by,
    )
    # upload_to picks a random name; the original name is only kept in file_name.
    attachment.file.save(file_name, upload, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except BaseException:
        # No row, no file: a failed save must not leave an orphan in MEDIA_ROOT.
        attachment.file.delete(save=False)
        raise
    if mime_type == PDF_MIME:
        # Imported here: the tasks module imports this one.
        from ..tasks import attachment_text_extract_task

        attachment_text_extract_task.delay_on_commit(attachment.pk)
    return attachment


@transaction.atomic
def attachment_delete(*, by: User, attachment: Attachment) -> None:
    """Delete a file: a paper's with ``can_edit_paper``, a meeting's with
    ``minutes.change_meeting``. The stored file goes after the commit."""
    attachment = Attachment.objects.select_related("paper").get(pk=attachment.pk)
    allowed = (
        can_edit_paper(by, attachment.paper)
        if attachment.paper_id
        else by.has_perm("minutes.change_meeting")
    )
    if not allowed:
        raise ValidationError(_("You may not delete this file."))
    storage, name = attachment.file.storage, attachment.file.name
    with publication_watch():
        attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def attachment_text_extract(*, attachment_id: int) -> bool:
    """Fill ``Attachment.text`` from a PDF's pages (for the search). Idempotent:
    a file done before, or gone, or not a PDF, is skipped; returns whether text
    was extracted now."""
    import pypdf
    from pypdf.errors import PyPdfError

    attachment = Attachment.objects.filter(
        pk=attachment_id, mime_type=PDF_MIME, text_extracted_at__isnull=True
    ).first()
    if attachment is None:
        return False
    parts: list[str] = []
    length = 0
    try:
        with attachment.file.open("rb") as handle:
            reader = pypdf.PdfReader(io.BytesIO(handle.read()))
            for page in reader.pages:
                part = page.extract_text() or ""
                parts.append(part)
                length += len(part)
                if length >= TEXT_MAX_CHARS:
                    break
    except FileNotFoundError:
        logger.warning("Attachment %s: stored file is missing", attachment_id)
        return False
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        # A damaged page leaves the text empty; the file stays downloadable.
        logger.warning("Attachment %s: no text extracted: %s", attachment_id, error)
    text = "\n\n".join(part.strip() for part in parts if part.strip())[:TEXT_MAX_CHARS]
    # NUL bytes cannot be stored in PostgreSQL text columns.
    text = text.replace("\x00", "")
    Attachment.objects.filter(pk=attachment_id, text_extracted_at__isnull=True).update(
        text=text, text_extracted_at=timezone.now()
    )
    return True
