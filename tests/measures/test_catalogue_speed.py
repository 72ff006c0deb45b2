"""The fast path of the catalogue page: light rows, Jinja2 rows, dates, collapsed goals."""

from datetime import date

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from measures.filters import MeasureFilterSet
from measures.models import ConceptVersion, Measure
from measures.selectors import catalogue as selectors
from measures.views import catalogue as views

from ..actors.factories import OrganisationFactory
from ..core.factories import FieldOfActionFactory
from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def _codes(catalogue):
    return [
        (m.code, m.status_label, m.status_badge)
        for entry in catalogue.fields
        for item in entry.goals
        for m in item.measures
    ]


def test_catalogue_rows_match_catalogue_data(coordinator):
    version = ConceptVersionFactory()
    fields = FieldOfActionFactory.create_batch(2)
    goals = [
        GoalFactory(version=version, number=n + 1, field_of_action=fields[n % 2]) for n in (1, 0, 2)
    ]
    GoalFactory(version=version, number=9)  # without measures
    lead = OrganisationFactory(name="VHS Hollerland")
    for n, status in enumerate(Measure.Status.values):
        MeasureFactory(goal=goals[n % 3], number=n + 1, status=status, lead=lead if n % 2 else None)
    measures = selectors.measures_visible_to(user=coordinator)

    rows = selectors.catalogue_rows(version=version, measures=measures, filtered=False)
    models = selectors.catalogue_data(version=version, measures=measures, filtered=False)

    assert _codes(rows) == _codes(models)
    assert [e.field for e in rows.fields] == [e.field for e in models.fields]
    assert [(i.goal, len(i.measures)) for e in rows.fields for i in e.goals] == [
        (i.goal, len(i.measures)) for e in models.fields for i in e.goals
    ]
    assert (rows.total, rows.counts) == (models.total, models.counts)
    leads = [m.lead_name for e in rows.fields for i in e.goals for m in i.measures]
    assert leads == [str(m.lead or "") for e in models.fields for i in e.goals for m in i.measures]


@pytest.mark.parametrize("count", [10, 100])
def test_catalogue_rows_query_count_constant(coordinator, django_assert_num_queries, count):
    version = ConceptVersionFactory()
    goals = [GoalFactory(version=version, number=n + 1) for n in range(5)]
    for n in range(count):
        MeasureFactory(goal=goals[n % 5], number=n + 1)
    coordinator.has_perm("measures.view_measure")  # permission cache filled
    filterset = MeasureFilterSet(
        {"q": "Maßnahme"}, queryset=selectors.measures_visible_to(user=coordinator)
    )
    assert filterset.is_valid()
    with django_assert_num_queries(2):
        catalogue = selectors.catalogue_rows(version=version, measures=filterset.qs, filtered=True)
    assert catalogue.total == count


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("fmt", ["d.m.Y", "m/d/Y", "Y-m-d", "j. F Y", "d.m.y", r"\d\e\n d.m."])
def test_date_formatter_agrees_with_djangos_date_filter(language, fmt):
    with translation.override(language):
        formatter = views.date_formatter(fmt)
        for day in (date(2026, 3, 6), date(1999, 12, 31)):
            assert formatter(day) == date_filter(day, fmt)
        assert formatter(None) == ""


def _page(django_app, user, version, query=""):
    return django_app.get(version.get_absolute_url() + query, user=user)


def test_catalogue_page_escapes_what_users_entered(django_app, coordinator):
    version = ConceptVersionFactory()
    goal = GoalFactory(version=version, title="<i>Ziel</i>", description="Zeile 1\n<b>Zeile 2</b>")
    lead = OrganisationFactory(name="<script>alert(1)</script>")
    MeasureFactory(goal=goal, title="<img src=x onerror=alert(1)>", lead=lead)

    page = _page(django_app, coordinator, version)

    assert "<img src=x" not in page.text
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Zeile 1<br>&lt;b&gt;Zeile 2&lt;/b&gt;" in page.text
    assert "&lt;i&gt;Ziel&lt;/i&gt;" in page.text


def test_catalogue_page_collapses_goals_of_a_large_catalogue(django_app, coordinator, monkeypatch):
    version = ConceptVersionFactory()
    goal = GoalFactory(version=version, number=1)
    for n in range(3):
        MeasureFactory(goal=goal, number=n + 1, status=Measure.Status.DONE if n else "planned")

    page = _page(django_app, coordinator, version)
    assert page.html.select_one("details.catalogue-goal").has_attr("open")
    assert page.html.select_one(".catalogue-goal-count").text == "3 Maßnahmen"

    monkeypatch.setattr(views, "COLLAPSE_ABOVE", 2)
    page = _page(django_app, coordinator, version)
    assert not page.html.select_one("details.catalogue-goal").has_attr("open")
    # Still on the page, for the browser's search; a filter opens the goals.
    assert len(page.html.select(".catalogue-measure")) == 3
    page = _page(django_app, coordinator, version, "?status=done")
    assert page.html.select_one("details.catalogue-goal").has_attr("open")
    assert len(page.html.select(".catalogue-measure")) == 2


def test_catalogue_page_rows_show_dates_lead_and_edit_links(django_app, coordinator):
    revision = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    goal = GoalFactory(version=revision, number=4)
    measure = MeasureFactory(
        goal=goal,
        number=2,
        title="Sprachcafé",
        lead=OrganisationFactory(name="VHS"),
        end_on=date(2026, 12, 31),
        last_update_on=date(2026, 3, 6),
        status=Measure.Status.IN_PROGRESS,
    )

    page = _page(django_app, coordinator, revision)

    cells = [td.get_text(" ", strip=True) for td in page.html.select(".catalogue-measure td")]
    assert cells == [
        "4.2",
        "Sprachcafé",
        "VHS",
        "31.12.2026",
        "06.03.2026",
        "In Umsetzung",
        "Bearbeiten 4.2",
    ]
    links = [a["href"] for a in page.html.select(".catalogue-measure a")]
    assert links == [measure.get_absolute_url(), f"{measure.get_absolute_url()}edit/"]
