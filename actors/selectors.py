"""Read queries of the network, and the one consent rule every part of the system asks."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration.core.models import User

from .models import (
    Affiliation,
    Circle,
    CircleMembership,
    Consent,
    Organisation,
    Person,
    PrivacyLogEntry,
)


@dataclass(frozen=True)
class ConsentCheck:
    allowed: bool
    reason: str = ""


def _valid_consents(person: Person) -> list[Consent]:
    # Uses prefetched consents when a list page loaded them, so that asking for
    # many people costs no query each.
    return [consent for consent in person.consents.all() if consent.withdrawn_at is None]


def consent_check(*, person: Person, purpose: str) -> ConsentCheck:
    """May ``person`` be emailed for ``purpose``? If not, a German reason for the UI.

    This is the rule for every mail to a person of the network: surveys,
    invitations, task reminders. Nothing is sent where ``allowed`` is False.
    """
    if person.anonymised_at is not None:
        return ConsentCheck(False, _("The person's data was erased."))
    if person.merged_into_id is not None:
        return ConsentCheck(False, _("The person was merged into another entry."))
    if person.is_archived:
        return ConsentCheck(False, _("The person is archived."))
    if not person.email:
        return ConsentCheck(False, _("No email address is stored."))
    if any(consent.purpose == purpose for consent in _valid_consents(person)):
        return ConsentCheck(True)
    withdrawn = [
        consent
        for consent in person.consents.all()
        if consent.purpose == purpose and consent.withdrawn_at is not None
    ]
    label = Consent.Purpose(purpose).label
    if withdrawn:
        last = max(withdrawn, key=lambda consent: consent.withdrawn_at)
        return ConsentCheck(
            False,
            _("Consent for “%(purpose)s” was withdrawn on %(date)s.")
            % {"purpose": label, "date": formats.date_format(last.withdrawn_at.date())},
        )
    return ConsentCheck(
        False, _("No legal basis for “%(purpose)s” is recorded.") % {"purpose": label}
    )


@dataclass(frozen=True)
class Mailing:
    """Who of a group may be written to for a purpose: addresses, and the others with why not."""

    addresses: list[str]
    left_out: list[dict]


def circle_mailing(*, people: list[Person], purpose: str) -> Mailing:
    """Addresses of ``people`` (each once, by name) that ``consent_check`` allows for
    ``purpose``, and every other person with the German reason. One query."""
    allowed = set(
        people_emailable(
            purpose=purpose, queryset=Person.objects.filter(pk__in=[p.pk for p in people])
        ).values_list("pk", flat=True)
    )
    addresses, seen = [], set()
    for person in sorted(people, key=lambda p: (p.last_name, p.first_name)):
        if person.pk in allowed and person.email.lower() not in seen:
            seen.add(person.email.lower())
            addresses.append(person.email)
    left_out = [
        {"person": person, "reason": consent_check(person=person, purpose=purpose).reason}
        for person in people
        if person.pk not in allowed
    ]
    return Mailing(addresses=addresses, left_out=left_out)


def people_emailable(*, purpose: str, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people of ``queryset`` that ``consent_check`` allows for ``purpose``, as a query."""
    queryset = Person.objects.all() if queryset is None else queryset
    valid = Consent.objects.filter(
        person=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True
    )
    return queryset.active().exclude(email="").filter(Exists(valid))


def current_q(prefix: str = "") -> Q:
    """The one condition for a current affiliation or circle membership, as a query.

    ``end_date`` is the first day on which it no longer counts: one without an end
    date or ending after today is current; one ending today is already former (so
    "end today" takes effect at once). The start date does not matter: a membership
    starting next month is current (planned) and must not be doubled.
    ``prefix`` reaches the dates through a relation, e.g. ``"memberships__"``.
    """
    today = timezone.localdate()
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": today})


def is_current(obj: Affiliation | CircleMembership) -> bool:
    """``current_q`` for a loaded row: no end date or an end date after today."""
    return obj.end_date is None or obj.end_date > timezone.localdate()


def organisations_visible_to(*, user: User) -> QuerySet[Organisation]:
    """Organisations ``user`` may see; none without the view permission."""
    if not user.has_perm("actors.view_organisation"):
        return Organisation.objects.none()
    return Organisation.objects.all()


