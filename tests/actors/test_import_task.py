"""The background import: ImportBatch states, the task, the sweep, and one real worker."""

import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actors.models import ImportBatch, Person
from actors.services import import_rows, network, transfer
from actors.tasks import import_run_task, import_sweep_task
from integration.celery import app

from ..core.factories import UserFactory
from .helpers import create_sample_network
from .test_importing import AMINA, csv_bytes, row

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(user, data=None, **fields) -> ImportBatch:
    batch = transfer.import_upload_store(
        by=user, data=data or csv_bytes([AMINA]), file_name="liste.csv"
    )
    if fields:
        ImportBatch.objects.filter(pk=batch.pk).update(**fields)
        batch.refresh_from_db()
    return batch


def enqueue(batch, *, skip_invalid=False, digest=None, capture) -> ImportBatch:
    """Queue the batch and run what the commit would run (the task, eagerly)."""
    with capture(execute=True):
        transfer.import_enqueue(
            by=batch.uploaded_by, batch=batch, skip_invalid=skip_invalid, expected_digest=digest
        )
    batch.refresh_from_db()
    return batch


def refuse(*args, **kwargs):
    raise ValidationError("Datenbank sagt nein")


def test_import_enqueue_twice_queues_one_task(
    network_setup, coordinator, django_capture_on_commit_callbacks
):
    batch = stored(coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        transfer.import_enqueue(by=coordinator, batch=batch, skip_invalid=False)
        with pytest.raises(ValidationError, match="bereits gestartet") as refused:
            transfer.import_enqueue(by=coordinator, batch=batch, skip_invalid=False)
    assert refused.value.code == "started"
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.queued_at is not None) == (Status.QUEUED, True)


def test_import_enqueue_refuses_another_users_batch(network_setup, coordinator):
    batch = stored(coordinator)
    with pytest.raises(PermissionDenied):
        transfer.import_enqueue(by=UserFactory(), batch=batch, skip_invalid=False)
    batch.refresh_from_db()
    assert batch.status == Status.UPLOADED


def test_import_run_imports_once_and_deletes_the_file(
    network_setup, coordinator, media_root, django_capture_on_commit_callbacks
):
    batch = enqueue(stored(coordinator), capture=django_capture_on_commit_callbacks)
    assert batch.status == Status.DONE
    assert (batch.rows_total, batch.rows_done, batch.people_created) == (1, 1, 1)
    assert batch.organisations_created == 1
    assert batch.started_at <= batch.finished_at
    assert batch.file_path == ""
    assert list((media_root / "imports").iterdir()) == []
    # A second delivery of the task finds the batch done and does nothing.
    assert import_run_task.apply(args=[batch.pk]).result == Status.DONE
    assert Person.objects.count() == 1
    assert Person.objects.get().history.first().history_user == coordinator


def test_import_run_leaves_a_fresh_running_batch_alone(network_setup, coordinator):
    batch = stored(coordinator, status=Status.RUNNING, started_at=timezone.now())
    assert import_run_task.apply(args=[batch.pk]).result == Status.RUNNING
    assert not Person.objects.exists()


def test_import_run_takes_up_a_batch_left_running_by_a_dead_worker(network_setup, coordinator):
    long_ago = timezone.now() - timedelta(seconds=transfer.IMPORT_TIME_LIMIT_SECONDS + 60)
    batch = stored(coordinator, status=Status.RUNNING, started_at=long_ago)
    assert import_run_task.apply(args=[batch.pk]).result == Status.DONE
    assert Person.objects.count() == 1


def test_import_run_ignores_batches_not_queued(network_setup, coordinator):
    batch = stored(coordinator)
    assert import_run_task.apply(args=[batch.pk]).result == Status.UPLOADED
    assert not Person.objects.exists()


def test_import_failure_imports_nothing_and_retry_works(
    network_setup, coordinator, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    data = csv_bytes([AMINA, row(last_name="Meyer", email="meyer@mail.example")])
    batch = stored(coordinator, data)
    original = network.person_create
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs["last_name"])
        if len(calls) == 2:
            raise ValidationError("Datenbank sagt nein")
        return original(**kwargs)

    monkeypatch.setattr(network, "person_create", fail_on_second)
    batch = enqueue(batch, capture=django_capture_on_commit_callbacks)
    assert batch.status == Status.FAILED
    assert batch.error == "Zeile 3: Datenbank sagt nein"
    assert not Person.objects.exists()
    assert batch.file_path  # kept for the retry
    with pytest.raises(ValidationError, match="bereits gestartet"):
        transfer.import_enqueue(by=coordinator, batch=batch, skip_invalid=False)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        transfer.import_retry(by=coordinator, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.error, batch.people_created) == (Status.DONE, "", 2)
    assert Person.objects.count() == 2
    with pytest.raises(ValidationError, match="Nur ein fehlgeschlagener Import"):
        transfer.import_retry(by=coordinator, batch=batch)


