"""Requesting, compiling and retrying stored PDF documents, and the sweep.

A document is requested (``document_request``) for a kind, subject and variant:
its content is fingerprinted; a row with that fingerprint is reused whatever its
state, otherwise one row is created (the unique constraint makes two requests at
once create one) and its compile is enqueued after the commit. The compile
(``document_compile``, the body of the task) claims the row by a conditional
UPDATE, renders outside any transaction, writes the PDF under a temporary name,
renames it, and only then marks the row ready with its file, in an UPDATE that
holds only while the row still carries this compile's claim. So a half-written
file is never served, a task that runs twice compiles once, and a worker that
dies leaves the row ``rendering`` until the sweep enqueues it again.
"""

import hashlib
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Document, DocumentDownload
from .registry import DocumentError, DocumentKind, kind_get
from .rendering import letterhead, pdf_page_count

logger = logging.getLogger(__name__)

# A row queued this long ago lost its task (broker down at the commit, purged
# queue): the sweep enqueues it again. A second task for it is harmless.
ENQUEUE_STALE = timedelta(minutes=5)
# A row left ``rendering`` by a dead worker this often is given up.
MAX_ATTEMPTS = 3
# Ready documents superseded by a newer ready one are deleted after this long,
# so a download that started just before the swap still finds its file.
SUPERSEDED_KEEP = timedelta(days=1)
ERROR_MAX_LENGTH = 1000


def rendering_timeout() -> timedelta:
    """How long a row may stay ``rendering`` before it counts as left by a dead worker:
    the task's hard time limit (``tasks``) and a minute's grace."""
    return timedelta(seconds=settings.DOCUMENTS_COMPILE_TIME_LIMIT + 30 + 60)


def _german(message) -> str:
    with translation.override("de"):
        return str(message)[:ERROR_MAX_LENGTH]


# ---------------------------------------------------------------------------
# Fingerprints and files


def fingerprint_compute(*, kind: DocumentKind, subject, variant: str) -> str:
    """SHA-256 (hex) of what the document's content depends on: the kind's inputs, its
    version and archival option, and the letterhead every document prints."""
    inputs = kind.fingerprint_inputs(subject, variant)
    if isinstance(inputs, str):
        inputs = inputs.encode("utf-8")
    digest = hashlib.sha256()
    head = "\x1f".join(
        [
            kind.key,
            kind.version,
            variant,
            "archival" if kind.archival else "ua",
            repr(sorted(letterhead().items())),
        ]
    )
    digest.update(head.encode("utf-8"))
    digest.update(b"\x1e")
    digest.update(inputs)
    return digest.hexdigest()


def document_path(document: Document) -> Path | None:
    """Where the file of a ready document lies, or None."""
    if not document.file:
        return None
    return Path(settings.MEDIA_ROOT) / document.file.name


