"""The portal's file download, per role: the same response as the staff download."""

import pytest
from django.urls import reverse

from .conftest import without_csrf

pytestmark = pytest.mark.django_db


def file_url(attachment):
    return reverse("portal:file_download", args=[attachment.pk])


def test_anonymous_downloads_a_public_file(django_app, town):
    response = django_app.get(file_url(town.public_file))

    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="umfrage.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    assert response.body.startswith(b"%PDF")
    assert django_app.get(file_url(town.public_meeting_file)).body.startswith(b"%PDF")


def test_nonpublic_files_answer_like_unknown_ones(django_app, town):
    unknown = django_app.get(reverse("portal:file_download", args=[987654]), status=404)
    for attachment in (town.secret_file, town.secret_meeting_file):
        hidden = django_app.get(file_url(attachment), status=404)
        assert hidden.text == unknown.text
        assert "bewerber" not in hidden.text
        assert "tischvorlage" not in hidden.text


@pytest.mark.parametrize(
    ("role", "paper_file", "meeting_file"),
    [
        ("body_member", 200, 200),
        ("coordinator", 200, 200),
        ("department_user", 200, 404),
        ("administration_user", 404, 404),
        ("other_member", 404, 404),
    ],
)
def test_nonpublic_files_per_role(django_app, town, request, role, paper_file, meeting_file):
    user = request.getfixturevalue(role)
    unknown = django_app.get(reverse("portal:file_download", args=[987654]), user=user, status=404)

    for attachment, status in (
        (town.secret_file, paper_file),
        (town.secret_meeting_file, meeting_file),
    ):
        response = django_app.get(file_url(attachment), user=user, status=status)
        if status == 200:
            assert response.headers["Content-Disposition"].startswith("attachment;")
        else:
            assert without_csrf(response.text) == without_csrf(unknown.text)


def test_download_is_get_only(client, town):
    assert client.post(file_url(town.public_file)).status_code == 405
