"""Importing organisations and people from a file, in the background.

An upload is stored as ``MEDIA_ROOT/imports/<uuid>`` (outside the web root) with
an ``ImportBatch`` row; the session keeps the batch's uuid, and the file stays
until it is imported or discarded, so a user who fixes errors can look at the
preview again. Confirming only queues the batch (``import_enqueue``); the task
calls ``import_run``, which checks the file again and imports it in one
transaction, reporting progress through the cache for the page that polls.
"""

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integration.core.models import User

from .. import importing
from ..models import ImportBatch
from . import import_rows
from .import_rows import import_apply

# Uploads nobody imported or discarded are removed after this long.
UPLOAD_MAX_AGE_SECONDS = 2 * 24 * 60 * 60
# The import task's hard time limit (actors.tasks); a batch ``running`` for longer
# was left by a worker that died, and may be taken up again.
IMPORT_TIME_LIMIT_SECONDS = 20 * 60
# A batch ``queued`` for longer lost its task (broker down at commit, worker
# lost): the sweep sends it again.
QUEUED_STALE_SECONDS = 5 * 60


# ---------------------------------------------------------------------------
# The stored upload


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _upload_path(batch: ImportBatch) -> Path | None:
    # Built from the uuid, never from user input; empty once the file is deleted.
    return _upload_dir() / str(batch.uuid) if batch.file_path else None


def _uploads_clean() -> None:
    # Uploads hold personal data: none is kept longer than needed to import it.
    if not _upload_dir().is_dir():
        return
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    busy = {
        str(uuid)
        for uuid in ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING]
        ).values_list("uuid", flat=True)
    }
    for stale in _upload_dir().iterdir():
        if stale.is_file() and stale.stat().st_mtime < cutoff and stale.name not in busy:
            stale.unlink(missing_ok=True)
    ImportBatch.objects.filter(
        status=ImportBatch.Status.UPLOADED,
        created_at__lt=timezone.now() - timedelta(seconds=UPLOAD_MAX_AGE_SECONDS),
    ).delete()


def import_upload_store(*, by: User, data: bytes, file_name: str) -> ImportBatch:
    """Store an uploaded file as a new batch of ``by``; removes stale uploads on the way."""
    _upload_dir().mkdir(parents=True, exist_ok=True)
    _uploads_clean()
    batch = ImportBatch(uploaded_by=by, file_name=Path(file_name).name[:200] or "import")
    batch.file_path = f"imports/{batch.uuid}"
    batch.full_clean()
    _upload_path(batch).write_bytes(data)
    batch.save()
    return batch


def import_upload_load(*, batch: ImportBatch) -> bytes | None:
    """The batch's stored file, or None when it is gone (imported, discarded or expired)."""
    path = _upload_path(batch)
    try:
        return path.read_bytes() if path else None
    except FileNotFoundError:
        return None


def _upload_delete(batch: ImportBatch) -> None:
    path = _upload_path(batch)
    if path:
        path.unlink(missing_ok=True)
    ImportBatch.objects.filter(pk=batch.pk).update(file_path="")
    batch.file_path = ""


@transaction.atomic
def import_batch_discard(*, by: User, batch: ImportBatch) -> None:
    """Delete a batch not imported (uploaded or failed) with its file; others are kept."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_owner(by, batch)
    if batch.status in {ImportBatch.Status.UPLOADED, ImportBatch.Status.FAILED}:
        _upload_delete(batch)
        batch.delete()


def import_batches_visible_to(*, user: User) -> QuerySet[ImportBatch]:
    """The batches ``user`` may see: those they uploaded, nobody else's."""
    return ImportBatch.objects.filter(uploaded_by=user)


# ---------------------------------------------------------------------------
# The batch: queue, run, fail, sweep


def _check_owner(by: User, batch: ImportBatch) -> None:
    if batch.uploaded_by_id != by.pk:
        raise PermissionDenied


