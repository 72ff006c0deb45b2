"""Periodic housekeeping jobs of the core app (see CELERY_BEAT_SCHEDULE)."""

import smtplib

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


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def password_reset_send_task(user_id: int) -> bool:
    """Send a password-reset link to a user; a fresh token each run, so a retry is harmless."""
    return services.password_reset_send(user_id=user_id)
