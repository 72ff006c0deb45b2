"""The committee documents as kinds of the document machinery: who may view which
variant, and request → compile → download through the document pages."""

import shutil
import subprocess

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from integration.documents import registry
from minutes.documents.kinds import INVITATION, MINUTES, PACKET, TASK_CONTROL
from minutes.models import Meeting

from .documents.conftest import SECRET_WORDS, pdf_attach
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "body_member", "other_member", "administration_user", "coordinator")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def users(body_member, other_member, administration_user, coordinator):
    return {
        "anonymous": AnonymousUser(),
        "body_member": body_member,
        "other_member": other_member,
        "administration_user": administration_user,
        "coordinator": coordinator,
    }


@pytest.fixture
def meeting(body):
    meeting = MeetingFactory(body=body, packet_published_at=timezone.now())
    AgendaItemFactory(
        meeting=meeting,
        title="Sprachkurse",
        paper=paper_of_department(title="Sprachkurse für Erwachsene"),
    )
    secret = paper_of_department(title="Geheimvorlage Personal", is_public=False)
    pdf_attach(secret, "Geheimanlage Stellenplan")
    AgendaItemFactory(meeting=meeting, title="Geheimsache Personal", paper=secret, is_public=False)
    return meeting


def can_view(key, user, subject, variant):
    return registry.kind_get(key).can_view(user, subject, variant)


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def test_kinds_are_registered_on_discovery():
    keys = {kind.key for kind in registry.kind_list()}
    assert {INVITATION, PACKET, MINUTES, TASK_CONTROL} <= keys
    for key in (INVITATION, PACKET, MINUTES, TASK_CONTROL):
        kind = registry.kind_get(key)
        assert kind.variants == ("public", "members")
        assert kind.public_variants == ("public",)


# Who may view the members' variant: the body's members and Koordination only.
MEMBERS_READERS = {"body_member", "coordinator"}


@pytest.mark.parametrize("key", [INVITATION, PACKET, MINUTES])
@pytest.mark.parametrize("role", ROLES)
def test_meeting_kinds_can_view_matrix_of_a_public_body(key, role, users, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status="published")
    meeting.refresh_from_db()
    user = users[role]
    assert can_view(key, user, meeting, "public") is True
    assert can_view(key, user, meeting, "members") is (role in MEMBERS_READERS)


@pytest.mark.parametrize("key", [INVITATION, PACKET, MINUTES])
@pytest.mark.parametrize("role", ROLES)
def test_meeting_kinds_of_a_nonpublic_body_have_no_public_variant(key, role, users, meeting):
    meeting.body.is_public = False
    meeting.body.save()
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status="published")
    meeting = Meeting.objects.get(pk=meeting.pk)
    user = users[role]
    assert can_view(key, user, meeting, "public") is False
    assert can_view(key, user, meeting, "members") is (role in MEMBERS_READERS)


