"""Celery entry points of the PDF documents (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings

from . import services


# The soft limit ends the rendering with a reason on the row; the hard limit 30 s
# later kills a worker stuck in C code, and the sweep takes the row up again.
@shared_task(
    soft_time_limit=settings.DOCUMENTS_COMPILE_TIME_LIMIT,
    time_limit=settings.DOCUMENTS_COMPILE_TIME_LIMIT + 30,
)
def document_compile_task(document_id: int) -> str | None:
    """Compile one document (``services.document_compile``); a second run is a no-op."""
    document = services.document_compile(document_id=document_id)
    return document.status if document is not None else None


@shared_task
def documents_sweep_task() -> dict[str, int]:
    """Enqueue documents left queued or by a dead worker, remove superseded files."""
    return services.documents_sweep()
