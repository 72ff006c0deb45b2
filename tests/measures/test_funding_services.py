"""Funding rules: a grant's years, programmes, links to measures, sums per year."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from measures.models import ConceptVersion, Grant, GrantYear
from measures.selectors.funding import funding_totals, funding_years, grants_for_measure
from measures.services.catalogue import version_revise
from measures.services.funding import (
    YearAmounts,
    grant_create,
    grant_update,
    programme_create,
    programme_update,
)

from .factories import (
    ConceptVersionFactory,
    FundingProgrammeFactory,
    GoalFactory,
    GrantFactory,
    GrantYearFactory,
    MeasureFactory,
)

pytestmark = pytest.mark.django_db

S = Grant.Status


def _grant(**kwargs):
    data = {
        "programme": kwargs.pop("programme", None) or FundingProgrammeFactory(),
        "title": "Integrationspauschale 2019/2020",
        "status": S.GRANTED,
        "starts_on": date(2019, 1, 1),
        "ends_on": date(2020, 12, 31),
    }
    return grant_create(by=None, **(data | kwargs))


def _errors(error: ValidationError) -> list[str]:
    return error.message_dict["years"]


def test_grant_create_stores_years_and_measures():
    measure = MeasureFactory(goal=GoalFactory(version=ConceptVersionFactory()))
    grant = _grant(
        years=[
            YearAmounts(2019, Decimal(200000), Decimal(200000), Decimal(190000)),
            YearAmounts(2020, Decimal(200000), Decimal(200000)),
        ],
        measures=[measure],
    )
    rows = list(grant.years.values_list("year", "applied", "granted", "spent"))
    assert rows == [
        (2019, Decimal(200000), Decimal(200000), Decimal(190000)),
        (2020, Decimal(200000), Decimal(200000), None),
    ]
    assert list(grant.measures.all()) == [measure]


@pytest.mark.parametrize(
    ("status", "row", "expected"),
    [
        (S.GRANTED, YearAmounts(2021, Decimal(1)), "2021: Das Jahr liegt außerhalb"),
        (S.APPLIED, YearAmounts(2019, Decimal(5), Decimal(5)), "erst eingetragen werden"),
        (S.REJECTED, YearAmounts(2019, Decimal(5), Decimal(5)), "(Status: Abgelehnt)"),
        (S.GRANTED, YearAmounts(2019, Decimal(5), None, Decimal(1)), "erst, was bewilligt"),
        (S.GRANTED, YearAmounts(2019, Decimal(5), Decimal(5), Decimal(6)), "6,00 €"),
    ],
)
def test_grant_create_rejects_broken_year_rules(status, row, expected):
    with pytest.raises(ValidationError) as caught:
        _grant(status=status, years=[row])
    assert any(expected in message for message in _errors(caught.value))
    assert not Grant.objects.exists()


def test_grant_create_rejects_a_year_twice():
    rows = [YearAmounts(2019, Decimal(1)), YearAmounts(2019, Decimal(2))]
    with pytest.raises(ValidationError) as caught:
        _grant(years=rows)
    assert _errors(caught.value) == ["2019: Dieses Jahr ist doppelt eingetragen."]


def test_grant_create_allows_spent_equal_to_granted_when_settled():
    grant = _grant(status=S.SETTLED, years=[YearAmounts(2019, Decimal(5), Decimal(5), Decimal(5))])
    assert grant.years.get().spent == Decimal(5)


def test_grant_create_refuses_closed_programme_update_keeps_it():
    closed = FundingProgrammeFactory(is_active=False, name="AMIF")
    with pytest.raises(ValidationError) as caught:
        _grant(programme=closed)
    assert "nimmt keine Anträge mehr an" in caught.value.message_dict["programme"][0]
    grant = GrantFactory(programme=closed)
    # A grant keeps its programme after it closed.
    assert grant_update(by=None, grant=grant, title="Neu").title == "Neu"


def test_grant_update_checks_stored_years_against_new_status():
    grant = GrantFactory(status=S.GRANTED)
    GrantYearFactory(grant=grant, year=2025, granted=Decimal(100))
    with pytest.raises(ValidationError) as caught:
        grant_update(by=None, grant=grant, status=S.REJECTED)
    assert "(Status: Abgelehnt)" in _errors(caught.value)[0]
    grant.refresh_from_db()
    assert grant.status == S.GRANTED


def test_grant_update_replaces_years():
    grant = GrantFactory()
    GrantYearFactory(grant=grant, year=2025)
    GrantYearFactory(grant=grant, year=2026)
    grant_update(by=None, grant=grant, years=[YearAmounts(2026, Decimal(7), Decimal(7))])
    assert list(grant.years.values_list("year", "applied")) == [(2026, Decimal(7))]


def test_grant_links_only_current_measures_but_keeps_old_links():
    old = ConceptVersionFactory(adopted_on=date(2009, 6, 25))
    new = ConceptVersionFactory(concept=old.concept, adopted_on=date(2026, 3, 1))
    old_measure = MeasureFactory(goal=GoalFactory(version=old))
    new_measure = MeasureFactory(goal=GoalFactory(version=new))
    with pytest.raises(ValidationError) as caught:
        _grant(measures=[old_measure])
    assert "aktuellen Fassung" in caught.value.message_dict["measures"][0]
    grant = GrantFactory()
    grant.measures.add(old_measure)
    grant_update(by=None, grant=grant, measures=[old_measure, new_measure])
    assert set(grant.measures.all()) == {old_measure, new_measure}


def test_grant_create_refuses_period_end_before_start():
    with pytest.raises(ValidationError) as caught:
        _grant(starts_on=date(2020, 1, 1), ends_on=date(2019, 1, 1))
    assert "vor seinem Beginn" in str(caught.value)


def test_programme_create_and_close():
    programme = programme_create(
        by=None, name="Kommunales Integrationsmanagement NRW", provider="Land NRW", level="state"
    )
    programme_update(by=None, programme=programme, is_active=False)
    programme.refresh_from_db()
    assert programme.is_active is False
    with pytest.raises(ValidationError):
        programme_create(by=None, name=programme.name, provider="Land NRW", level="state")


# --- Sums per year ---------------------------------------------------------------------


def test_funding_years_sums_by_status(django_assert_num_queries):
    granted = GrantFactory(status=S.GRANTED)
    GrantYearFactory(grant=granted, year=2025, applied=100, granted=90, spent=80)
    GrantYearFactory(grant=granted, year=2026, applied=100, granted=90, spent=None)
    settled = GrantFactory(status=S.SETTLED)
    GrantYearFactory(grant=settled, year=2025, applied=10, granted=10, spent=10)
    rejected = GrantFactory(status=S.REJECTED)
    GrantYearFactory(grant=rejected, year=2025, applied=1000, granted=None)
    applied = GrantFactory(status=S.APPLIED)
    GrantYearFactory(grant=applied, year=2026, applied=5, granted=None)
    with django_assert_num_queries(1):
        rows = funding_years()
    assert [(r.year, r.applied, r.granted, r.spent, r.grants) for r in rows] == [
        (2025, Decimal(1110), Decimal(100), Decimal(90), 3),
        (2026, Decimal(105), Decimal(90), Decimal(0), 2),
    ]
    totals = funding_totals(rows)
    # The granted grant has money in both years but counts once.
    assert (totals.year, totals.applied, totals.granted, totals.spent, totals.grants) == (
        None,
        Decimal(1215),
        Decimal(190),
        Decimal(90),
        4,
    )


def test_funding_years_with_range_lists_each_year():
    GrantYearFactory(year=2025, applied=33000)
    GrantYearFactory(year=2019, applied=1)
    rows = funding_years(years=range(2024, 2027))
    assert [(r.year, r.applied, r.grants) for r in rows] == [
        (2024, 0, 0),
        (2025, Decimal(33000), 1),
        (2026, 0, 0),
    ]
    assert funding_totals([]).grants == 0


def test_grants_for_measure_finds_grants_of_every_copy_once():
    version = ConceptVersionFactory(adopted_on=date(2009, 6, 25))
    measure = MeasureFactory(goal=GoalFactory(version=version))
    grant = GrantFactory()
    GrantYearFactory(grant=grant, year=2025, granted=Decimal(33000))
    grant.measures.add(measure)
    revision = version_revise(by=None, version=version)
    copy = revision.goals.get().measures.get()
    # The revision carried the link over; the grant is listed once for either copy.
    assert list(copy.grants.all()) == [grant]
    for each in (measure, copy):
        found = list(grants_for_measure(measure=each))
        assert found == [grant]
        assert found[0].granted_total == Decimal(33000)
    assert list(grants_for_measure(measure=MeasureFactory())) == []


def test_version_revise_leaves_old_links_and_adds_copies():
    version = ConceptVersionFactory(adopted_on=date(2009, 6, 25))
    measures = [MeasureFactory(goal=GoalFactory(version=version)) for _ in range(3)]
    first, second = GrantFactory(), GrantFactory()
    first.measures.add(measures[0], measures[1])
    second.measures.add(measures[1])
    revision = version_revise(by=None, version=version)
    assert revision.status == ConceptVersion.Status.REVISION
    through = Grant.measures.through.objects
    assert through.filter(measure__goal__version=version).count() == 3
    copies = through.filter(measure__goal__version=revision)
    assert sorted(copies.values_list("grant_id", "measure__key")) == sorted(
        [
            (first.pk, measures[0].key),
            (first.pk, measures[1].key),
            (second.pk, measures[1].key),
        ]
    )
    assert GrantYear.objects.count() == 0
