import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from actors.models import (
    Affiliation,
    Circle,
    CircleMembership,
    Consent,
    Language,
    Organisation,
    Person,
)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Initiative Nr. {n} Wiesenbrück")
    kind = Organisation.Kind.VOLUNTEER_INITIATIVE
    city = "Wiesenbrück"
    email = factory.Sequence(lambda n: f"info{n}@initiative.example")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    salutation = Person.Salutation.MS
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"person{n}@wiesenbrueck.example")
    is_volunteer = True
    last_activity_at = factory.LazyFunction(timezone.now)


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    function = "Ehrenamtliche Mitarbeit"


class CircleFactory(DjangoModelFactory):
    class Meta:
        model = Circle

    name = factory.Sequence(lambda n: f"Arbeitsgruppe {n}")
    kind = Circle.Kind.WORKING_GROUP


class CircleMembershipFactory(DjangoModelFactory):
    class Meta:
        model = CircleMembership

    circle = factory.SubFactory(CircleFactory)
    person = factory.SubFactory(PersonFactory)
    role = CircleMembership.Role.MEMBER


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    purpose = Consent.Purpose.SURVEYS
    basis = Consent.Basis.CONSENT
    method = Consent.Method.WRITTEN
    given_on = factory.LazyFunction(timezone.localdate)


def language(code: str) -> Language:
    """Languages come from a data migration; look them up rather than create them."""
    return Language.objects.get(code=code)