def _file_write(pdf: bytes) -> str:
    """Store ``pdf`` under a new random name and return that name (relative to
    MEDIA_ROOT). Written to ``<name>.part`` first and renamed when complete, so no
    reader ever opens a half-written file under the final name."""
    folder = Path(settings.MEDIA_ROOT) / settings.DOCUMENTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{settings.DOCUMENTS_FOLDER}/{secrets.token_hex(16)}.pdf"
    final = Path(settings.MEDIA_ROOT) / name
    partial = final.with_name(final.name + ".part")
    try:
        with partial.open("wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return name


def _file_delete(name: str) -> None:
    if name:
        (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Requesting


def _enqueue(document_id: int) -> None:
    # tasks imports this module; imported here to avoid the cycle.
    from .tasks import document_compile_task

    # Robust: with the broker down the request still succeeds, the row stays
    # queued and the sweep enqueues it later (STYLE §5).
    transaction.on_commit(lambda: document_compile_task.delay(document_id), robust=True)


def _reference(kind: DocumentKind, subject) -> dict:
    if kind.subject_model is None:
        return {}
    return {
        "content_type": ContentType.objects.get_for_model(kind.subject_model),
        "object_id": subject.pk,
    }


def document_current(*, kind: DocumentKind, subject, variant: str, fingerprint: str):
    """The row of the current content, if it was ever requested."""
    return Document.objects.filter(
        kind=kind.key,
        subject=kind.subject_key(subject),
        variant=variant,
        fingerprint=fingerprint,
    ).first()


def document_request(*, kind: str, subject, variant: str, by) -> Document:
    """The document of ``subject``'s current content; compiled in the background if new.

    ``by`` (a login or the anonymous user) must be allowed by the kind's
    ``can_request``. A row with the current fingerprint is returned as it is
    (ready, compiling or failed: a failed one is retried only on purpose, with
    ``document_retry``). Otherwise one row is created and its compile enqueued
    after the commit; two requests at once create one row (unique constraint)
    and enqueue one compile.
    """
    document_kind = kind_get(kind)
    if document_kind is None or variant not in document_kind.variants:
        raise ValueError(f"Unknown document {kind}/{variant}")
    if not document_kind.can_request(by, subject, variant):
        raise PermissionDenied
    fingerprint = fingerprint_compute(kind=document_kind, subject=subject, variant=variant)
    existing = document_current(
        kind=document_kind, subject=subject, variant=variant, fingerprint=fingerprint
    )
    if existing is not None:
        return existing
    with transaction.atomic():
        # get_or_create retries the lookup when a concurrent request won the insert.
        document, created = Document.objects.get_or_create(
            kind=document_kind.key,
            subject=document_kind.subject_key(subject),
            variant=variant,
            fingerprint=fingerprint,
            defaults={
                "status": Document.Status.QUEUED,
                "queued_at": timezone.now(),
                "requested_by": by if by is not None and by.is_authenticated else None,
                **_reference(document_kind, subject),
            },
        )
        if created:
            _enqueue(document.pk)
    return document


@transaction.atomic
def document_retry(*, document: Document, by) -> Document:
    """Queue a failed document again, if ``by`` may retry it (the kind's ``can_retry``).

    Only a failed row is queued again; any other state is refused with a reason.
    """
    kind = kind_get(document.kind)
    subject = kind.get_subject(document.subject) if kind is not None else None
    if subject is None or not kind.can_retry(by, subject, document.variant):
        raise PermissionDenied
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != Document.Status.FAILED:
        raise ValidationError(_("Only a document that failed can be tried again."))
    document.status = Document.Status.QUEUED
    document.queued_at = timezone.now()
    document.attempts = 0
    document.progress = 0
    document.error = ""
    document.save(
        update_fields=["status", "queued_at", "attempts", "progress", "error", "updated_at"]
    )
    _enqueue(document.pk)
    return document


# ---------------------------------------------------------------------------
# Compiling


def _claimable_q(now) -> Q:
    return Q(status=Document.Status.QUEUED) | Q(
        status=Document.Status.RENDERING,
        rendering_since__lt=now - rendering_timeout(),
        attempts__lt=MAX_ATTEMPTS,
    )


def _claim(document_id: int):
    """Mark the row ``rendering`` if it is this run's to compile; its claim time or None.

    One conditional UPDATE locks the row and checks its state at once, so of two
    workers only one claims it; ``rendering_since`` marks the claim.
    """
    now = timezone.now()
    claimed = (
        Document.objects.filter(_claimable_q(now), pk=document_id).update(
            status=Document.Status.RENDERING,
            rendering_since=now,
            attempts=F("attempts") + 1,
            progress=0,
            error="",
            updated_at=now,
        )
        == 1
    )
    return now if claimed else None


def _ours(document_id: int, claim):
    """The row while it still carries this compile's claim."""
    return Document.objects.filter(
        pk=document_id, status=Document.Status.RENDERING, rendering_since=claim
    )


def _fail(document_id: int, claim, reason) -> None:
    _ours(document_id, claim).update(
        status=Document.Status.FAILED,
        error=_german(reason),
        rendering_since=None,
        updated_at=timezone.now(),
    )


def document_compile(*, document_id: int) -> Document | None:
    """Compile a queued document; the body of ``document_compile_task``.

    Harmless to run twice: only a queued row, or one left ``rendering`` by a dead
    worker, is claimed. The PDF is rendered in German outside any transaction;
    the file is complete under its final name before the row becomes ready, and
    the row is updated only while it still carries this claim (a worker that
    took over after the timeout wins; this run's file is then removed). An
    expected failure (``DocumentError``) or an error fails the row with a German
    reason the page shows; the user may retry it.
    """
    claim = _claim(document_id)
    if claim is None:
        return Document.objects.filter(pk=document_id).first()
    document = Document.objects.get(pk=document_id)
    kind = kind_get(document.kind)
    subject = kind.get_subject(document.subject) if kind is not None else None
    if subject is None:
        _fail(document_id, claim, _("The document's subject no longer exists."))
        return Document.objects.get(pk=document_id)

    last = {"percent": 0}

    def progress(percent: int) -> None:
        # 100 is only set together with the file; one write per new percentage.
        percent = max(0, min(99, int(percent)))
        if percent != last["percent"]:
            last["percent"] = percent
            _ours(document_id, claim).update(progress=percent)

    name = ""
    try:
        with translation.override("de"):
            pdf = kind.render(subject, document.variant, progress)
            if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
                raise DocumentError(_("The document could not be created: no PDF came out."))
            pages = pdf_page_count(pdf)
        name = _file_write(pdf)
    except DocumentError as error:
        _fail(document_id, claim, error.message)
        return Document.objects.get(pk=document_id)
    except SoftTimeLimitExceeded:
        _fail(
            document_id,
            claim,
            _("Creating the document took longer than %(seconds)s seconds.")
            % {"seconds": settings.DOCUMENTS_COMPILE_TIME_LIMIT},
        )
        return Document.objects.get(pk=document_id)
    except Exception as error:
        # Logged for the operators with the traceback; the page shows a reason and
        # offers a retry instead of a crash.
        logger.exception("Document %s could not be compiled", document_id)
        _fail(
            document_id,
            claim,
            _(
                "The document could not be created because of an unexpected error "
                "(%(error)s). Please try again; if it fails again, please tell the "
                "administrators."
            )
            % {"error": type(error).__name__},
        )
        return Document.objects.get(pk=document_id)
    now = timezone.now()
    ready = _ours(document_id, claim).update(
        status=Document.Status.READY,
        file=name,
        pages=pages,
        size=len(pdf),
        progress=100,
        rendered_at=now,
        rendering_since=None,
        error="",
        updated_at=now,
    )
    document = Document.objects.get(pk=document_id)
    if not ready:
        # Another worker took the row over after the timeout: its file counts.
        _file_delete(name)
        return document
    try:
        kind.notify(document)
    except Exception:
        # The document is ready and stays so; a failed notification is reported.
        logger.exception("Notification for document %s failed", document_id)
    return document


# ---------------------------------------------------------------------------
# Downloads and the sweep


def document_download_record(*, user, document: Document) -> None:
    """Remember which content ``user`` (a login) downloaded last; nothing for anonymous."""
    if user is None or not user.is_authenticated:
        return
    DocumentDownload.objects.update_or_create(
        user=user,
        kind=document.kind,
        subject=document.subject,
        variant=document.variant,
        defaults={"fingerprint": document.fingerprint, "downloaded_at": timezone.now()},
    )


def documents_sweep() -> dict:
    """Enqueue what was left behind, give up what failed too often, delete superseded files.

    Rows queued for longer than ``ENQUEUE_STALE`` (their task lost) and rows left
    ``rendering`` beyond the timeout (a dead worker) are enqueued again; the
    latter fail once ``MAX_ATTEMPTS`` compiles were interrupted. Ready documents
    superseded by a newer ready one of the same kind, subject and variant are
    deleted with their file after ``SUPERSEDED_KEEP``. Harmless to run twice.
    """
    from .tasks import document_compile_task

    now = timezone.now()
    stale = now - rendering_timeout()
    given_up = Document.objects.filter(
        status=Document.Status.RENDERING, rendering_since__lt=stale, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=Document.Status.FAILED,
        rendering_since=None,
        error=_german(_("Creating the document was interrupted too often.")),
        updated_at=now,
    )
    due = Document.objects.filter(
        Q(status=Document.Status.QUEUED, queued_at__lt=now - ENQUEUE_STALE)
        | Q(status=Document.Status.RENDERING, rendering_since__lt=stale)
    )
    ids = list(due.values_list("pk", flat=True))
    for document_id in ids:
        document_compile_task.delay(document_id)
    # After delay(): if the broker refuses, the rows stay due for the next sweep.
    Document.objects.filter(pk__in=ids, status=Document.Status.QUEUED).update(queued_at=now)

    newer = Document.objects.filter(
        kind=OuterRef("kind"),
        subject=OuterRef("subject"),
        variant=OuterRef("variant"),
        status=Document.Status.READY,
        rendered_at__gt=OuterRef("rendered_at"),
    )
    superseded = Document.objects.filter(
        Exists(newer), status=Document.Status.READY, rendered_at__lt=now - SUPERSEDED_KEEP
    )
    removed = 0
    for document_id, name in list(superseded.values_list("pk", "file")):
        # Row first: once it is gone nothing serves the file any more.
        if Document.objects.filter(pk=document_id, status=Document.Status.READY).delete()[0]:
            _file_delete(name)
            removed += 1
    return {"enqueued": len(ids), "given_up": given_up, "removed": removed}
