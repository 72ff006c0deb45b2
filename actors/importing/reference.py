"""What the rows of a file are checked against: circles, languages, fields, existing entries."""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from integration.core.models import FieldOfAction

from ..models import Affiliation, Circle, CircleMembership, Language, Organisation, Person
from .columns import _norm
from .reading import Table


@dataclass
class Reference:
    circles: dict[str, Circle]
    languages: dict[str, Language]
    fields: dict[str, FieldOfAction]
    organisations: dict[str, Organisation]
    people_by_email: dict[str, Person]
    people_by_name: dict[str, Person]
    # Current links of the people and organisations above: (person or organisation id, circle id)
    person_circles: set[tuple[int, int]]
    organisation_circles: set[tuple[int, int]]
    affiliations: set[tuple[int, int]]  # (person id, organisation id)

    @property
    def circles_by_id(self) -> dict[int, Circle]:
        return {circle.pk: circle for circle in self.circles.values()}

    @property
    def fields_by_id(self) -> dict[int, FieldOfAction]:
        return {field.pk: field for field in self.fields.values()}

    @property
    def languages_by_id(self) -> dict[int, Language]:
        return {language.pk: language for language in self.languages.values()}


def _current() -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gt=timezone.localdate())


def reference_load(table: Table) -> Reference:
    """Load circles, languages, fields of action and the existing entries the rows name.

    A constant number of queries whatever the size of the file.
    """
    emails = {_norm(row.values.get("email", "")) for row in table.rows} - {""}
    last_names = {_norm(row.values.get("last_name", "")) for row in table.rows} - {""}
    people = Person.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    by_email: dict[str, Person] = {}
    for person in people.annotate(email_lower=Lower("email")).filter(email_lower__in=emails):
        by_email.setdefault(_norm(person.email), person)
    by_name: dict[str, Person] = {}
    named = people.annotate(last_lower=Lower("last_name")).filter(last_lower__in=last_names)
    for person in named:
        by_name.setdefault(_norm(f"{person.first_name} {person.last_name}"), person)
    organisations = {_norm(org.name): org for org in Organisation.objects.all()}
    person_ids = [person.pk for person in by_email.values()]
    languages: dict[str, Language] = {}
    for language in Language.objects.all():
        languages[_norm(language.name)] = language
        languages.setdefault(_norm(language.code), language)
    memberships = CircleMembership.objects.filter(_current())
    return Reference(
        circles={_norm(circle.name): circle for circle in Circle.objects.all()},
        languages=languages,
        fields={_norm(field.name): field for field in FieldOfAction.objects.all()},
        organisations=organisations,
        people_by_email=by_email,
        people_by_name=by_name,
        person_circles=set(
            memberships.filter(person_id__in=person_ids).values_list("person_id", "circle_id")
        ),
        organisation_circles=set(
            memberships.filter(organisation__isnull=False).values_list(
                "organisation_id", "circle_id"
            )
        ),
        affiliations=set(
            Affiliation.objects.filter(_current(), person_id__in=person_ids).values_list(
                "person_id", "organisation_id"
            )
        ),
    )
