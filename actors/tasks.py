"""Celery entry points of the network (see CELERY_BEAT_SCHEDULE)."""

import smtplib
from dataclasses import asdict

from celery import shared_task

from .services import retention, transfer


@shared_task
def retention_run_task() -> dict[str, int]:
    """Run the retention job (list, queue warnings, anonymise); idempotent, safe to run twice."""
    return asdict(retention.retention_run())


# The notice row counts the attempts and gives up after the last; Celery only
# spaces them out (1, 2, 4 … minutes), and may allow one more than the row.
@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=retention.NOTICE_MAX_ATTEMPTS,
)
def retention_notice_send_task(notice_id: int) -> str | None:
    """Send one retention warning (``retention.retention_notice_send``); a second run is a no-op."""
    notice = retention.retention_notice_send(notice_id=notice_id)
    return notice.status if notice is not None else None


# A 20,000-row file takes minutes; the soft limit leaves time to record the failure.
@shared_task(
    soft_time_limit=transfer.IMPORT_TIME_LIMIT_SECONDS - 60,
    time_limit=transfer.IMPORT_TIME_LIMIT_SECONDS,
)
def import_run_task(batch_id: int) -> str:
    """Import one queued batch (``transfer.import_run``); a second delivery is a no-op."""
    return transfer.import_run(batch_id=batch_id).status


@shared_task
def import_sweep_task() -> int:
    """Send imports again that wait too long or were left by a dead worker; idempotent."""
    return transfer.import_sweep()
