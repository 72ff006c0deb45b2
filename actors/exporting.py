"""The network's lists as tables for CSV and XLSX downloads.

Each function takes the (filtered, permission-scoped) queryset of a list page,
adds the prefetches its columns need and returns a ``tablib.Dataset`` with
German headers; ``integration.core.tabular.dataset_response`` makes the
download. The people's columns are those the import reads, so an exported
list can be corrected in Excel and imported elsewhere.
"""

import tablib
from django.db.models import Prefetch, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from .models import Affiliation, Circle, CircleMembership, Consent, Organisation, Person
from .selectors import consent_check, current_q


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _joined(values) -> str:
    return "; ".join(value for value in values if value)


def _current_memberships() -> Prefetch:
    return Prefetch(
        "circle_memberships",
        queryset=CircleMembership.objects.filter(current_q()).select_related("circle"),
        to_attr="export_memberships",
    )


def organisations_dataset(organisations: QuerySet[Organisation]) -> tablib.Dataset:
    """One row per organisation; a constant number of queries."""
    organisations = organisations.prefetch_related("fields_of_action", _current_memberships())
    dataset = tablib.Dataset(title=_("Organisations"))
    dataset.headers = [
        _("Organisation"),
        _("Short name"),
        _("Kind"),
        _("Professional or volunteer"),
        _("Street and number"),
        _("Postal code"),
        _("City"),
        _("Phone"),
        _("Email"),
        _("Website"),
        _("Fields of action"),
        _("Network circles"),
        _("Archived"),
        _("Notes"),
    ]
    for organisation in organisations:
        dataset.append(
            [
                organisation.name,
                organisation.short_name,
                organisation.get_kind_display(),
                organisation.get_staffing_display(),
                organisation.street,
                organisation.postal_code,
                organisation.city,
                organisation.phone,
                organisation.email,
                organisation.website,
                _joined(field.name for field in organisation.fields_of_action.all()),
                _joined(m.circle.name for m in organisation.export_memberships),
                _yes_no(organisation.is_archived),
                organisation.notes,
            ]
        )
    return dataset


def people_dataset(people: QuerySet[Person]) -> tablib.Dataset:
    """One row per person with current organisations and circles; constant queries."""
    people = people.prefetch_related(
        "languages",
        _current_memberships(),
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.filter(current_q()).select_related("organisation"),
            to_attr="export_affiliations",
        ),
    )
    dataset = tablib.Dataset(title=_("People"))
    dataset.headers = [
        _("Organisation"),
        _("Function"),
        _("Salutation"),
        _("Title"),
        _("First name"),
        _("Last name"),
        _("Email"),
        _("Phone"),
        _("Languages"),
        _("Volunteer"),
        _("Network circles"),
        _("Archived"),
        _("Notes"),
    ]
    salutations = {Person.Salutation.MS: _("Ms"), Person.Salutation.MR: _("Mr")}
    for person in people:
        affiliations = person.export_affiliations
        dataset.append(
            [
                _joined(affiliation.organisation.name for affiliation in affiliations),
                _joined(affiliation.function for affiliation in affiliations),
                salutations.get(person.salutation, ""),
                person.title,
                person.first_name,
                person.last_name,
                person.email,
                person.phone,
                _joined(language.name for language in person.languages.all()),
                _yes_no(person.is_volunteer),
                _joined(m.circle.name for m in person.export_memberships),
                _yes_no(person.is_archived),
                person.notes,
            ]
        )
    return dataset


def circle_members_dataset(
    circle: Circle, memberships: QuerySet[CircleMembership]
) -> tablib.Dataset:
    """The current members of ``circle``: people and organisations; constant queries.

    The file is used as a distribution list, so a person's address is only in it
    where ``consent_check`` allows invitations; otherwise the last column says why.
    """
    memberships = (
        memberships.filter(current_q())
        # Erased or merged people are no members any more, whatever the row says.
        .exclude(person__anonymised_at__isnull=False)
        .exclude(person__merged_into__isnull=False)
        .select_related("person", "organisation")
        .prefetch_related(
            Prefetch(
                "person__affiliations",
                queryset=Affiliation.objects.filter(current_q()).select_related("organisation"),
                to_attr="export_affiliations",
            ),
            "person__consents",
        )
        .order_by("organisation__name", "person__last_name", "person__first_name", "pk")
    )
    dataset = tablib.Dataset(title=circle.name[:31])
    dataset.headers = [
        _("Member"),
        _("Person or organisation"),
        _("Organisation"),
        _("Function"),
        _("Role"),
        _("Email"),
        _("Phone"),
        _("Member since"),
        _("No invitations by email because"),
    ]
    for membership in memberships:
        person = membership.person
        if person is not None:
            affiliations = person.export_affiliations
            member = [
                person.full_name,
                _("Person"),
                _joined(affiliation.organisation.name for affiliation in affiliations),
                _joined(affiliation.function for affiliation in affiliations),
            ]
            contact = membership.person
            check = consent_check(person=person, purpose=Consent.Purpose.INVITATIONS)
            email, reason = (person.email, "") if check.allowed else ("", check.reason)
        else:
            contact = membership.organisation
            member = [contact.name, _("Organisation"), "", ""]
            email, reason = contact.email, ""
        dataset.append(
            [
                *member,
                membership.get_role_display(),
                email,
                contact.phone,
                formats.date_format(membership.start_date, "SHORT_DATE_FORMAT")
                if membership.start_date
                else "",
                reason,
            ]
        )
    return dataset
