"""Files in the browser: upload from the paper's page, download and delete, per role."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minutes.models import Attachment
from minutes.services import attachments as services

from ..actors.factories import OrganisationFactory
from ..measures.factories import ResponsibilityFactory
from .factories import (
    ConsultationFactory,
    DepartmentFactory,
    MeetingFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def department_user(administration_user):
    ResponsibilityFactory(user=administration_user, organisation=DepartmentFactory())
    return administration_user


@pytest.fixture
def secret_file(coordinator, body):
    """A PDF of a non-public paper consulted in ``body``, named with umlauts."""
    paper = paper_of_department(is_public=False, title="Vertrauliche Personalsache")
    ConsultationFactory(paper=paper, body=body)
    upload = SimpleUploadedFile(
        "Stellenbeschreibung für Frau Möllenkamp.pdf", (FILES / "stellenprofil.pdf").read_bytes()
    )
    return services.attachment_add(by=coordinator, upload=upload, paper=paper)


def upload_url(paper):
    return reverse("minutes:attachment_upload", args=[paper.pk])


def upload_form(page):
    return next(form for form in page.forms.values() if form.action == upload_url(page.paper))


# --- Upload -----------------------------------------------------------------------------


def test_attachment_upload_from_the_paper_page(django_app, coordinator):
    paper = paper_of_department()
    page = django_app.get(paper.get_absolute_url(), user=coordinator)
    page.paper = paper
    form = upload_form(page)
    form["upload"] = ("stellenprofil.pdf", (FILES / "stellenprofil.pdf").read_bytes())
    form["name"] = "Stellenprofil (Entwurf)"

    page = form.submit().follow()

    attachment = Attachment.objects.get()
    assert attachment.paper == paper
    assert "Die Datei „Stellenprofil (Entwurf)“ wurde hinzugefügt." in page.text
    link = page.html.select_one(".paper-attachments a")
    assert link.get_text(strip=True) == "Stellenprofil (Entwurf)"
    assert link["href"] == reverse("minutes:attachment_download", args=[attachment.pk])


def test_attachment_upload_error_is_shown_on_the_paper_page_with_the_name_kept(
    django_app, coordinator
):
    paper = paper_of_department(title="Integration")
    page = django_app.get(paper.get_absolute_url(), user=coordinator)
    page.paper = paper
    form = upload_form(page)
    form["upload"] = ("anlage.pdf", (FILES / "html-as.pdf").read_bytes())
    form["name"] = "Meine Anlage"

    page = form.submit()

    assert page.status_code == 200
    assert "Die Datei ist kein PDF-Dokument." in page.text
    assert "Integration" in page.html.select_one("h1").text
    page.paper = paper
    assert upload_form(page)["name"].value == "Meine Anlage"
    assert not Attachment.objects.exists()


def test_attachment_upload_permissions(client, request, department_user):
    own = paper_of_department()
    foreign = paper_of_department(lead_department=OrganisationFactory(kind="administration"))
    data = {"upload": SimpleUploadedFile("a.png", (FILES / "pixel.png").read_bytes())}

    anonymous = client.post(upload_url(own), data)
    assert anonymous.status_code == 302
    assert reverse("login") in anonymous.url
    for role in ("user_without_role", "committee_member", "body_member"):
        client.force_login(request.getfixturevalue(role))
        data["upload"].seek(0)
        assert client.post(upload_url(own), data).status_code == 403, role
    client.force_login(department_user)
    data["upload"].seek(0)
    assert client.post(upload_url(foreign), data).status_code == 403
    assert client.get(upload_url(own)).status_code == 405
    data["upload"].seek(0)
    assert client.post(upload_url(own), data).status_code == 302
    assert Attachment.objects.get().paper == own


def test_paper_page_offers_upload_only_to_editors(client, department_user, committee_member):
    paper = paper_of_department()
    client.force_login(committee_member)
    assert upload_url(paper) not in client.get(paper.get_absolute_url()).content.decode()
    client.force_login(department_user)
    assert upload_url(paper) in client.get(paper.get_absolute_url()).content.decode()


# --- Download ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("body_member", 200),
        ("other_member", 404),
        ("committee_member", 404),
        ("administration_user", 404),
        ("user_without_role", 403),
    ],
)
def test_attachment_download_of_a_secret_paper_by_role(client, request, secret_file, role, status):
    client.force_login(request.getfixturevalue(role))

    response = client.get(secret_file.get_absolute_url())

    assert response.status_code == status
    if status == 404:
        assert "Vertrauliche Personalsache" not in response.content.decode()


def test_attachment_download_sends_anonymous_to_login(client, secret_file):
    response = client.get(secret_file.get_absolute_url())
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_attachment_download_headers(client, body_member, secret_file):
    client.force_login(body_member)

    response = client.get(secret_file.get_absolute_url())

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Stellenbeschreibung%20f%C3%BCr%20Frau%20M%C3%B6llenkamp.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == (FILES / "stellenprofil.pdf").read_bytes()


def test_attachment_download_of_meeting_files_follows_the_meeting(
    client, coordinator, body, body_member, other_member
):
    meeting = MeetingFactory(body=body)
    internal = services.attachment_add(
        by=coordinator,
        upload=SimpleUploadedFile("intern.png", (FILES / "pixel.png").read_bytes()),
        meeting=meeting,
    )
    public = services.attachment_add(
        by=coordinator,
        upload=SimpleUploadedFile("einladung.png", (FILES / "pixel.png").read_bytes()),
        meeting=meeting,
        is_public=True,
    )

    client.force_login(other_member)
    assert client.get(internal.get_absolute_url()).status_code == 404
    assert client.get(public.get_absolute_url()).status_code == 200
    client.force_login(body_member)
    assert client.get(internal.get_absolute_url()).status_code == 200


def test_attachment_download_of_a_missing_file_is_404(client, coordinator, secret_file):
    Path(secret_file.file.path).unlink()
    client.force_login(coordinator)
    assert client.get(secret_file.get_absolute_url()).status_code == 404


# --- Delete -----------------------------------------------------------------------------


def test_attachment_delete_by_role(client, request, secret_file, department_user):
    url = reverse("minutes:attachment_delete", args=[secret_file.pk])

    assert client.post(url).status_code == 302  # anonymous: to the login page
    for role, status in (
        ("user_without_role", 403),
        ("body_member", 403),
        ("other_member", 403),
    ):
        client.force_login(request.getfixturevalue(role))
        assert client.post(url).status_code == status, role
    foreign = paper_of_department(lead_department=OrganisationFactory(kind="administration"))
    ConsultationFactory(paper=foreign)
    other_file = services.attachment_add(
        by=request.getfixturevalue("coordinator"),
        upload=SimpleUploadedFile("a.png", (FILES / "pixel.png").read_bytes()),
        paper=foreign,
    )
    client.force_login(department_user)
    other_url = reverse("minutes:attachment_delete", args=[other_file.pk])
    assert client.post(other_url).status_code == 403
    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    assert response.url == f"{secret_file.paper.get_absolute_url()}#attachments"
    assert list(Attachment.objects.all()) == [other_file]
