"""Celery entry points of the network (see CELERY_BEAT_SCHEDULE)."""

from dataclasses import asdict

from celery import shared_task

from .services import retention


@shared_task
def retention_run_task() -> dict[str, int]:
    """Run the retention job (list, warn, anonymise); idempotent, safe to run twice."""
    return asdict(retention.retention_run())
