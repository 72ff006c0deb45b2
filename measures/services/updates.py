"""Writes of the Umsetzungsstand: status updates, and reminders about stale measures."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from actors.models import Organisation
from integration.core.emails import absolute_url, email_send
from integration.core.models import User
from integration.core.smtp_errors import breaks_connection, is_permanent, smtp_text

from ..models import Measure, StaleReminder, StatusUpdate
from ..selectors.updates import (
    can_update,
    lead_logins,
    reminder_recipients,
    stale_groups,
    stale_measures_for_lead,
)

logger = logging.getLogger(__name__)

REMINDER_TEMPLATE = "measures/emails/stale_reminder"


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


def stale_remind(*, by: User, lead_ids: list[int] | None = None) -> RemindResult:
    """Email each lead department with stale measures (``lead_ids``: only those) the
    list of them: to the measures' contact persons that consent allows (TASKS) and
    to the Verwaltung logins answering for the lead (see ``reminder_recipients``).

    Coordination only. Once per lead and day: inserting the lead's StaleReminder
    row for today claims the reminder (unique lead and day, in a savepoint), so a
    double click, a second window or another web worker sends nothing more that
    day. The mail is sent by a Celery task after the commit; if the broker refuses
    the task, the row is deleted again so the coordinator can retry.
    """
    if not by.has_perm("measures.change_measure"):
        raise PermissionDenied
    today = timezone.localdate()
    result = RemindResult()
    for group in stale_groups(user=by, today=today):
        if group.lead is None or (lead_ids is not None and group.lead.pk not in lead_ids):
            continue
        if not group.recipients:
            result.unreachable.append(group.lead)
            continue
        try:
            with transaction.atomic():
                reminder = StaleReminder.objects.create(lead=group.lead, day=today, sent_by=by)
        except IntegrityError:
            # The unique constraint: this lead was reminded today already.
            result.already_reminded.append(group.lead)
            continue
        _send_after_commit(reminder=reminder)
        result.queued.append(group.lead)
    return result


def _send_after_commit(*, reminder: StaleReminder) -> None:
    # measures.tasks imports this module; imported here to avoid the cycle.
    from ..tasks import stale_reminder_send_task

    def enqueue() -> None:
        try:
            stale_reminder_send_task.delay(reminder.lead_id, reminder.day.isoformat())
        except OperationalError:
            # Broker down: give the day back, so the coordinator can try again.
            StaleReminder.objects.filter(pk=reminder.pk).delete()
            raise

    # robust: a broker that is down must not turn the coordinator's click into a 500.
    transaction.on_commit(enqueue, robust=True)


def stale_reminder_send(*, lead_id: int, day: date | None = None) -> int:
    """Send the stale-measures reminder of one lead department for ``day``; returns
    the mails sent and adds them to the day's StaleReminder ``recipients``.

    Sends only for a day ``stale_remind`` claimed (the StaleReminder row exists).
    Recomputes the stale measures, the recipients and their consent at sending
    time. Each address is marked on the StaleReminder row (``sent_to``, a hash per
    address, claimed by a conditional UPDATE) before its mail goes out, so a retry
    of the task or a second delivery of it mails nobody twice.

    Per recipient: a permanent SMTP error (address refused with 5xx, a 5xx
    answer; see ``integration.core.smtp_errors.is_permanent``) is logged as a warning, the mark
    stays (the server would refuse again) and the others are still mailed. A
    transient error (connection, timeout, 4xx) frees that recipient's mark and
    is raised for the task to retry: at once when the connection is broken,
    otherwise after the remaining recipients. A refused address is only in the log.
    """
    day = day or timezone.localdate()
    reminder = StaleReminder.objects.filter(lead_id=lead_id, day=day).first()
    if reminder is None:
        logger.info("Stale reminder for lead %s on %s not claimed; nothing sent", lead_id, day)
        return 0
    lead = Organisation.objects.filter(pk=lead_id).first()
    measures = list(stale_measures_for_lead(lead_id=lead_id, today=day)) if lead else []
    if not measures:
        return 0
    recipients, _left_out = reminder_recipients(
        measures=measures, logins=lead_logins(lead_ids=[lead_id]).get(lead_id, [])
    )
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
    try:
        with get_connection() as connection:
            for recipient in recipients:
                mark = _address_mark(recipient.email)
                if not _recipient_claim(reminder, mark):
                    continue
                try:
                    email_send(
                        template=REMINDER_TEMPLATE,
                        context={**context, "recipient": recipient},
                        to=[recipient.email],
                        connection=connection,
                    )
                except OSError as error:  # smtplib's errors are OSErrors too
                    if is_permanent(error):
                        refused += 1
                        logger.warning(
                            "Stale reminder for lead %s not delivered to %s: %s",
                            lead_id,
                            # Ids, not addresses, in the log.
                            f"person {recipient.person.pk}"
                            if recipient.person
                            else f"user {recipient.user.pk}",
                            smtp_text(error),
                        )
                        if breaks_connection(error):
                            _reopen(connection)
                        continue
                    # Transient: free the mark for the task's retry.
                    _recipient_release(reminder, mark)
                    if breaks_connection(error):
                        raise
                    retry = retry or error
                    continue
                sent += 1
    finally:
        # Also when a broken connection ends the run: count what went out.
        if sent:
            StaleReminder.objects.filter(pk=reminder.pk).update(
                recipients=F("recipients") + sent, updated_at=timezone.now()
            )
    logger.info("Stale reminder for lead %s: %s mails, %s refused", lead_id, sent, refused)
    if retry is not None:
        raise retry
    return sent


def _address_mark(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def _recipient_claim(reminder: StaleReminder, mark: str) -> bool:
    """Mark the address as mailed for this reminder, unless it is (one conditional
    UPDATE: of two workers, one wins)."""
    return bool(
        StaleReminder.objects.filter(pk=reminder.pk)
        .exclude(sent_to__contains=f"\n{mark}\n")
        .update(sent_to=Concat(F("sent_to"), Value(f"{mark}\n")))
    )


def _recipient_release(reminder: StaleReminder, mark: str) -> None:
    StaleReminder.objects.filter(pk=reminder.pk).update(
        sent_to=Replace(F("sent_to"), Value(f"\n{mark}\n"), Value("\n"))
    )


def _reopen(connection) -> None:
    """Open ``connection`` afresh after an error that left it unusable."""
    try:
        connection.close()
    except OSError:
        logger.info("SMTP connection closed with an error", exc_info=True)
    connection.open()