def people_visible_to(*, user: User) -> QuerySet[Person]:
    """People ``user`` may see: never merged duplicates or anonymised rows in lists."""
    if not user.has_perm("actors.view_person"):
        return Person.objects.none()
    return Person.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)


def circles_visible_to(*, user: User) -> QuerySet[Circle]:
    if not user.has_perm("actors.view_circle"):
        return Circle.objects.none()
    return Circle.objects.all()


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    """Organisations with what their list row shows, in a constant number of queries."""
    return organisations_visible_to(user=user).prefetch_related(
        "fields_of_action",
        Prefetch(
            "circle_memberships",
            queryset=CircleMembership.objects.select_related("circle").filter(current_q()),
            to_attr="current_circle_memberships",
        ),
    )


def person_list(*, user: User) -> QuerySet[Person]:
    """People with affiliations, languages and consents prefetched for their list row."""
    return people_visible_to(user=user).prefetch_related(
        "languages",
        "consents",
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation").filter(current_q()),
            to_attr="current_affiliations",
        ),
    )


def circle_members(*, circle: Circle) -> QuerySet[CircleMembership]:
    """Current and past memberships of a circle with the member and its consents loaded.

    Rows of merged duplicates are left out: what counts moved to the person kept,
    and a duplicate must never show up as a member beside it.
    """
    memberships = circle.memberships.filter(
        Q(person__isnull=True) | Q(person__merged_into__isnull=True)
    )
    return memberships.select_related("person", "organisation").prefetch_related(
        "person__consents",
        Prefetch(
            "person__affiliations",
            queryset=Affiliation.objects.select_related("organisation").filter(current_q()),
            to_attr="current_affiliations",
        ),
    )


# Screens of the network: overview figures, circle list, detail pages and history.


def network_figures(*, user: User) -> dict[str, int]:
    """Counts of the network's overview page in three queries; zero where ``user`` may not see."""
    people = people_visible_to(user=user).filter(is_archived=False)
    return {
        "organisations": organisations_visible_to(user=user).filter(is_archived=False).count(),
        **people.aggregate(people=Count("pk"), volunteers=Count("pk", filter=Q(is_volunteer=True))),
        "circles": circles_visible_to(user=user).filter(is_archived=False).count(),
    }


def circle_list(*, user: User) -> QuerySet[Circle]:
    """Circles ``user`` may see with their number of current members, active ones first."""
    current = current_q("memberships__")
    # A merged duplicate's row is not a member of its own; its person is counted once.
    person = Q(memberships__person__isnull=False, memberships__person__merged_into__isnull=True)
    return (
        circles_visible_to(user=user)
        .annotate(
            people_count=Count("memberships", filter=current & person),
            organisations_count=Count(
                "memberships", filter=current & Q(memberships__organisation__isnull=False)
            ),
        )
        .order_by("is_archived", "name")
    )


def organisation_affiliations(*, organisation: Organisation) -> list[Affiliation]:
    """The people of ``organisation``, current and former, with the person loaded."""
    return list(
        organisation.affiliations.select_related("person")
        .filter(person__anonymised_at__isnull=True, person__merged_into__isnull=True)
        .order_by("person__last_name", "person__first_name")
    )


def person_choices(*, user: User) -> QuerySet[Person]:
    """Active people for a select, with the current organisation for a telling label."""
    return (
        people_visible_to(user=user)
        .active()
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organisation").filter(current_q()),
                to_attr="current_affiliations",
            )
        )
    )


# A select offers at most this many people; more matches ask for a finer search.
PERSON_CHOICE_LIMIT = 50


def person_search(*, people: QuerySet[Person], q: str = "") -> QuerySet[Person]:
    """The ``people`` (e.g. ``person_choices``) whose first name, last name or email
    contains every word of ``q``, by surname."""
    for term in q.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        )
    return people.order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    date: datetime
    user: str
    action: str
    subject: str
    changes: tuple[FieldChange, ...] = ()


def _history_value(record, name: str) -> str:
    field = record._meta.get_field(name)
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "–"
    if field.is_relation:
        try:
            return str(getattr(record, name))
        except ObjectDoesNotExist:
            return f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


