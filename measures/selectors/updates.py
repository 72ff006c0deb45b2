"""Reads of the Umsetzungsstand: who may update a measure, "Meine Maßnahmen", stale measures."""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from actors.models import Consent, Organisation, Person
from actors.selectors import ConsentCheck, consent_check
from integration.core.models import User
from integration.core.roles import Role

from ..models import ConceptVersion, Measure

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


@dataclass
class StaleGroup:
    """The stale measures of one lead department, and whom a reminder would reach."""

    lead: Organisation | None
    measures: list[Measure] = field(default_factory=list)
    # Contact persons of these measures that may be emailed (TASKS), each once.
    recipients: list[Person] = field(default_factory=list)
    # The others, each with the German reason from consent_check.
    left_out: list[tuple[Person, str]] = field(default_factory=list)
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


def reminder_cache_key(*, lead_id: int, day: date) -> str:
    """The cache key that marks a lead as reminded on ``day`` (see stale_remind)."""
    return f"measures:stale-reminder:{lead_id}:{day.isoformat()}"


def stale_groups(*, user: User, today: date | None = None) -> list[StaleGroup]:
    """``stale_measures`` grouped by lead (those without a lead last), each with the
    contact persons a reminder reaches and those it leaves out with the reason.
    Constant number of queries."""
    today = today or timezone.localdate()
    groups: dict[int | None, StaleGroup] = {}
    for measure in stale_measures(user=user, today=today):
        group = groups.setdefault(measure.lead_id, StaleGroup(lead=measure.lead))
        group.measures.append(measure)
    for group in groups.values():
        group.recipients, group.left_out = reminder_recipients(measures=group.measures)
    reminded = cache.get_many(
        [reminder_cache_key(lead_id=lead_id, day=today) for lead_id in groups if lead_id]
    )
    for lead_id, group in groups.items():
        if lead_id is not None:
            group.reminded_today = reminder_cache_key(lead_id=lead_id, day=today) in reminded
    return sorted(groups.values(), key=lambda group: (group.lead is None, str(group.lead or "")))


def reminder_recipients(
    *, measures: list[Measure]
) -> tuple[list[Person], list[tuple[Person, str]]]:
    """The contact persons of ``measures`` that ``consent_check`` allows for TASKS
    (each once), and the others with the reason. Uses the prefetched consents."""
    recipients, left_out, seen = [], [], set()
    for measure in measures:
        person = measure.contact
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        check: ConsentCheck = consent_check(person=person, purpose=Consent.Purpose.TASKS)
        if check.allowed:
            recipients.append(person)
        else:
            left_out.append((person, check.reason))
    return recipients, left_out