@pytest.mark.parametrize("role", ROLES)
def test_packet_before_publishing_only_for_the_coordination(role, users, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(packet_published_at=None)
    meeting = Meeting.objects.get(pk=meeting.pk)
    user = users[role]
    for variant in ("public", "members"):
        assert can_view(PACKET, user, meeting, variant) is (role == "coordinator")
    # The invitation does not wait for the packet.
    assert can_view(INVITATION, user, meeting, "public") is True


@pytest.mark.parametrize("role", ROLES)
def test_public_minutes_only_once_published(role, users, meeting):
    user = users[role]
    for status in ("none", "draft", "approved"):
        Meeting.objects.filter(pk=meeting.pk).update(minutes_status=status)
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert can_view(MINUTES, user, meeting, "public") is False
        assert can_view(MINUTES, user, meeting, "members") is (role in MEMBERS_READERS)


@pytest.mark.parametrize("role", ROLES)
def test_task_control_can_view_matrix(role, users, body, other_body):
    user = users[role]
    assert can_view(TASK_CONTROL, user, body, "public") is True
    assert can_view(TASK_CONTROL, user, body, "members") is (role in MEMBERS_READERS)
    hidden = BodyFactory(is_public=False)
    assert can_view(TASK_CONTROL, user, hidden, "public") is False
    assert can_view(TASK_CONTROL, user, hidden, "members") is (role == "coordinator")


def _request_and_download(django_app, url_kwargs, user, capture):
    detail = reverse("documents:document_detail", kwargs=url_kwargs)
    page = django_app.get(detail, user=user)
    [form] = [f for f in page.forms.values() if f.action.endswith("/request/")]
    with capture(execute=True):
        response = form.submit()
    page = response.follow()
    assert "Das PDF ist fertig." in page.text
    download = page.click("Herunterladen")
    assert download.content_type == "application/pdf"
    return download


def test_members_packet_request_compile_download_holds_every_item(
    django_app, body_member, meeting, django_capture_on_commit_callbacks
):
    kwargs = {"kind": PACKET, "subject": str(meeting.pk), "variant": "members"}
    download = _request_and_download(
        django_app, kwargs, body_member, django_capture_on_commit_callbacks
    )
    assert "sitzungsmappe-" in download.headers["Content-Disposition"]
    assert "-mitglieder.pdf" in download.headers["Content-Disposition"]
    text = pdf_text(download.body)
    for words in ("Sprachkurse für Erwachsene", "Geheimvorlage Personal", "Geheimanlage"):
        assert words in text


def test_public_packet_for_anonymous_has_no_nonpublic_word(
    django_app, meeting, django_capture_on_commit_callbacks
):
    kwargs = {"kind": PACKET, "subject": str(meeting.pk), "variant": "public"}
    download = _request_and_download(django_app, kwargs, None, django_capture_on_commit_callbacks)
    text = pdf_text(download.body)
    assert "Sprachkurse für Erwachsene" in text
    for word in SECRET_WORDS:
        assert word not in text


def test_members_packet_is_404_for_other_members_and_login_for_anonymous(
    django_app, other_member, administration_user, meeting
):
    kwargs = {"kind": PACKET, "subject": str(meeting.pk), "variant": "members"}
    url = reverse("documents:document_detail", kwargs=kwargs)
    for user in (other_member, administration_user):
        assert django_app.get(url, user=user, status=404).status_code == 404
    django_app.reset()
    assert django_app.get(url).status_code == 302


@pytest.mark.parametrize("key", [INVITATION, MINUTES])
def test_invitation_and_minutes_compile_for_members(
    key, django_app, body_member, meeting, django_capture_on_commit_callbacks
):
    kwargs = {"kind": key, "subject": str(meeting.pk), "variant": "members"}
    download = _request_and_download(
        django_app, kwargs, body_member, django_capture_on_commit_callbacks
    )
    assert "Geheimsache Personal" in pdf_text(download.body)


def test_task_control_public_shows_only_tasks_of_published_minutes(
    django_app, body, body_member, django_capture_on_commit_callbacks
):
    published = MeetingFactory(body=body, minutes_status="published")
    draft = MeetingFactory(body=body, minutes_status="draft")
    FollowUpTaskFactory(
        agenda_item=AgendaItemFactory(meeting=published), title="Kursangebot erweitern"
    )
    FollowUpTaskFactory(agenda_item=AgendaItemFactory(meeting=draft), title="Geheimsache prüfen")
    public = _request_and_download(
        django_app,
        {"kind": TASK_CONTROL, "subject": str(body.pk), "variant": "public"},
        None,
        django_capture_on_commit_callbacks,
    )
    text = pdf_text(public.body)
    assert "Kursangebot erweitern" in text
    assert "Geheimsache" not in text
    members = _request_and_download(
        django_app,
        {"kind": TASK_CONTROL, "subject": str(body.pk), "variant": "members"},
        body_member,
        django_capture_on_commit_callbacks,
    )
    text = pdf_text(members.body)
    assert "Kursangebot erweitern" in text
    assert "Geheimsache prüfen" in text


def test_public_fingerprint_ignores_nonpublic_changes(meeting):
    from integration.documents.services import fingerprint_compute

    kind = registry.kind_get(PACKET)
    public = fingerprint_compute(kind=kind, subject=meeting, variant="public")
    members = fingerprint_compute(kind=kind, subject=meeting, variant="members")
    secret = meeting.agenda_items.get(is_public=False)
    secret.title = "Geheimsache Personal, geändert"
    secret.save()
    assert fingerprint_compute(kind=kind, subject=meeting, variant="public") == public
    assert fingerprint_compute(kind=kind, subject=meeting, variant="members") != members