_ACTIONS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
}


def history_entries(records, *, subject) -> list[HistoryEntry]:
    """Turn simple-history records into entries with field diffs, newest first.

    ``records`` may mix several objects (and models); each record is compared
    with the previous record of the same object. ``subject(record)`` names it.
    """
    previous: dict[tuple[type, int], object] = {}
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (type(record), record.id)
        before = previous.get(key)
        changes: tuple[FieldChange, ...] = ()
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            changes = tuple(
                FieldChange(
                    str(record._meta.get_field(change.field).verbose_name),
                    _history_value(before, change.field),
                    _history_value(record, change.field),
                )
                for change in delta.changes
            )
            if not changes:
                # A save without any change (e.g. only excluded fields) tells nothing.
                previous[key] = record
                continue
        previous[key] = record
        entries.append(
            HistoryEntry(
                date=record.history_date,
                user=str(record.history_user) if record.history_user else _("system"),
                action=str(_ACTIONS.get(record.history_type, record.history_type)),
                subject=subject(record),
                changes=changes,
            )
        )
    entries.reverse()
    return entries


def organisation_history(*, organisation: Organisation) -> list[HistoryEntry]:
    """Changes of ``organisation`` and of its circle memberships, in two queries."""
    own = organisation.history.select_related("history_user")
    memberships = CircleMembership.history.filter(organisation_id=organisation.pk).select_related(
        "history_user", "circle", "organisation"
    )
    label = str(Organisation._meta.verbose_name).capitalize()
    membership_label = str(CircleMembership._meta.verbose_name).capitalize()

    def subject(record) -> str:
        if isinstance(record, CircleMembership.history.model):
            return f"{membership_label}: {_history_value(record, 'circle')}"
        return label

    return history_entries([*own, *memberships], subject=subject)


def circle_history(*, circle: Circle) -> list[HistoryEntry]:
    """Changes of ``circle`` and of its memberships (who joined and left), in two queries."""
    own = circle.history.select_related("history_user")
    memberships = CircleMembership.history.filter(circle_id=circle.pk).select_related(
        "history_user", "circle", "person", "organisation"
    )
    label = str(Circle._meta.verbose_name).capitalize()
    membership_label = str(CircleMembership._meta.verbose_name).capitalize()

    def subject(record) -> str:
        if isinstance(record, CircleMembership.history.model):
            member = record.person or record.organisation
            return f"{membership_label}: {member}"
        return label

    return history_entries([*own, *memberships], subject=subject)


def person_history(*, person: Person) -> list[HistoryEntry]:
    """Changes of ``person``, its affiliations and memberships, and of the duplicates
    merged into it, in four queries."""
    duplicates = {duplicate.pk: duplicate for duplicate in person.merged_duplicates.all()}
    ids = [person.pk, *duplicates]
    # merged_into is shown by name in the diff: loaded here, not once per record.
    own = Person.history.filter(id__in=ids).select_related("history_user", "merged_into")
    affiliations = Affiliation.history.filter(person_id__in=ids).select_related(
        "history_user", "organisation", "person"
    )
    memberships = CircleMembership.history.filter(person_id__in=ids).select_related(
        "history_user", "circle", "person"
    )
    person_label = str(Person._meta.verbose_name).capitalize()
    affiliation_label = str(Affiliation._meta.verbose_name).capitalize()
    membership_label = str(CircleMembership._meta.verbose_name).capitalize()

    def subject(record) -> str:
        if isinstance(record, Affiliation.history.model):
            return f"{affiliation_label}: {_history_value(record, 'organisation')}"
        if isinstance(record, CircleMembership.history.model):
            return f"{membership_label}: {_history_value(record, 'circle')}"
        if record.id in duplicates:
            return _("Merged duplicate: %(name)s") % {"name": duplicates[record.id]}
        return person_label

    return history_entries([*own, *affiliations, *memberships], subject=subject)


def privacylog_list() -> QuerySet[PrivacyLogEntry]:
    """The privacy log, newest first, with the acting user loaded."""
    return PrivacyLogEntry.objects.select_related("by").order_by("-created_at", "-pk")
