"""Celery entry points of the committee work: thin wrappers around the services."""

import smtplib
from dataclasses import asdict

from celery import shared_task

from .services import attachments, bodies, invitations, packets
from .services import tasks as followup

# --- Members -------------------------------------------------------------------------


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def member_account_mail_task(user_id: int) -> bool:
    """Mail a new member's login the link to choose a password; nothing once it is chosen."""
    return bodies.member_account_mail_send(user_id=user_id)


# --- Files ----------------------------------------------------------------------------


@shared_task
def attachment_text_extract_task(attachment_id: int) -> bool:
    """Extract the text of an uploaded PDF for the search. Harmless to run twice:
    a file whose text was extracted is skipped."""
    return attachments.attachment_text_extract(attachment_id=attachment_id)


# --- Follow-up tasks and invitations (Beschlusskontrolle, Einladungen) -----------------


@shared_task
def task_reminders_send_task() -> dict[str, int]:
    """Daily: remind owners before and after due dates, each once per due date."""
    return asdict(followup.task_reminders_send())


@shared_task
def invitation_mails_send_task(mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of invitation mails over one SMTP connection; sent rows are skipped."""
    return asdict(invitations.invitation_mails_send(mail_ids=mail_ids))


@shared_task
def invitation_mails_sweep_task() -> int:
    """Every minute: enqueue invitation mails left queued, due for a retry or by a dead
    worker."""
    return invitations.invitation_mails_sweep()


# --- Meeting packet (Sitzungsmappe) ------------------------------------------------------


@shared_task
def packet_mails_queue_task(meeting_id: int) -> int:
    """Make the mails to the members that the meeting's packet is published, once the
    members' packet is ready, and hand them to ``packet_mails_send_task``; once per
    content, so a second run makes none (it only sends what is still due)."""
    return packets.packet_mails_queue(meeting_id=meeting_id)


@shared_task
def packet_mails_send_task(mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of packet mails over one SMTP connection; sent rows are skipped."""
    return asdict(packets.packet_mails_send(mail_ids=mail_ids))


@shared_task
def packet_mails_sweep_task() -> int:
    """Every minute: enqueue packet mails left queued, due for a retry or by a dead
    worker."""
    return packets.packet_mails_sweep()
