"""Writes of funding: programmes, grants with their money per year, report reminders.

The rules of a grant's years are checked here, together, so that the form, an
import or a script cannot store what the overview would sum wrongly: years lie
within the grant's period, money counts as granted only when the grant is
granted or settled, and no more is spent than was granted.
"""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from integration.core.emails import absolute_url, email_send
from integration.core.models import User
from integration.core.roles import Role
from integration.core.services import fields_apply
from integration.core.smtp_errors import breaks_connection, smtp_text

from ..models import FundingProgramme, Grant, GrantYear, Measure
from ..selectors.funding import GRANTED_STATUSES, grants_due_for_reminder, report_deadline_state
from ..selectors.updates import current_version_ids

logger = logging.getLogger(__name__)

PROGRAMME_FIELDS = {
    "name",
    "short_name",
    "provider",
    "level",
    "description",
    "url",
    "application_deadline",
    "deadline_note",
    "is_active",
}
GRANT_FIELDS = {
    "programme",
    "title",
    "reference",
    "recipient",
    "status",
    "purpose",
    "starts_on",
    "ends_on",
    "applied_on",
    "decided_on",
    "report_due_on",
    "report_submitted_on",
    "responsible",
}
REMINDER_TEMPLATE = "measures/emails/grant_report_reminder"


@dataclass
class YearAmounts:
    """One row of a grant's money as entered: a calendar year and its three amounts."""

    year: int
    applied: Decimal | None = None
    granted: Decimal | None = None
    spent: Decimal | None = None


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def programme_create(*, by: User | None, **data) -> FundingProgramme:
    """Add a funding programme."""
    programme = FundingProgramme()
    fields_apply(programme, PROGRAMME_FIELDS, data)
    return _save(programme)


@transaction.atomic
def programme_update(*, by: User | None, programme: FundingProgramme, **changes):
    """Change a programme; closing it (``is_active`` False) keeps it on its grants."""
    programme = FundingProgramme.objects.select_for_update().get(pk=programme.pk)
    fields_apply(programme, PROGRAMME_FIELDS, changes)
    return _save(programme)


def _money(value) -> str:
    return f"{formats.number_format(value, 2, force_grouping=True)} €"


def _years_errors(grant: Grant, years: list[YearAmounts]) -> list[str]:
    """German messages for every broken rule of ``years``, each naming its year."""
    errors = []
    seen: set[int] = set()
    may_grant = grant.status in GRANTED_STATUSES
    status = Grant.Status(grant.status).label
    first, last = grant.starts_on.year, grant.ends_on.year
    for row in years:
        name = {"year": row.year}
        if row.year in seen:
            errors.append(_("%(year)s: this year is entered twice.") % name)
        seen.add(row.year)
        if not first <= row.year <= last:
            errors.append(
                _("%(year)s: the year lies outside the grant's period (%(first)s–%(last)s).")
                % {**name, "first": first, "last": last}
            )
        if row.granted is not None and not may_grant:
            errors.append(
                _(
                    "%(year)s: an amount can only be entered as granted once the grant "
                    "is granted (status: %(status)s)."
                )
                % {**name, "status": status}
            )
        if row.spent is not None:
            if row.granted is None:
                errors.append(_("%(year)s: money can only be spent once it is granted.") % name)
            elif row.spent > row.granted:
                errors.append(
                    _("%(year)s: spent (%(spent)s) exceeds granted (%(granted)s).")
                    % {**name, "spent": _money(row.spent), "granted": _money(row.granted)}
                )
    return errors


def _check_links(grant: Grant, old_programme_id: int | None, measures, old_measure_ids: set[int]):
    """Closed programmes take no new grants; new links only to measures of current versions
    (links made earlier to a version's measure stay when that version is replaced)."""
    errors = {}
    if grant.programme_id != old_programme_id:
        programme = FundingProgramme.objects.get(pk=grant.programme_id)
        if not programme.is_active:
            errors["programme"] = _(
                "“%(programme)s” is closed for applications; choose an open programme."
            ) % {"programme": programme}
    added = {m.pk for m in measures or []} - old_measure_ids
    if added:
        current = Measure.objects.filter(pk__in=added, goal__version_id__in=current_version_ids())
        if current.count() != len(added):
            errors["measures"] = _(
                "Only measures of the current version of the concept can be chosen."
            )
    return errors


def _store_years(grant: Grant, years: list[YearAmounts]) -> None:
    """Make the grant's rows exactly ``years``: update, add, remove."""
    stored = {row.year: row for row in grant.years.all()}
    wanted = {row.year for row in years}
    grant.years.exclude(year__in=wanted).delete()
    for row in years:
        year = stored.get(row.year) or GrantYear(grant=grant, year=row.year)
        year.applied = row.applied or Decimal(0)
        year.granted = row.granted
        year.spent = row.spent
        _save(year)


def _grant_save(grant: Grant, *, years, measures, old_programme_id, old_measure_ids) -> Grant:
    errors: dict[str, list] = {}
    try:
        grant.full_clean(exclude=["measures"])
    except ValidationError as error:
        errors = dict(error.message_dict)
    if not errors:
        for field, message in _check_links(
            grant, old_programme_id, measures, old_measure_ids
        ).items():
            errors.setdefault(field, []).append(message)
        if years is not None:
            year_errors = _years_errors(grant, years)
            if year_errors:
                errors["years"] = year_errors
    if errors:
        raise ValidationError(errors)
    grant.save()
    if years is not None:
        _store_years(grant, years)
    if measures is not None:
        grant.measures.set(measures)
    return grant


