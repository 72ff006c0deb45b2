"""Funding in the catalogue: the funding filter, the measure's "Förderung" block, demo data."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.demo import funding as demo
from measures.models import FundingProgramme, Grant, GrantYear, Measure
from measures.selectors.funding import funding_totals, funding_years
from measures.services.catalogue import version_revise

from .factories import (
    ConceptVersionFactory,
    FundingProgrammeFactory,
    GoalFactory,
    GrantFactory,
    GrantYearFactory,
    MeasureFactory,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("measures:index")


def _codes(page):
    return [row.select_one("td").text for row in page.html.select(".catalogue-measure")]


@pytest.fixture
def catalogue():
    version = ConceptVersionFactory(adopted_on=date(2009, 6, 25))
    goal = GoalFactory(version=version, number=1)
    return version, [MeasureFactory(goal=goal, number=n) for n in (1, 2, 3)]


def test_catalogue_funding_filter_by_programme_and_without(django_app, committee_member, catalogue):
    _version, (first, second, _third) = catalogue
    kim = FundingProgrammeFactory(name="Kommunales Integrationsmanagement NRW", short_name="KIM")
    pauschale = FundingProgrammeFactory(name="Integrationspauschale NRW")
    FundingProgrammeFactory(name="Ohne Zuwendungen")
    GrantFactory(programme=kim).measures.add(first)
    GrantFactory(programme=kim).measures.add(first)
    GrantFactory(programme=pauschale).measures.add(second)
    page = django_app.get(INDEX, user=committee_member)
    form = page.forms["list-filters"]
    labels = [label for _value, _selected, label in form["funding"].options]
    # Programmes with grants only, and "without funding".
    assert labels == ["Alle", "Integrationspauschale NRW", "KIM", "ohne Förderung"]
    form["funding"] = str(kim.pk)
    assert _codes(form.submit()) == ["1.1"]
    form["funding"] = "none"
    assert _codes(form.submit()) == ["1.3"]


def test_catalogue_funding_filter_counts_grants_of_earlier_copies(django_app, coordinator):
    version = ConceptVersionFactory(adopted_on=date(2009, 6, 25))
    measure = MeasureFactory(goal=GoalFactory(version=version))
    revision = version_revise(by=None, version=version)
    # Linked after the revision started: only the old copy has the row.
    programme = FundingProgrammeFactory()
    GrantFactory(programme=programme).measures.add(measure)
    url = f"{revision.get_absolute_url()}?funding={programme.pk}"
    page = django_app.get(url, user=coordinator)
    assert len(page.html.select(".catalogue-measure")) == 1
    page = django_app.get(f"{revision.get_absolute_url()}?funding=none", user=coordinator)
    assert page.html.select(".catalogue-measure") == []


@pytest.mark.parametrize("query", ["", "?funding=none", "?funding=PK"])
def test_catalogue_funding_filter_keeps_query_count_constant(django_app, coordinator, query):
    version = ConceptVersionFactory()
    goal = GoalFactory(version=version)
    programme = FundingProgrammeFactory()
    url = INDEX + query.replace("PK", str(programme.pk))
    counts = []
    for count in (3, 40):
        Measure.objects.all().delete()
        for n in range(count):
            measure = MeasureFactory(goal=goal, number=n + 1)
            if n % 2:
                GrantFactory(programme=programme).measures.add(measure)
        django_app.get(url, user=coordinator)
        with CaptureQueriesContext(connection) as queries:
            django_app.get(url, user=coordinator)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_measure_detail_lists_grants_with_note(django_app, committee_member, catalogue):
    _version, (measure, other, _third) = catalogue
    measure.funding_note = "Eigenmittel und Landesmittel"
    measure.save()
    grant = GrantFactory(
        programme=FundingProgrammeFactory(name="Integrationspauschale NRW"),
        title="Arbeits- und Integrationsmanagement",
        starts_on=date(2019, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    GrantYearFactory(grant=grant, year=2019, granted=Decimal(200000))
    GrantYearFactory(grant=grant, year=2020, granted=Decimal(200000))
    grant.measures.add(measure)
    page = django_app.get(
        reverse("measures:measure_detail", args=[measure.pk]), user=committee_member
    )
    block = page.html.select_one(".measure-funding").text
    assert "Eigenmittel und Landesmittel" in block
    assert "Integrationspauschale NRW: Arbeits- und Integrationsmanagement" in block
    assert "Bewilligt" in block
    assert "01.01.2019 – 31.12.2020" in block
    assert "400.000 € bewilligt" in block
    page = django_app.get(
        reverse("measures:measure_detail", args=[other.pk]), user=committee_member
    )
    assert "keine Zuwendung verknüpft" in page.html.select_one(".measure-funding").text


def test_demo_seed_is_idempotent_and_matches_the_seeds(catalogue):
    version, _measures = catalogue
    lotsen = MeasureFactory(goal=version.goals.get(), title="Arbeitsmarktlotsen für Geflüchtete")
    today = date(2026, 3, 16)
    first = demo.seed(today=today)
    assert demo.seed(today=today) == first | {"grants_created": 0}
    assert first["programmes"] == 5
    assert first["grants"] == 8
    assert not FundingProgramme.objects.get(short_name="AMIF").is_active
    statuses = set(Grant.objects.values_list("status", flat=True))
    assert statuses == {"applied", "granted", "rejected", "settled"}
    pauschale = Grant.objects.get(title__startswith="Integrationspauschale 2019/2020")
    assert sum(pauschale.years.values_list("granted", flat=True)) == Decimal(400000)
    assert list(pauschale.measures.all()) == [lotsen]
    assert set(
        GrantYear.objects.filter(
            grant__title__startswith="Integrationsbegleitung durch"
        ).values_list("granted", flat=True)
    ) == {Decimal(33000)}
    assert Grant.objects.filter(report_due_on=date(2026, 3, 26)).exists()
    years = funding_years()
    assert [row.year for row in years] == list(range(2019, 2028))
    assert funding_totals(years).grants == 8