def _send(batch_id: int) -> None:
    # actors.tasks imports this module; imported here to avoid the cycle.
    from ..tasks import import_run_task

    # Robust: with the broker down the confirm still succeeds, the batch stays
    # queued and import_sweep sends it later (STYLE §5).
    transaction.on_commit(lambda: import_run_task.delay(batch_id), robust=True)


def _queue(batch: ImportBatch) -> ImportBatch:
    batch.status = ImportBatch.Status.QUEUED
    batch.queued_at = timezone.now()
    batch.started_at = batch.finished_at = None
    batch.error = ""
    batch.rows_done = 0
    batch.save()
    _send(batch.pk)
    return batch


@transaction.atomic
def import_enqueue(
    *, by: User, batch: ImportBatch, skip_invalid: bool, expected_digest: str | None = None
) -> ImportBatch:
    """Queue an uploaded batch of ``by`` for the import task, once.

    Only an ``uploaded`` batch is queued: a second click finds it queued and is
    refused. ``expected_digest`` is the preview's fingerprint; the run refuses
    the import when the checked file would now do something else.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_owner(by, batch)
    if batch.status != ImportBatch.Status.UPLOADED:
        raise ValidationError(_("This import was already started."), code="started")
    data = import_upload_load(batch=batch)
    if data is None:
        raise ValidationError(
            _("The uploaded file is no longer there. Please upload it again."), code="gone"
        )
    _refuse_rows_with_errors(data=data, skip_invalid=skip_invalid)
    batch.skip_invalid = skip_invalid
    batch.digest = expected_digest or ""
    return _queue(batch)


def _refuse_rows_with_errors(*, data: bytes, skip_invalid: bool) -> None:
    # Said at once on the preview, rather than as a failed import a moment later.
    if skip_invalid:
        return
    try:
        plan = import_rows.import_plan(data=data)
    except importing.ImportFileError as error:
        raise ValidationError(error.message, code="file") from None
    if plan.error_rows:
        raise ValidationError(
            _(
                "%(count)s rows have errors. Correct the file and upload it again, or choose "
                "to import only the valid rows."
            )
            % {"count": len(plan.error_rows)},
            code="errors",
        )


@transaction.atomic
def import_retry(
    *,
    by: User,
    batch: ImportBatch,
    skip_invalid: bool | None = None,
    expected_digest: str | None = None,
) -> ImportBatch:
    """Queue a failed batch of ``by`` again; from the preview with new choices and digest."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_owner(by, batch)
    if batch.status != ImportBatch.Status.FAILED:
        raise ValidationError(_("Only a failed import can be tried again."), code="started")
    if import_upload_load(batch=batch) is None:
        raise ValidationError(
            _("The uploaded file is no longer there. Please upload it again."), code="gone"
        )
    if skip_invalid is not None:
        batch.skip_invalid = skip_invalid
    if expected_digest is not None:
        batch.digest = expected_digest
    return _queue(batch)


def _progress_key(batch_id: int) -> str:
    return f"actors:import:{batch_id}:progress"


def import_progress(*, batch: ImportBatch) -> dict:
    """How far the batch is: ``percent`` (None while unknown), ``rows_done``, ``rows_total``.

    A running import reports through the cache, since its rows are committed only
    at the end; without a shared cache the percentage stays unknown.
    """
    if batch.status == ImportBatch.Status.DONE:
        return {"percent": 100, "rows_done": batch.rows_done, "rows_total": batch.rows_done}
    if batch.status == ImportBatch.Status.RUNNING:
        progress = cache.get(_progress_key(batch.pk))
        if progress:
            return progress
    return {
        "percent": None if batch.status == ImportBatch.Status.RUNNING else 0,
        "rows_done": 0,
        "rows_total": 0,
    }


