"""Reads of the Umsetzungsstand: who may update a measure, "Meine Maßnahmen", stale measures."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Consent, Organisation, Person
from actors.selectors import ConsentCheck, consent_check
from integration.core.models import User
from integration.core.roles import Role

from ..models import ConceptVersion, Measure, Responsibility, StaleReminder

# Statuses of measures that need no further progress notes: never stale, never overdue.
CLOSED_STATUSES = (Measure.Status.DONE, Measure.Status.PERMANENT, Measure.Status.DISCARDED)


def current_version_ids() -> set[int]:
    """The current version of every concept: its newest adopted version (by
    ``adopted_on``, then ``created_at``, then pk), or, while none is adopted yet, its
    revision. One query. The one rule for "current": ``concept_current_version`` and
    starting a revision use it too."""
    versions = ConceptVersion.objects.values_list(
        "pk", "concept_id", "status", "adopted_on", "created_at"
    )
    adopted: dict[int, tuple] = {}
    revision: dict[int, int] = {}
    for pk, concept_id, status, adopted_on, created_at in versions:
        if status == ConceptVersion.Status.ADOPTED:
            rank = (adopted_on, created_at, pk)
            if concept_id not in adopted or rank > adopted[concept_id]:
                adopted[concept_id] = rank
        else:
            revision[concept_id] = pk
    return {rank[2] for rank in adopted.values()} | {
        pk for concept_id, pk in revision.items() if concept_id not in adopted
    }


def current_measures() -> QuerySet[Measure]:
    """The measures of the current versions, as offered for linking (grants,
    resolutions, follow-up tasks); ``str()`` gives "3.2 Title"."""
    return (
        Measure.objects.filter(goal__version_id__in=current_version_ids())
        .select_related("goal")
        .order_by("goal__version__concept__title", "goal__number", "number")
    )


def responsible_organisation_ids(*, user: User) -> set[int]:
    """The departments (Organisation ids) ``user`` answers for through Responsibility rows."""
    if not user.is_authenticated:
        return set()
    return set(user.responsibilities.values_list("organisation_id", flat=True))


def can_update(*, user: User, measure: Measure) -> bool:
    """May ``user`` record a status update on ``measure``?

    Only measures of the current version of their concept; old versions are
    read-only for everyone. Koordination (``change_measure``) may update any of
    them; a Verwaltung login (``add_statusupdate``) only those whose lead is one of
    the departments of its Responsibility rows.
    """
    if not user.is_authenticated:
        return False
    coordinates = user.has_perm("measures.change_measure")
    if not coordinates and not user.has_perm("measures.add_statusupdate"):
        return False
    if measure.goal.version_id not in current_version_ids():
        return False
    if coordinates:
        return True
    return measure.lead_id is not None and measure.lead_id in responsible_organisation_ids(
        user=user
    )


def _annotated(queryset: QuerySet[Measure], *, today: date) -> QuerySet[Measure]:
    """Measures with ``is_overdue`` (end passed, not closed) and ``is_stale`` (no update
    for MEASURE_STALE_MONTHS months, not closed), for badges in lists."""
    cutoff = stale_cutoff(today=today)
    open_ = ~Q(status__in=CLOSED_STATUSES)
    return queryset.annotate(
        is_overdue=Case(
            When(open_ & Q(end_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_stale=Case(
            When(
                open_ & (Q(last_update_on__isnull=True) | Q(last_update_on__lt=cutoff)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def stale_cutoff(*, today: date | None = None) -> date:
    """Updates before this day are too old: MEASURE_STALE_MONTHS months before ``today``."""
    today = today or timezone.localdate()
    return today - relativedelta(months=settings.MEASURE_STALE_MONTHS)


def my_measures(*, user: User) -> QuerySet[Measure]:
    """The measures of current versions led by the departments ``user`` answers for,
    with ``is_overdue``/``is_stale``; two queries plus the list, whatever its length."""
    if not user.has_perm("measures.add_statusupdate"):
        return Measure.objects.none()
    organisation_ids = responsible_organisation_ids(user=user)
    queryset = Measure.objects.filter(
        goal__version_id__in=current_version_ids(), lead_id__in=organisation_ids
    ).select_related("goal__version__concept", "lead")
    return _annotated(queryset, today=timezone.localdate()).order_by(
        "lead__name", "goal__version__concept__title", "goal__number", "number"
    )


def coordinators_list() -> list[User]:
    """Active users of the Koordination role: whom to ask for a Responsibility."""
    return list(
        User.objects.filter(groups__name=Role.COORDINATION.value, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class Recipient:
    """Someone a stale reminder is mailed to: a contact person of the lead's measures
    (``person``) or a Verwaltung login answering for the lead (``user``)."""

    name: str
    email: str
    salutation: str
    person: Person | None = None
    user: User | None = None


@dataclass
class StaleGroup:
    """The stale measures of one lead department, and whom a reminder would reach."""

    lead: Organisation | None
    measures: list[Measure] = field(default_factory=list)
    # Contact persons that may be emailed (TASKS) and the lead's logins, each address once.
    recipients: list[Recipient] = field(default_factory=list)
    # The contact persons left out, each with the German reason from consent_check.
    left_out: list[tuple[Person, str]] = field(default_factory=list)
    # The newest reminder of this lead, if any.
    last_reminder: StaleReminder | None = None
    reminded_today: bool = False

    @property
    def can_remind(self) -> bool:
        return self.lead is not None and bool(self.recipients)


def _stale(*, today: date) -> QuerySet[Measure]:
    queryset = (
        Measure.objects.filter(goal__version_id__in=current_version_ids())
        .exclude(status__in=CLOSED_STATUSES)
        .filter(Q(last_update_on__isnull=True) | Q(last_update_on__lt=stale_cutoff(today=today)))
        .select_related("goal__version__concept", "lead", "contact")
        .prefetch_related(
            Prefetch(
                "contact__consents", queryset=Consent.objects.filter(purpose=Consent.Purpose.TASKS)
            )
        )
    )
    return _annotated(queryset, today=today).order_by(
        "lead__name", "goal__version__concept__title", "goal__number", "number"
    )


def stale_measures(*, user: User, today: date | None = None) -> QuerySet[Measure]:
    """Measures of current versions with no status update for MEASURE_STALE_MONTHS
    months (``last_update_on`` older, or never updated) and not done, permanent or
    discarded; contacts with their TASKS consents prefetched. ``change_measure`` only."""
    if not user.has_perm("measures.change_measure"):
        return Measure.objects.none()
    return _stale(today=today or timezone.localdate())


def stale_measures_for_lead(*, lead_id: int, today: date | None = None) -> QuerySet[Measure]:
    """``stale_measures`` of one lead department, for the reminder task (no user there)."""
    return _stale(today=today or timezone.localdate()).filter(lead_id=lead_id)


def lead_logins(*, lead_ids) -> dict[int, list[User]]:
    """The active Verwaltung logins with an email address that answer for each of
    ``lead_ids`` (Responsibility): they update the lead's measures. One query."""
    rows = (
        Responsibility.objects.filter(
            organisation_id__in=lead_ids,
            user__is_active=True,
            user__groups__name=Role.ADMINISTRATION.value,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )
    logins: dict[int, list[User]] = {}
    for row in rows:
        logins.setdefault(row.organisation_id, []).append(row.user)
    return logins


def last_reminders(*, lead_ids) -> dict[int, StaleReminder]:
    """The newest StaleReminder of each of ``lead_ids``, with who sent it. One query."""
    newest_day = (
        StaleReminder.objects.filter(lead_id=OuterRef("lead_id")).order_by("-day").values("day")
    )
    rows = StaleReminder.objects.filter(
        lead_id__in=lead_ids, day=Subquery(newest_day[:1])
    ).select_related("sent_by")
    return {row.lead_id: row for row in rows}


def stale_groups(*, user: User, today: date | None = None) -> list[StaleGroup]:
    """``stale_measures`` grouped by lead (those without a lead last), each with whom a
    reminder reaches, the contact persons it leaves out with the reason, and the lead's
    last reminder. Constant number of queries."""
    today = today or timezone.localdate()
    groups: dict[int | None, StaleGroup] = {}
    for measure in stale_measures(user=user, today=today):
        group = groups.setdefault(measure.lead_id, StaleGroup(lead=measure.lead))
        group.measures.append(measure)
    lead_ids = [lead_id for lead_id in groups if lead_id is not None]
    logins = lead_logins(lead_ids=lead_ids) if lead_ids else {}
    reminders = last_reminders(lead_ids=lead_ids) if lead_ids else {}
    for lead_id, group in groups.items():
        group.recipients, group.left_out = reminder_recipients(
            measures=group.measures, logins=logins.get(lead_id, [])
        )
        group.last_reminder = reminders.get(lead_id)
        group.reminded_today = group.last_reminder is not None and (
            group.last_reminder.day == today
        )
    return sorted(groups.values(), key=lambda group: (group.lead is None, str(group.lead or "")))


def reminder_recipients(
    *, measures: list[Measure], logins: Iterable[User] = ()
) -> tuple[list[Recipient], list[tuple[Person, str]]]:
    """Whom a reminder about ``measures`` reaches: their contact persons that
    ``consent_check`` allows for TASKS, then ``logins`` (see ``lead_logins``; their
    work needs no consent), each email address once; and the contact persons left
    out with the reason. Uses the prefetched consents, no query."""
    recipients, left_out, seen_people, seen_emails = [], [], set(), set()
    for measure in measures:
        person = measure.contact
        if person is None or person.pk in seen_people:
            continue
        seen_people.add(person.pk)
        check: ConsentCheck = consent_check(person=person, purpose=Consent.Purpose.TASKS)
        if not check.allowed:
            left_out.append((person, check.reason))
        elif person.email.lower() not in seen_emails:
            seen_emails.add(person.email.lower())
            recipients.append(
                Recipient(person.full_name, person.email, person.letter_salutation, person=person)
            )
    for login in logins:
        if login.email.lower() in seen_emails:
            continue
        seen_emails.add(login.email.lower())
        name = login.get_full_name() or login.username
        recipients.append(
            Recipient(name, login.email, _("Dear %(name)s") % {"name": name}, user=login)
        )
    return recipients, left_out
