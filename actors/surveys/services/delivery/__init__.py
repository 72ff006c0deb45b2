"""Delivery of a survey: launch, the mail outbox, reminders, closing.

The database is the outbox: every invitation and reminder is a ``Mail`` row
with a status, and Celery only carries row ids (``outbox``). The lifecycle
services (``lifecycle``) make the rows and enqueue them; the sweep (every
minute) finds whatever a lost task, a dead worker or a broker that was down
left unsent. Nothing is sent twice, nothing is left unsent, with one honest
exception described in ``mails_sweep``.
"""

from .lifecycle import (
    SweepSummary,
    mail_retry,
    mails_sweep,
    reminders_plan,
    survey_close,
    survey_dispatch,
    survey_launch,
    survey_remind,
    surveys_close_due,
)
from .mails import mail_context
from .outbox import (
    ENQUEUE_STALE,
    SendSummary,
    mails_send,
    sending_start,
    sending_timeout,
)

__all__ = [
    "ENQUEUE_STALE",
    "SendSummary",
    "SweepSummary",
    "mail_context",
    "mail_retry",
    "mails_send",
    "mails_sweep",
    "reminders_plan",
    "sending_start",
    "sending_timeout",
    "survey_close",
    "survey_dispatch",
    "survey_launch",
    "survey_remind",
    "surveys_close_due",
]
