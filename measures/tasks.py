"""Celery entry points of the integration concept."""

from datetime import date

from celery import shared_task

from .services import funding, updates


# The service raises only transient errors (connection, timeout, 4xx): a refused address
# (5xx) is logged and skipped there, so it cannot keep the others waiting through the
# retries. Each recipient is marked before their mail goes out (see stale_reminder_send),
# so a retry or a second delivery (acks_late) mails nobody twice.
@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_backoff_max=3600, max_retries=5)
def stale_reminder_send_task(lead_id: int, day: str) -> int:
    """Send one lead department its stale-measures reminder; returns the mails sent."""
    return updates.stale_reminder_send(lead_id=lead_id, day=date.fromisoformat(day))


@shared_task
def grant_report_remind_task() -> int:
    """Daily: remind of grants' report deadlines, once per deadline; returns the mails sent.
    Harmless to run twice (each grant is claimed before its mail)."""
    return funding.grant_report_remind()
