"""Writes of the Umsetzungsstand: status updates, and reminders about stale measures."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from actors.models import Organisation
from integration.core.emails import absolute_url, email_send
from integration.core.models import User
from integration.core.smtp_errors import breaks_connection, is_permanent, smtp_text

from ..models import Measure, StatusUpdate
from ..selectors.updates import (
    can_update,
    reminder_cache_key,
    reminder_recipients,
    stale_groups,
    stale_measures_for_lead,
)

logger = logging.getLogger(__name__)

REMINDER_TEMPLATE = "measures/emails/stale_reminder"
# A recipient's mark outlives the task's retries (about half an hour), even across
# midnight; its key names the reminder's day, so the next day is not held up.
RECIPIENT_MARK_SECONDS = 2 * 24 * 3600


@transaction.atomic
def statusupdate_record(
    *, by: User, measure: Measure, date: date, status: str, note: str
) -> StatusUpdate:
    """Record a dated progress note with the status it sets, by ``by``.

    Allowed where ``can_update`` allows (the lead's departments, the coordination;
    current versions only), else a German ValidationError. The measure row is
    locked; its ``status`` and ``last_update_on`` follow the newest update, so a
    note dated back behind a newer one only joins the timeline.
    """
    # Locked first, so that two updates at once cannot both see themselves as newest.
    measure = (
        Measure.objects.select_for_update(of=("self",)).select_related("goal").get(pk=measure.pk)
    )
    if not can_update(user=by, measure=measure):
        raise ValidationError(
            _("You may only update measures of the current version that your department leads."),
            code="not_permitted",
        )
    errors = {}
    if date is None:
        errors["date"] = _("Please enter the date of the update.")
    elif date > timezone.localdate():
        errors["date"] = _("The date of an update cannot lie in the future.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Please describe the progress in a short note.")
    if errors:
        raise ValidationError(errors)
    update = StatusUpdate(measure=measure, date=date, status=status, note=note, author=by)
    update.full_clean()
    update.save()
    if measure.last_update_on is None or date >= measure.last_update_on:
        measure.status = status
        measure.last_update_on = date
        measure.save(update_fields=["status", "last_update_on", "updated_at"])
    return update


@dataclass
class RemindResult:
    """What ``stale_remind`` did, per lead department."""

    queued: list[Organisation] = field(default_factory=list)
    already_reminded: list[Organisation] = field(default_factory=list)
    unreachable: list[Organisation] = field(default_factory=list)


def _until_tomorrow(now: datetime) -> int:
    """Seconds until the next local midnight, plus an hour of margin for clock skew."""
    midnight = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time.min))
    return int((midnight - now).total_seconds()) + 3600


def stale_remind(*, by: User, lead_ids: list[int] | None = None) -> RemindResult:
    """Email each lead department with stale measures (``lead_ids``: only those) the
    list of them, to the measures' contact persons that consent allows (TASKS).

    Coordination only. Once per lead and day: a cache key per lead and day is
    added atomically (``cache.add``) before the mail is enqueued, so a double
    click or a second window sends nothing more that day. The mail is sent by a
    Celery task after the commit.

    The marks live only in the cache, not in the database. "Once a day" holds
    across processes only with a shared cache (Redis via ``CACHE_URL``); with the
    default per-process LocMemCache two web workers (or a worker restarted in
    between) each see no mark and could both send.
    """
    if not by.has_perm("measures.change_measure"):
        raise PermissionDenied
    now = timezone.localtime()
    today = now.date()
    result = RemindResult()
    for group in stale_groups(user=by, today=today):
        if group.lead is None or (lead_ids is not None and group.lead.pk not in lead_ids):
            continue
        if not group.recipients:
            result.unreachable.append(group.lead)
            continue
        key = reminder_cache_key(lead_id=group.lead.pk, day=today)
        if not cache.add(key, by.pk, timeout=_until_tomorrow(now)):
            result.already_reminded.append(group.lead)
            continue
        _send_after_commit(lead_id=group.lead.pk, day=today, key=key)
        result.queued.append(group.lead)
    return result


def _send_after_commit(*, lead_id: int, day: date, key: str) -> None:
    # measures.tasks imports this module; imported here to avoid the cycle.
    from ..tasks import stale_reminder_send_task

    def enqueue() -> None:
        try:
            stale_reminder_send_task.delay(lead_id, day.isoformat())
        except OperationalError:
            # Broker down: free the day's mark, so the coordinator can try again.
            cache.delete(key)
            raise

    # robust: a broker that is down must not turn the coordinator's click into a 500.
    transaction.on_commit(enqueue, robust=True)


def stale_reminder_send(*, lead_id: int, day: date | None = None) -> int:
    """Send the stale-measures reminder of one lead department; returns the mails sent.

    Recomputes the stale measures and asks consent again at sending time. Each
    recipient is marked in the cache for ``day`` before their mail goes out, so
    a task delivered twice or retried mails nobody twice.

    Per recipient: a permanent SMTP error (address refused with 5xx, a 5xx
    answer; see ``integration.core.smtp_errors.is_permanent``) is logged as a warning, the mark
    stays (the server would refuse again) and the others are still mailed. A
    transient error (connection, timeout, 4xx) frees that recipient's mark and
    is raised for the task to retry: at once when the connection is broken,
    otherwise after the remaining recipients. Nothing is stored in the
    database: a refused address is only in the log. Like ``stale_remind``, the
    marks hold across processes only with a shared cache (Redis via ``CACHE_URL``).
    """
    day = day or timezone.localdate()
    lead = Organisation.objects.filter(pk=lead_id).first()
    measures = list(stale_measures_for_lead(lead_id=lead_id, today=day)) if lead else []
    if not measures:
        return 0
    recipients, _left_out = reminder_recipients(measures=measures)
    context = {
        "lead": lead,
        "measures": [
            {"measure": measure, "url": absolute_url("measures:measure_detail", measure.pk)}
            for measure in measures
        ],
        "my_measures_url": absolute_url("measures:my_measures"),
        "stale_months": settings.MEASURE_STALE_MONTHS,
    }
    sent = refused = 0
    retry: OSError | None = None
    with get_connection() as connection:
        for person in recipients:
            key = f"{reminder_cache_key(lead_id=lead_id, day=day)}:{person.pk}"
            if not cache.add(key, 1, timeout=RECIPIENT_MARK_SECONDS):
                continue
            try:
                email_send(
                    template=REMINDER_TEMPLATE,
                    context={**context, "person": person},
                    to=[person.email],
                    connection=connection,
                )
            except OSError as error:  # smtplib's errors are OSErrors too
                if is_permanent(error):
                    refused += 1
                    logger.warning(
                        "Stale reminder for lead %s not delivered to person %s: %s",
                        lead_id,
                        person.pk,
                        smtp_text(error),
                    )
                    if breaks_connection(error):
                        _reopen(connection)
                    continue
                # Transient: free the mark for the task's retry.
                cache.delete(key)
                if breaks_connection(error):
                    raise
                retry = retry or error
                continue
            sent += 1
    logger.info("Stale reminder for lead %s: %s mails, %s refused", lead_id, sent, refused)
    if retry is not None:
        raise retry
    return sent


def _reopen(connection) -> None:
    """Open ``connection`` afresh after an error that left it unusable."""
    try:
        connection.close()
    except OSError:
        logger.info("SMTP connection closed with an error", exc_info=True)
    connection.open()
