import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from measures.models import Concept, ConceptVersion, Goal, Measure, Responsibility, StatusUpdate

from ..actors.factories import OrganisationFactory
from ..core.factories import UserFactory


class ConceptFactory(DjangoModelFactory):
    class Meta:
        model = Concept

    title = "Integrationskonzept der Stadt Wiesenbrück"


class ConceptVersionFactory(DjangoModelFactory):
    """An adopted version; pass ``status=ConceptVersion.Status.REVISION, adopted_on=None``
    for a revision."""

    class Meta:
        model = ConceptVersion

    concept = factory.SubFactory(ConceptFactory)
    label = factory.Sequence(lambda n: f"Fassung {2009 + n}")
    status = ConceptVersion.Status.ADOPTED
    adopted_on = factory.LazyFunction(timezone.localdate)
    adopted_by = "Rat der Stadt Wiesenbrück"


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    version = factory.SubFactory(ConceptVersionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Ziel {n + 1}: Teilhabe stärken")


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    goal = factory.SubFactory(GoalFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Maßnahme {n + 1}: Sprachcafé ausbauen")
    lead = factory.SubFactory(OrganisationFactory)


class StatusUpdateFactory(DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    measure = factory.SubFactory(MeasureFactory)
    date = factory.LazyFunction(timezone.localdate)
    status = Measure.Status.IN_PROGRESS
    note = "Erste Treffen haben stattgefunden."


class ResponsibilityFactory(DjangoModelFactory):
    class Meta:
        model = Responsibility

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