def test_import_unexpected_error_fails_the_batch_and_is_reported(
    network_setup, coordinator, monkeypatch
):
    batch = stored(coordinator, status=Status.QUEUED, queued_at=timezone.now())

    def crash(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(network, "person_create", crash)
    with pytest.raises(RuntimeError):
        transfer.import_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert batch.error.startswith("Der Import wurde wegen eines unerwarteten Fehlers abgebrochen")
    assert not Person.objects.exists()


def test_import_run_refuses_a_stale_preview(
    network_setup, coordinator, django_capture_on_commit_callbacks
):
    batch = stored(coordinator)
    digest = import_rows.import_plan(data=csv_bytes([AMINA])).digest
    Person.objects.create(last_name="Haddad", email="amina.haddad@mail.example")
    batch = enqueue(batch, digest=digest, capture=django_capture_on_commit_callbacks)
    assert batch.status == Status.FAILED
    assert "seit der Vorschau geändert" in batch.error
    assert Person.objects.count() == 1


def test_import_run_fails_when_the_file_is_gone(network_setup, coordinator, media_root):
    batch = stored(coordinator, status=Status.QUEUED, queued_at=timezone.now())
    (media_root / batch.file_path).unlink()
    assert transfer.import_run(batch_id=batch.pk).status == Status.FAILED
    batch.refresh_from_db()
    assert "nicht mehr vorhanden" in batch.error


def test_import_progress_is_visible_while_the_transaction_runs(
    network_setup, coordinator, monkeypatch
):
    rows = [row(last_name=f"Meyer {number}") for number in range(5)]
    batch = stored(coordinator, csv_bytes(rows), status=Status.QUEUED, queued_at=timezone.now())
    monkeypatch.setattr(import_rows, "PROGRESS_EVERY", 2)
    seen = []
    original = network.person_create

    def look(**kwargs):
        # What the status page reads: the committed row and the cache.
        current = ImportBatch.objects.get(pk=batch.pk)
        seen.append((current.status, transfer.import_progress(batch=current)["rows_done"]))
        return original(**kwargs)

    monkeypatch.setattr(network, "person_create", look)
    transfer.import_run(batch_id=batch.pk)
    assert seen == [(Status.RUNNING, done) for done in (0, 0, 2, 2, 4)]
    batch.refresh_from_db()
    assert transfer.import_progress(batch=batch) == {
        "percent": 100,
        "rows_done": 5,
        "rows_total": 5,
    }


def test_import_sweep_sends_batches_stuck_in_queued(network_setup, coordinator):
    fresh = stored(coordinator, status=Status.QUEUED, queued_at=timezone.now())
    stuck = stored(
        coordinator,
        csv_bytes([row(last_name="Meyer")]),
        status=Status.QUEUED,
        queued_at=timezone.now() - timedelta(minutes=10),
    )
    assert import_sweep_task.apply().result == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == (Status.DONE, Status.QUEUED)
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Meyer"]
    assert import_sweep_task.apply().result == 0


def test_import_sweep_sends_a_waiting_batch_once_per_interval(
    network_setup, coordinator, monkeypatch
):
    sent = []
    monkeypatch.setattr(import_run_task, "delay", sent.append)
    with time_machine.travel(timezone.now() - timedelta(minutes=10)):
        batch = stored(coordinator, status=Status.QUEUED, queued_at=timezone.now())
    assert transfer.import_sweep() == 1
    assert transfer.import_sweep() == 0
    assert sent == [batch.pk]


def test_upload_store_removes_stale_uploads_but_not_queued_ones(coordinator, media_root):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        old = stored(coordinator)
        waiting = stored(coordinator, status=Status.QUEUED, queued_at=timezone.now())
    for batch in (old, waiting):
        path = media_root / batch.file_path
        past = time.time() - 3 * 24 * 60 * 60
        os.utime(path, (past, past))
    stored(coordinator)
    assert not ImportBatch.objects.filter(pk=old.pk).exists()
    assert not (media_root / old.file_path).exists()
    assert (media_root / waiting.file_path).exists()


# ---------------------------------------------------------------------------
# A real worker through Redis


@pytest.fixture
def real_broker(redis_url):
    """Switch the app from eager mode to Redis for one test, and back."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    # The backend is cached on first use; drop it so the new URL is taken.
    app._local.__dict__.pop("backend", None)
    yield
    app.conf.update(saved)
    app._local.__dict__.pop("backend", None)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_import_runs_on_a_real_worker_through_redis(real_broker, coordinator):
    from celery.contrib.testing.worker import start_worker

    create_sample_network()
    batch = stored(coordinator, csv_bytes([AMINA, row(last_name="Meyer")]))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # Committed at once (no test transaction): the task goes to Redis on commit.
        transfer.import_enqueue(by=coordinator, batch=batch, skip_invalid=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if batch.is_finished:
                break
            time.sleep(0.2)
    assert (batch.status, batch.error) == (Status.DONE, "")
    assert batch.people_created == 2
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Haddad", "Meyer"]


def test_import_sweep_removes_abandoned_uploads(coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    batch = transfer.import_upload_store(
        by=coordinator, data=b"Nachname\nMeyer\n", file_name="a.csv"
    )
    path = tmp_path / "imports" / str(batch.uuid)
    assert path.exists()
    transfer.import_sweep()
    assert path.exists()  # fresh uploads stay
    old = time.time() - transfer.UPLOAD_MAX_AGE_SECONDS - 60
    os.utime(path, (old, old))
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(seconds=transfer.UPLOAD_MAX_AGE_SECONDS + 60)
    )
    transfer.import_sweep()
    assert not path.exists()
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
