"""Read queries of the network, and the one consent rule every part of the system asks."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from integration.core.models import User

from .models import Affiliation, Circle, CircleMembership, Consent, Organisation, Person


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


def people_emailable(*, purpose: str, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """The people of ``queryset`` that ``consent_check`` allows for ``purpose``, as a query."""
    queryset = Person.objects.all() if queryset is None else queryset
    valid = Consent.objects.filter(
        person=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True
    )
    return queryset.active().exclude(email="").filter(Exists(valid))


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
    return organisations_visible_to(user=user).prefetch_related("fields_of_action")


def person_list(*, user: User) -> QuerySet[Person]:
    """People with affiliations, languages and consents prefetched for their list row."""
    return people_visible_to(user=user).prefetch_related(
        "languages",
        "consents",
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("organisation").filter(
                end_date__isnull=True
            ),
            to_attr="current_affiliations",
        ),
    )


def circle_members(*, circle: Circle) -> QuerySet[CircleMembership]:
    """Current and past memberships of a circle with the member and its consents loaded."""
    return circle.memberships.select_related("person", "organisation").prefetch_related(
        "person__consents",
        Prefetch(
            "person__affiliations",
            queryset=Affiliation.objects.select_related("organisation").filter(
                end_date__isnull=True
            ),
            to_attr="current_affiliations",
        ),
    )
