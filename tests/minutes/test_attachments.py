"""Files of papers: checks of size, type and content, storage, deletion, text extraction."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minutes.models import Attachment
from minutes.services import attachments as services
from minutes.tasks import attachment_text_extract_task

from ..actors.factories import OrganisationFactory
from ..measures.factories import ResponsibilityFactory
from .factories import DepartmentFactory, MeetingFactory, paper_of_department

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(file_name: str, content: bytes | None = None, *, as_name: str | None = None):
    data = content if content is not None else (FILES / file_name).read_bytes()
    return SimpleUploadedFile(as_name or file_name, data)


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def add(by, file, **kwargs):
    kwargs.setdefault("paper", paper_of_department())
    return services.attachment_add(by=by, upload=file, **kwargs)


def test_attachment_add_stores_pdf_under_random_name(
    coordinator, media_root, django_capture_on_commit_callbacks
):
    content = (FILES / "stellenprofil.pdf").read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        attachment = add(coordinator, upload("stellenprofil.pdf"))

    attachment.refresh_from_db()
    assert (attachment.name, attachment.file_name) == ("stellenprofil.pdf", "stellenprofil.pdf")
    assert attachment.mime_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(media_root).resolve())
    assert not stored.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    assert "stellenprofil" not in attachment.file.name
    # 128 random bits in hex, no extension: nothing guessable from the name.
    assert len(stored.name) == 32
    assert stored.read_bytes() == content
    assert attachment.text == "Stellenprofil Integration Twistringen"
    assert attachment.text_extracted_at is not None


def test_attachment_add_keeps_a_given_name(coordinator):
    attachment = add(coordinator, upload("pixel.png"), name="  Lageplan  ")
    assert (attachment.name, attachment.file_name, attachment.mime_type) == (
        "Lageplan",
        "pixel.png",
        "image/png",
    )


@pytest.mark.parametrize(
    ("file_name", "as_name", "message"),
    [
        ("html-as.pdf", None, "Die Datei ist kein PDF-Dokument."),
        ("encrypted.pdf", None, "Das PDF ist verschlüsselt"),
        ("truncated.pdf", None, "Das PDF-Dokument kann nicht gelesen werden"),
        ("archive-as.docx", None, "Die Datei ist kein Word-Dokument (DOCX)."),
        ("stellenbeschreibung.docx", "tabelle.xlsx", "keine Excel-Arbeitsmappe"),
        ("pixel.png", "foto.jpg", "Die Datei ist kein JPEG-Bild."),
        ("stellenprofil.pdf", "bild.png", "Die Datei ist kein PNG-Bild."),
        ("html-as.pdf", "seite.html", "Dateien dieses Typs können nicht hochgeladen werden."),
        ("html-as.pdf", "logo.svg", "Dateien dieses Typs können nicht hochgeladen werden."),
        ("pixel.png", "setup.exe", "Dateien dieses Typs können nicht hochgeladen werden."),
        ("stellenprofil.pdf", "ohne-endung", "Dateien dieses Typs"),
    ],
)
def test_attachment_add_refuses_files_whose_content_does_not_match(
    coordinator, media_root, file_name, as_name, message
):
    with pytest.raises(ValidationError) as error:
        add(coordinator, upload(file_name, as_name=as_name))

    assert message in " ".join(error.value.message_dict["upload"])
    assert not Attachment.objects.exists()
    assert not [path for path in Path(media_root).rglob("*") if path.is_file()]


def test_attachment_add_checks_odt_mimetype(coordinator):
    assert add(coordinator, upload("bericht.odt", odt())).mime_type == (
        "application/vnd.oasis.opendocument.text"
    )
    with pytest.raises(ValidationError):
        add(coordinator, upload("tabelle.odt", odt(b"application/vnd.oasis.opendocument.sheet")))


def test_attachment_add_accepts_docx(coordinator):
    attachment = add(coordinator, upload("stellenbeschreibung.docx"))
    assert attachment.mime_type.endswith("wordprocessingml.document")


def test_attachment_add_refuses_too_large_and_empty_files(coordinator, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        add(coordinator, upload("stellenprofil.pdf"))
    assert error.value.message_dict["upload"] == [
        "Die Datei ist zu groß (618\xa0Bytes); erlaubt sind höchstens 100\xa0Bytes."
    ]
    with pytest.raises(ValidationError) as error:
        add(coordinator, upload("leer.pdf", b""))
    assert error.value.message_dict["upload"] == ["Die Datei ist leer."]


def test_attachment_add_follows_the_allowed_types_setting(coordinator, settings):
    settings.ATTACHMENT_TYPES = ["pdf"]
    with pytest.raises(ValidationError) as error:
        add(coordinator, upload("pixel.png"))
    assert "Erlaubt: PDF." in error.value.message_dict["upload"][0]


def test_attachment_add_strips_paths_from_the_original_name(coordinator):
    attachment = add(
        coordinator, upload("x", (FILES / "pixel.png").read_bytes(), as_name="a/b\\c.png")
    )
    assert attachment.file_name == "c.png"


def test_attachment_add_needs_the_papers_department(administration_user, committee_member):
    department = DepartmentFactory()
    ResponsibilityFactory(user=administration_user, organisation=department)
    own = paper_of_department(lead_department=department)
    foreign = paper_of_department(lead_department=OrganisationFactory(kind="administration"))

    assert add(administration_user, upload("pixel.png"), paper=own).paper == own
    with pytest.raises(ValidationError):
        add(administration_user, upload("pixel.png"), paper=foreign)
    with pytest.raises(ValidationError):
        add(committee_member, upload("pixel.png"), paper=own)


def test_attachment_add_to_a_meeting_needs_koordination(coordinator, administration_user):
    meeting = MeetingFactory()

    attachment = services.attachment_add(
        by=coordinator, upload=upload("pixel.png"), meeting=meeting, is_public=True
    )

    assert (attachment.meeting, attachment.is_public) == (meeting, True)
    with pytest.raises(ValidationError):
        services.attachment_add(by=administration_user, upload=upload("pixel.png"), meeting=meeting)


def test_attachment_delete_removes_the_file_after_commit(
    coordinator, django_capture_on_commit_callbacks
):
    attachment = add(coordinator, upload("pixel.png"))
    path = Path(attachment.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(by=coordinator, attachment=attachment)

    assert not Attachment.objects.exists()
    assert not path.exists()


def test_attachment_delete_needs_the_papers_department(administration_user, coordinator):
    ResponsibilityFactory(user=administration_user, organisation=DepartmentFactory())
    foreign = paper_of_department(lead_department=OrganisationFactory(kind="administration"))
    attachment = add(coordinator, upload("pixel.png"), paper=foreign)

    with pytest.raises(ValidationError):
        services.attachment_delete(by=administration_user, attachment=attachment)
    assert Attachment.objects.exists()


def test_attachment_text_extract_task_is_idempotent(coordinator):
    attachment = add(coordinator, upload("stellenprofil.pdf"))
    Attachment.objects.filter(pk=attachment.pk).update(text="", text_extracted_at=None)

    first = attachment_text_extract_task.apply(args=[attachment.pk]).get()
    Attachment.objects.filter(pk=attachment.pk).update(text="von Hand korrigiert")
    second = attachment_text_extract_task.apply(args=[attachment.pk]).get()

    attachment.refresh_from_db()
    assert (first, second) == (True, False)
    assert attachment.text == "von Hand korrigiert"


def test_attachment_text_extract_skips_other_types_and_missing_files(coordinator):
    image = add(coordinator, upload("pixel.png"))
    pdf = add(coordinator, upload("stellenprofil.pdf"))
    Attachment.objects.filter(pk=pdf.pk).update(text_extracted_at=None)
    Path(pdf.file.path).unlink()

    assert services.attachment_text_extract(attachment_id=image.pk) is False
    assert services.attachment_text_extract(attachment_id=pdf.pk) is False
    assert services.attachment_text_extract(attachment_id=999999) is False
