"""Celery entry points of the surveys (see CELERY_BEAT_SCHEDULE).

Thin on purpose: ids in, one service call, a summary out. Exactly-once comes
from the outbox rows (``services.delivery``), so a task delivered twice
(``acks_late``) or enqueued twice by the sweep is harmless.
"""

from dataclasses import asdict

from celery import shared_task

from .services import delivery


@shared_task
def survey_dispatch_task(survey_id: int) -> int:
    """Make a running survey's missing invitation mails and enqueue the due ones; idempotent."""
    return delivery.survey_dispatch(survey_id=survey_id)


@shared_task
def mails_send_task(mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox rows over one SMTP connection; rows already sent are skipped."""
    return asdict(delivery.mails_send(mail_ids=mail_ids))


@shared_task
def mails_sweep_task() -> dict[str, int]:
    """Every minute: close due surveys, enqueue rows left queued or by a dead worker."""
    return asdict(delivery.mails_sweep())


@shared_task
def reminders_plan_task() -> int:
    """Hourly: plan the reminder rounds whose day has come; each day once."""
    return delivery.reminders_plan()