@transaction.atomic
def grant_create(
    *,
    by: User | None,
    years: list[YearAmounts] | None = None,
    measures: list[Measure] | None = None,
    **data,
) -> Grant:
    """Add a grant with its money per year and the measures it pays for.

    Rules (German ValidationError, ``years`` for the rows): an open programme,
    years within the period, granted amounts only for granted or settled grants,
    spent ≤ granted, measures of current versions only.
    """
    grant = Grant()
    fields_apply(grant, GRANT_FIELDS, data)
    return _grant_save(
        grant, years=years or [], measures=measures, old_programme_id=None, old_measure_ids=set()
    )


@transaction.atomic
def grant_update(
    *,
    by: User | None,
    grant: Grant,
    years: list[YearAmounts] | None = None,
    measures: list[Measure] | None = None,
    **changes,
) -> Grant:
    """Change a grant; ``years`` (when given) replaces its rows, ``measures`` its links.

    The same rules as ``grant_create``; the existing years are checked against a
    changed status or period even when ``years`` is not given. A changed report
    deadline gets its own reminder (``report_reminded_for`` names the old one).
    """
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    old_programme_id = grant.programme_id
    old_measure_ids = set(grant.measures.values_list("pk", flat=True))
    fields_apply(grant, GRANT_FIELDS, changes)
    if years is None:
        years = [
            YearAmounts(row.year, row.applied, row.granted, row.spent) for row in grant.years.all()
        ]
    return _grant_save(
        grant,
        years=years,
        measures=measures,
        old_programme_id=old_programme_id,
        old_measure_ids=old_measure_ids,
    )


def grant_links_copy(*, mapping: dict[int, int]) -> int:
    """Link the copies of measures to their originals' grants: ``mapping`` old id → copy id.
    Called by ``version_revise``; one query to read, one bulk insert."""
    through = Grant.measures.through
    rows = through.objects.filter(measure_id__in=mapping).values_list("grant_id", "measure_id")
    created = through.objects.bulk_create(
        [
            through(grant_id=grant_id, measure_id=mapping[measure_id])
            for grant_id, measure_id in rows
        ],
        ignore_conflicts=True,
    )
    return len(created)


# --- Report deadline reminders --------------------------------------------------------


def _recipients(grant: Grant) -> list[str]:
    """The responsible login's address, else every active coordinator's."""
    responsible = grant.responsible
    if responsible is not None and responsible.is_active and responsible.email:
        return [responsible.email]
    coordinators = User.objects.filter(
        is_active=True, groups__name=Role.COORDINATION.value
    ).exclude(email="")
    return sorted(set(coordinators.values_list("email", flat=True)))


def _claim(grant: Grant) -> bool:
    """Mark ``grant`` reminded of its current deadline unless someone did already:
    a conditional UPDATE, so of two workers at once only one sends.

    At most once: a worker killed between this claim and the mail loses that one
    reminder (the funding overview still lists the deadline as due)."""
    due = grant.report_due_on
    return bool(
        Grant.objects.filter(pk=grant.pk, report_due_on=due, report_submitted_on__isnull=True)
        .filter(Q(report_reminded_for__isnull=True) | ~Q(report_reminded_for=due))
        .update(report_reminded_for=due)
    )


def _release(grant: Grant, previous: date | None) -> None:
    Grant.objects.filter(pk=grant.pk, report_reminded_for=grant.report_due_on).update(
        report_reminded_for=previous
    )


def _close(connection) -> None:
    try:
        connection.close()
    except OSError:
        logger.info("SMTP connection closed with an error", exc_info=True)


def _remind_one(grant: Grant, *, today: date, connection) -> int:
    """Claim, mail and (on an SMTP error) release one grant; returns the mails sent."""
    recipients = _recipients(grant)
    if not recipients:
        logger.warning("Report reminder for grant %s: nobody to send it to", grant.pk)
        return 0
    previous = grant.report_reminded_for
    if not _claim(grant):
        return 0
    context = {
        "grant": grant,
        "deadline": report_deadline_state(grant, today=today),
        "url": absolute_url("measures:grant_detail", grant.pk),
    }
    try:
        email_send(
            template=REMINDER_TEMPLATE, context=context, to=recipients, connection=connection
        )
    except OSError as error:  # smtplib's errors are OSErrors too
        # Released, so that the next day's run tries again.
        _release(grant, previous)
        logger.warning("Report reminder for grant %s not delivered: %s", grant.pk, smtp_text(error))
        if breaks_connection(error):
            _close(connection)
        return 0
    return 1


def grant_report_remind(*, today: date | None = None) -> int:
    """Remind of report deadlines within ``GRANT_REPORT_REMINDER_DAYS`` (or overdue)
    of granted or settled grants whose report is not in; returns the mails sent.

    Once per deadline: each grant is claimed by setting ``report_reminded_for``
    before its mail goes out, so a second run or worker sends nothing; a changed
    deadline is reminded anew. A failed delivery is logged and releases the claim,
    so the next day's run tries again.
    """
    today = today or timezone.localdate()
    days = settings.GRANT_REPORT_REMINDER_DAYS
    sent = 0
    grants = list(grants_due_for_reminder(today=today, days=days))
    if not grants:
        return 0
    # Opened on the first send; a failure there is an SMTP error like any other.
    connection = get_connection()
    try:
        for grant in grants:
            sent += _remind_one(grant, today=today, connection=connection)
    finally:
        _close(connection)
    logger.info("Report reminders: %s mails", sent)
    return sent