def _claim(batch_id: int) -> ImportBatch | None:
    """Mark the batch running when it is this run's to do; None when it is not."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        stale = timezone.now() - timedelta(seconds=IMPORT_TIME_LIMIT_SECONDS)
        crashed = batch.status == ImportBatch.Status.RUNNING and batch.started_at < stale
        if batch.status != ImportBatch.Status.QUEUED and not crashed:
            return None
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = timezone.now()
        batch.save(update_fields=["status", "started_at", "updated_at"])
        return batch


def import_run(*, batch_id: int) -> ImportBatch:
    """Import a queued batch, all or nothing; the body of ``import_run_task``.

    Harmless to call twice: only a ``queued`` batch (or one left ``running`` by a
    dead worker) is taken, and the row stays locked until the import commits, so
    a second run waits and then finds it done. A refusal or error marks the
    batch failed with a German reason and imports nothing; the file is deleted
    when the import is done and kept for a retry when it failed.
    """
    claimed = _claim(batch_id)
    if claimed is None:
        return ImportBatch.objects.get(pk=batch_id)
    cache.set(
        _progress_key(batch_id),
        {"percent": 0, "rows_done": 0, "rows_total": 0},
        IMPORT_TIME_LIMIT_SECONDS,
    )
    try:
        with translation.override("de"), transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != ImportBatch.Status.RUNNING or batch.started_at != claimed.started_at:
                return batch
            _import(batch)
    except ValidationError as error:
        return _fail(batch_id, " ".join(error.messages))
    except Exception:
        # Reported as a crash (raised again), but the user sees a reason and can retry.
        with translation.override("de"):
            _fail(
                batch_id,
                _(
                    "The import stopped because of an unexpected error; nothing was imported. "
                    "Please try again. If it fails again, please tell the administrators."
                ),
            )
        raise
    finally:
        cache.delete(_progress_key(batch_id))
    _upload_delete(batch)
    return batch


def _import(batch: ImportBatch) -> None:
    data = import_upload_load(batch=batch)
    if data is None:
        raise ValidationError(_("The uploaded file is no longer there. Please upload it again."))

    def report(done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 0
        progress = {"percent": percent, "rows_done": done, "rows_total": total}
        cache.set(_progress_key(batch.pk), progress, IMPORT_TIME_LIMIT_SECONDS)

    result = import_apply(
        by=batch.uploaded_by,
        data=data,
        skip_invalid=batch.skip_invalid,
        expected_digest=batch.digest or None,
        progress=report,
    )
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.rows_total = result.rows_total
    batch.rows_done = result.rows_total - result.rows_skipped
    batch.rows_skipped = result.rows_skipped
    batch.organisations_created = result.organisations_created
    batch.people_created = result.people_created
    batch.people_updated = result.people_updated
    batch.memberships_added = result.memberships_added
    batch.save()


def _fail(batch_id: int, message: str) -> ImportBatch:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        batch.status = ImportBatch.Status.FAILED
        batch.error = message
        batch.finished_at = timezone.now()
        batch.rows_done = 0
        batch.save()
    return batch


def import_sweep() -> int:
    """Send batches again that wait too long: ``queued`` past a few minutes, or left ``running``.

    Returns how many were sent; a batch already being imported is left alone by
    ``import_run``, so sending one twice is harmless. Also removes uploads that
    were never imported and are older than two days.
    """
    from ..tasks import import_run_task

    _uploads_clean()
    now = timezone.now()
    waiting = ImportBatch.objects.filter(
        status=ImportBatch.Status.QUEUED,
        queued_at__lt=now - timedelta(seconds=QUEUED_STALE_SECONDS),
    )
    crashed = ImportBatch.objects.filter(
        status=ImportBatch.Status.RUNNING,
        started_at__lt=now - timedelta(seconds=IMPORT_TIME_LIMIT_SECONDS),
    )
    ids = list(waiting.values_list("pk", flat=True)) + list(crashed.values_list("pk", flat=True))
    # Sent at most once per interval, not at every beat.
    waiting.filter(pk__in=ids).update(queued_at=now)
    for batch_id in ids:
        import_run_task.delay(batch_id)
    return len(ids)
