"""The machinery: request, compile, reuse, failure, retry, claims, the sweep."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from integration.documents import services
from integration.documents.models import Document
from integration.documents.registry import DocumentError
from integration.documents.selectors import document_changed_since_download

from ..core.factories import UserFactory
from .conftest import CALLS, NOTES

pytestmark = pytest.mark.django_db


def request(user, subject="a", variant="internal", capture=None):
    if capture is None:
        return services.document_request(
            kind="tests.note", subject=subject, variant=variant, by=user
        )
    with capture(execute=True):
        document = services.document_request(
            kind="tests.note", subject=subject, variant=variant, by=user
        )
    document.refresh_from_db()
    return document


def test_document_request_compiles_once_and_stores_the_file(
    note_kind, coordinator, django_capture_on_commit_callbacks, media_root
):
    document = request(coordinator, capture=django_capture_on_commit_callbacks)

    assert document.status == Document.Status.READY
    assert document.pages == 3
    assert document.progress == 100
    assert document.attempts == 1
    assert document.requested_by == coordinator
    path = services.document_path(document)
    assert path.read_bytes().startswith(b"%PDF")
    assert document.size == path.stat().st_size
    # A random name below the documents folder: nothing guessable about the subject.
    assert path.parent == Path(media_root) / "documents"
    assert len(path.stem) == 32
    assert CALLS["renders"] == [("a", "internal")]
    assert CALLS["notified"] == [document.pk]


def test_document_request_with_unchanged_content_reuses_the_stored_document(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    first = request(coordinator, capture=django_capture_on_commit_callbacks)
    second = request(coordinator, capture=django_capture_on_commit_callbacks)

    assert second.pk == first.pk
    assert len(CALLS["renders"]) == 1
    assert Document.objects.count() == 1


def test_document_request_after_a_change_compiles_a_new_fingerprint(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    first = request(coordinator, capture=django_capture_on_commit_callbacks)
    NOTES["a"]["text"] = "Zweite Fassung"
    NOTES["a"]["pages"] = 5

    second = request(coordinator, capture=django_capture_on_commit_callbacks)

    assert second.pk != first.pk
    assert second.fingerprint != first.fingerprint
    assert second.pages == 5
    assert len(CALLS["renders"]) == 2


def test_document_request_variants_are_separate_documents(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    internal = request(coordinator, capture=django_capture_on_commit_callbacks)
    public = request(coordinator, variant="public", capture=django_capture_on_commit_callbacks)
    assert internal.fingerprint != public.fingerprint
    assert CALLS["renders"] == [("a", "internal"), ("a", "public")]


def test_two_requests_at_once_create_one_row_and_enqueue_one_compile(
    note_kind, coordinator, committee_member, django_capture_on_commit_callbacks, monkeypatch
):
    # Both requests look before either inserts: the second finds nothing, and only
    # the unique constraint stands between it and a second row.
    monkeypatch.setattr(services, "document_current", lambda **kwargs: None)
    with django_capture_on_commit_callbacks() as callbacks:
        first = request(coordinator)
        second = request(committee_member)
    assert first.pk == second.pk
    assert Document.objects.count() == 1
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(CALLS["renders"]) == 1


def test_document_request_refuses_who_may_not_request(note_kind, user_without_role):
    with pytest.raises(PermissionDenied):
        request(user_without_role)
    assert not Document.objects.exists()


def test_document_compile_twice_is_harmless(note_kind, coordinator):
    document = request(coordinator)  # queued: the on-commit enqueue never ran
    assert document.status == Document.Status.QUEUED

    services.document_compile(document_id=document.pk)
    services.document_compile(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert len(CALLS["renders"]) == 1
    assert len(list((services.document_path(document)).parent.iterdir())) == 1


def test_document_compile_failure_is_recorded_with_the_reason_and_can_be_retried(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    def fail(subject, variant):
        raise DocumentError("Die Anlage „Haushalt.pdf“ ist beschädigt.")

    CALLS["hook"] = fail
    document = request(coordinator, capture=django_capture_on_commit_callbacks)

    assert document.status == Document.Status.FAILED
    assert document.error == "Die Anlage „Haushalt.pdf“ ist beschädigt."
    assert not document.file
    # A new request of the same content does not compile again by itself.
    assert request(coordinator, capture=django_capture_on_commit_callbacks).pk == document.pk
    assert len(CALLS["renders"]) == 1

    CALLS["hook"] = None
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(document=document, by=coordinator)
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.error == ""


def test_document_compile_unexpected_error_fails_with_a_german_reason(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    def crash(subject, variant):
        raise KeyError("bug")

    CALLS["hook"] = crash
    document = request(coordinator, capture=django_capture_on_commit_callbacks)
    assert document.status == Document.Status.FAILED
    assert "unerwarteten Fehlers (KeyError)" in document.error


def test_document_retry_only_for_failed_documents_and_allowed_users(
    note_kind, coordinator, user_without_role, django_capture_on_commit_callbacks
):
    document = request(coordinator, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.document_retry(document=document, by=coordinator)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.FAILED, file="")
    with pytest.raises(PermissionDenied):
        services.document_retry(document=document, by=user_without_role)


def test_half_written_file_is_never_served(
    note_kind, coordinator, django_capture_on_commit_callbacks, monkeypatch, media_root
):
    def crash_during_rename(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(services.os, "replace", crash_during_rename)
    document = request(coordinator, capture=django_capture_on_commit_callbacks)

    assert document.status == Document.Status.FAILED
    assert not document.file
    # Neither the partial file nor a final one is left behind.
    assert list((Path(media_root) / "documents").iterdir()) == []


def test_crashed_worker_leaves_rendering_and_the_sweep_compiles_it_again(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    document = request(coordinator)
    # A worker claimed it and died: "rendering" since long before the timeout.
    long_ago = timezone.now() - services.rendering_timeout() - timedelta(minutes=1)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, rendering_since=long_ago, attempts=1
    )

    result = services.documents_sweep()

    document.refresh_from_db()
    assert result["enqueued"] == 1
    assert document.status == Document.Status.READY
    assert document.attempts == 2


def test_a_fresh_rendering_claim_is_left_alone(note_kind, coordinator):
    document = request(coordinator)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, rendering_since=timezone.now()
    )
    services.document_compile(document_id=document.pk)
    assert services.documents_sweep()["enqueued"] == 0
    assert CALLS["renders"] == []


def test_sweep_gives_up_after_too_many_interrupted_compiles(note_kind, coordinator):
    document = request(coordinator)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING,
        rendering_since=timezone.now() - timedelta(days=1),
        attempts=services.MAX_ATTEMPTS,
    )
    services.documents_sweep()
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error == "Die Erstellung des Dokuments wurde zu oft abgebrochen."


def test_sweep_enqueues_rows_whose_task_was_lost(note_kind, coordinator):
    document = request(coordinator)
    Document.objects.filter(pk=document.pk).update(
        queued_at=timezone.now() - services.ENQUEUE_STALE - timedelta(seconds=1)
    )
    assert services.documents_sweep()["enqueued"] == 1
    document.refresh_from_db()
    assert document.status == Document.Status.READY


def test_sweep_removes_superseded_documents_after_a_day(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    old = request(coordinator, capture=django_capture_on_commit_callbacks)
    NOTES["a"]["text"] = "Neu"
    new = request(coordinator, capture=django_capture_on_commit_callbacks)
    old_path = services.document_path(old)

    assert services.documents_sweep()["removed"] == 0  # still within the day
    Document.objects.filter(pk=old.pk).update(rendered_at=timezone.now() - timedelta(days=2))
    assert services.documents_sweep()["removed"] == 1

    assert not Document.objects.filter(pk=old.pk).exists()
    assert not old_path.exists()
    assert services.document_path(new).exists()


def test_subject_gone_before_the_compile_fails_with_reason(note_kind, coordinator):
    document = request(coordinator)
    del NOTES["a"]
    services.document_compile(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error == "Der Gegenstand des Dokuments existiert nicht mehr."


def test_changed_since_download(note_kind, coordinator, django_capture_on_commit_callbacks):
    document = request(coordinator, capture=django_capture_on_commit_callbacks)
    args = {"user": coordinator, "kind": note_kind, "subject": "a", "variant": "internal"}
    assert not document_changed_since_download(**args)  # never downloaded

    services.document_download_record(user=coordinator, document=document)
    assert not document_changed_since_download(**args)

    NOTES["a"]["text"] = "Geändert"
    assert document_changed_since_download(**args)
    other = UserFactory()
    assert not document_changed_since_download(**(args | {"user": other}))
