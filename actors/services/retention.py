"""The daily retention job of the network (DSGVO): list, warn once, anonymise.

People without a valid legal basis who were inactive for
``RETENTION_INACTIVE_DAYS`` are listed, mailed once where that is allowed, and
anonymised with ``privacy.person_erase`` after ``RETENTION_GRACE_DAYS``.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from integration.core.emails import email_send

from ..models import (
    Consent,
    Person,
    PrivacyLogEntry,
)
from .privacy import RETENTION_REASON, person_erase

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionCase:
    """Where a person without a legal basis stands in the current retention cycle.

    The cycle begins at ``activity_at`` (last activity, or the last consent
    recorded); a listing or warning from before it belongs to an old cycle.
    """

    person: Person
    activity_at: datetime
    listed_at: datetime | None
    warned_at: datetime | None
    warnable: bool
    due_at: datetime | None

    PENDING = "pending"
    LISTED = "listed"
    WARNED = "warned"
    DUE = "due"

    def state(self, now: datetime) -> str:
        if self.due_at is not None and self.due_at <= now:
            return self.DUE
        if self.warned_at is not None:
            return self.WARNED
        if self.listed_at is not None:
            return self.LISTED
        return self.PENDING


def _retention_queryset(*, now: datetime) -> QuerySet[Person]:
    threshold = now - timedelta(days=settings.RETENTION_INACTIVE_DAYS)
    own_activity = Coalesce(F("last_activity_at"), F("updated_at"))
    last_consent = Subquery(
        Consent.objects.filter(person=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    listed = (
        PrivacyLogEntry.objects.filter(
            action=PrivacyLogEntry.Action.RETENTION_LISTED,
            person_id_ref=OuterRef("pk"),
            created_at__gt=OuterRef("activity_at"),
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return (
        Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .exclude(Exists(Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)))
        # A consent recorded later (and withdrawn since) counts as activity: it
        # was a renewal, so the cycle starts again from there.
        .annotate(activity_at=Greatest(own_activity, Coalesce(last_consent, own_activity)))
        .filter(activity_at__lt=threshold)
        .annotate(
            listed_at=Subquery(listed),
            ever_withdrawn=Exists(
                Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=False)
            ),
        )
        .order_by("activity_at", "pk")
    )


def _retention_case(person: Person) -> RetentionCase:
    grace = timedelta(days=settings.RETENTION_GRACE_DAYS)
    warned_at = person.retention_warned_at
    if warned_at is not None and warned_at <= person.activity_at:
        warned_at = None  # a warning of an earlier cycle
    # A withdrawal means no more mail, not even this one.
    warnable = bool(person.email) and not person.ever_withdrawn
    if warned_at is not None:
        due_at = warned_at + grace
    elif person.listed_at is not None and not warnable:
        due_at = person.listed_at + grace
    else:
        due_at = None
    return RetentionCase(
        person=person,
        activity_at=person.activity_at,
        listed_at=person.listed_at,
        warned_at=warned_at,
        warnable=warnable,
        due_at=due_at,
    )


def retention_cases(*, now: datetime | None = None) -> list[RetentionCase]:
    """People without a legal basis inactive for ``RETENTION_INACTIVE_DAYS``, with their state.

    A read for the retention overview; ``retention_run`` acts on the same list.
    """
    now = now or timezone.now()
    return [_retention_case(person) for person in _retention_queryset(now=now)]


@dataclass
class RetentionSummary:
    listed: int = 0
    warned: int = 0
    anonymised: int = 0
    failed: int = 0


def _retention_warn(person: Person, *, now: datetime) -> None:
    deletion_date = timezone.localdate(now + timedelta(days=settings.RETENTION_GRACE_DAYS))
    contact = settings.PRIVACY_CONTACT_EMAIL
    email_send(
        template="actors/emails/retention_warning",
        context={"person": person, "deletion_date": deletion_date, "contact_email": contact},
        to=[person.email],
        headers={"Reply-To": contact} if contact else None,
    )


@transaction.atomic
def _retention_step(*, person_id: int, now: datetime, summary: RetentionSummary) -> None:
    # The row lock makes a second run (acks_late, two workers) wait and then
    # see the listing or warning of the first, so nothing happens twice.
    if not Person.objects.select_for_update().filter(pk=person_id).exists():
        return
    person = _retention_queryset(now=now).filter(pk=person_id).first()
    if person is None:
        return  # renewed consent or new activity since the list was read
    case = _retention_case(person)
    if case.listed_at is None:
        PrivacyLogEntry.objects.create(
            action=PrivacyLogEntry.Action.RETENTION_LISTED, person_id_ref=person.pk
        )
        summary.listed += 1
    if case.due_at is not None and case.due_at <= now:
        person_erase(
            by=None,
            person=person,
            reason=RETENTION_REASON,
            action=PrivacyLogEntry.Action.RETENTION_ANONYMISED,
        )
        summary.anonymised += 1
    elif case.warnable and case.warned_at is None:
        try:
            _retention_warn(person, now=now)
        except (smtplib.SMTPException, OSError):
            # Not warned, so not due: the next run tries again.
            logger.warning("Retention warning to person %s failed", person.pk, exc_info=True)
            summary.failed += 1
            return
        # update(), not save(): updated_at must not move, it is the fallback
        # for the person's last activity.
        Person.objects.filter(pk=person.pk).update(retention_warned_at=now)
        PrivacyLogEntry.objects.create(
            action=PrivacyLogEntry.Action.RETENTION_WARNED, person_id_ref=person.pk
        )
        summary.warned += 1


def retention_run(*, now: datetime | None = None) -> RetentionSummary:
    """The daily retention job: list, warn once, anonymise after the grace period.

    People without a valid legal basis and without activity for
    ``RETENTION_INACTIVE_DAYS`` are listed (logged once per cycle). Those with an
    email address who never withdrew a consent get one warning mail naming the
    deletion date; the others are not mailed. ``RETENTION_GRACE_DAYS`` after the
    warning (or after the listing, for those not warned) they are anonymised.
    A renewed consent or new activity starts a new cycle. Idempotent: safe to
    run several times a day and concurrently. ``now`` defaults to
    ``timezone.now()``; log entries always carry the real time.
    """
    now = now or timezone.now()
    summary = RetentionSummary()
    for person_id in list(_retention_queryset(now=now).values_list("pk", flat=True)):
        _retention_step(person_id=person_id, now=now, summary=summary)
    return summary
