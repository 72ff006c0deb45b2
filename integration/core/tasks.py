"""Periodic housekeeping jobs of the core app (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task
def sessions_clear_task() -> int:
    """Delete expired sessions; idempotent."""
    return services.sessions_clear()


@shared_task
def access_log_clean_task() -> int:
    """Delete login records older than ACCESS_LOG_RETENTION_DAYS; idempotent."""
    return services.access_log_clean()
