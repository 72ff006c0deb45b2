import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from measures.models import (
    Concept,
    ConceptVersion,
    FundingProgramme,
    Goal,
    Grant,
    GrantYear,
    Indicator,
    Measure,
    Observation,
    Position,
    Responsibility,
    StatusUpdate,
)

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


class FundingProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = FundingProgramme

    name = factory.Sequence(lambda n: f"Förderprogramm {n}")
    provider = "Land NRW"
    level = FundingProgramme.Level.STATE


class GrantFactory(DjangoModelFactory):
    """A granted grant over 2025–2026; add ``GrantYearFactory`` rows for its money."""

    class Meta:
        model = Grant

    programme = factory.SubFactory(FundingProgrammeFactory)
    title = factory.Sequence(lambda n: f"Zuwendung {n}")
    status = Grant.Status.GRANTED
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2026, 12, 31)


class GrantYearFactory(DjangoModelFactory):
    class Meta:
        model = GrantYear

    grant = factory.SubFactory(GrantFactory)
    year = 2025
    applied = Decimal("33000.00")
    granted = Decimal("33000.00")
    spent = None


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    title = factory.Sequence(lambda n: f"Integrationsbeauftragte/r {n}")
    fte = Decimal("0.5")
    status = Position.Status.FILLED


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    field_of_action = factory.SubFactory("tests.core.factories.FieldOfActionFactory")
    name = factory.Sequence(lambda n: f"Kennzahl {n}")
    unit = "%"
    target_value = Decimal("50")


class ObservationFactory(DjangoModelFactory):
    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    period_end = factory.Sequence(lambda n: datetime.date(2015 + n, 12, 31))
    value = Decimal("40")
