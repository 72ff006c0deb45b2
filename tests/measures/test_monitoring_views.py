"""Monitoring screens: overview, indicator detail with chart and table, forms, delete, roles."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Indicator, Observation

from ..core.factories import FieldOfActionFactory
from ..utils import main_form
from .factories import IndicatorFactory, ObservationFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("measures:monitoring_overview")
INDICATOR_CREATE = reverse("measures:indicator_create")


def _indicator_with_values(**kwargs):
    indicator = IndicatorFactory(
        **{"name": "Arbeitslosenquote", "unit": "%", "target_value": Decimal(10)} | kwargs
    )
    for year, value in ((2022, "13.9"), (2023, "12.7"), (2024, "12.1")):
        ObservationFactory(
            indicator=indicator, period_end=datetime.date(year, 12, 31), value=Decimal(value)
        )
    return indicator


@pytest.mark.parametrize("role", ["coordinator", "administration_user", "committee_member"])
def test_monitoring_overview_shows_latest_value_trend_and_target(django_app, request, role):
    user = request.getfixturevalue(role)
    field = FieldOfActionFactory(name="Arbeit & Ausbildung")
    _indicator_with_values(field_of_action=field, higher_is_better=False)
    page = django_app.get(OVERVIEW, user=user)
    assert page.html.select_one(".monitoring-field th .h5").text == "Arbeit & Ausbildung"
    cells = [
        " ".join(td.get_text(" ").split())
        for td in page.html.select(".monitoring-table .monitoring-indicator td")
    ]
    assert cells[1] == "12,1 % 2024"
    assert cells[2] == "↓ fallend zuvor: 12,7 %"
    assert cells[3] == "10 %"
    assert cells[4] == "Ziel nicht erreicht"
    assert page.html.select_one(".monitoring-table .text-success")  # falling is good here
    assert page.html.select_one(".monitoring-table svg.indicator-sparkline")
    can_edit = role == "coordinator"
    assert (INDICATOR_CREATE in page.text) is can_edit


def test_monitoring_overview_reached_when_higher_is_better(django_app, committee_member):
    _indicator_with_values(target_value=Decimal(12), higher_is_better=True)
    page = django_app.get(OVERVIEW, user=committee_member)
    assert "Ziel erreicht" in page.html.select_one(".monitoring-table .badge").text
    assert page.html.select_one(".monitoring-table .text-danger")  # falling is bad here


def test_monitoring_overview_without_indicators(django_app, coordinator):
    page = django_app.get(OVERVIEW, user=coordinator)
    assert "Es sind noch keine Indikatoren angelegt." in page.text


def test_monitoring_overview_query_count_is_constant(
    django_app, coordinator, django_assert_max_num_queries
):
    def make(count):
        for _ in range(count):
            indicator = IndicatorFactory(field_of_action=FieldOfActionFactory())
            for year in range(2016, 2024):
                ObservationFactory(indicator=indicator, period_end=datetime.date(year, 12, 31))

    make(2)
    django_app.get(OVERVIEW, user=coordinator)
    with django_assert_max_num_queries(12) as small:
        django_app.get(OVERVIEW, user=coordinator)
    make(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = django_app.get(OVERVIEW, user=coordinator)
    assert len(page.html.select(".monitoring-table .monitoring-indicator")) == 17


def test_indicator_detail_shows_chart_table_target_and_source(django_app, committee_member):
    indicator = _indicator_with_values(source="BA-Statistik", higher_is_better=False)
    page = django_app.get(indicator.get_absolute_url(), user=committee_member)
    assert page.html.select_one("figure svg.indicator-chart title").text == "Arbeitslosenquote"
    rows = [
        [" ".join(td.text.split()) for td in row.select("td")]
        for row in page.html.select(".observation-table tbody tr")
    ]
    assert rows[0] == ["2024", "31.12.2024", "12,1 %", ""]
    assert len(rows) == 3
    fields = " ".join(page.html.select_one(".indicator-fields").get_text(" ").split())
    assert "Zielwert 10 % (niedriger ist besser)" in fields
    assert "Quelle BA-Statistik" in fields
    # Read only: no buttons to add, edit or delete.
    assert "/observations/" not in page.text
    assert "/edit/" not in page.text


def test_indicator_create_form_with_field_preselected(django_app, coordinator):
    field = FieldOfActionFactory(name="Wohnen")
    page = django_app.get(INDICATOR_CREATE, {"field": field.pk}, user=coordinator)
    form = main_form(page)
    assert form["field_of_action"].value == str(field.pk)
    form["name"] = "Geflüchtete in Gemeinschaftsunterkünften"
    form["unit"] = "Personen"
    form["target_value"] = "80,5"
    form["higher_is_better"] = False
    page = form.submit().follow()
    indicator = Indicator.objects.get()
    assert (indicator.target_value, indicator.higher_is_better) == (Decimal("80.5"), False)
    assert "Indikator „Geflüchtete in Gemeinschaftsunterkünften“ wurde angelegt." in page.text


def test_indicator_update_form_shows_duplicate_name_in_german(django_app, coordinator):
    field = FieldOfActionFactory()
    IndicatorFactory(field_of_action=field, name="Quote")
    indicator = IndicatorFactory(field_of_action=field, name="Andere")
    url = reverse("measures:indicator_update", args=[indicator.pk])
    form = main_form(django_app.get(url, user=coordinator))
    form["name"] = "quote"
    page = form.submit()
    assert "Dieses Handlungsfeld hat bereits einen Indikator mit diesem Namen." in page.text


def test_observation_create_edit_and_delete_by_the_coordination(django_app, coordinator):
    indicator = IndicatorFactory(unit="Personen")
    url = reverse("measures:observation_create", args=[indicator.pk])
    form = main_form(django_app.get(url, user=coordinator))
    form["period_end"] = "2024-12-31"
    form["value"] = "1234,5"
    page = form.submit().follow()
    assert "Der Wert wurde erfasst." in page.text
    observation = Observation.objects.get()
    assert observation.value == Decimal("1234.5")
    # A second value for the same date is refused in German at the date.
    form = main_form(django_app.get(url, user=coordinator))
    form["period_end"] = "2024-12-31"
    form["value"] = "3"
    page = form.submit()
    assert "bereits einen Wert; bitte bearbeiten Sie diesen." in page.text
    # Edit.
    edit = reverse("measures:observation_update", args=[observation.pk])
    form = main_form(django_app.get(edit, user=coordinator))
    assert form["value"].value == "1234,50"
    form["period_label"] = "2024"
    form.submit().follow()
    observation.refresh_from_db()
    assert observation.period_label == "2024"
    # Delete: GET asks, POST deletes.
    delete = reverse("measures:observation_delete", args=[observation.pk])
    page = django_app.get(delete, user=coordinator)
    assert "Den Wert 1.234,5 Personen für 2024" in page.text
    assert Observation.objects.exists()
    page = main_form(page).submit().follow()
    assert "Der Wert wurde gelöscht." in page.text
    assert not Observation.objects.exists()


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_monitoring_writes_are_forbidden_to_readers(django_app, request, role):
    user = request.getfixturevalue(role)
    observation = ObservationFactory()
    indicator = observation.indicator
    for url in (
        INDICATOR_CREATE,
        reverse("measures:indicator_update", args=[indicator.pk]),
        reverse("measures:observation_create", args=[indicator.pk]),
        reverse("measures:observation_update", args=[observation.pk]),
        reverse("measures:observation_delete", args=[observation.pk]),
    ):
        django_app.get(url, user=user, status=403)
    django_app.post(
        reverse("measures:observation_delete", args=[observation.pk]), user=user, status=403
    )
    assert Observation.objects.filter(pk=observation.pk).exists()


def test_monitoring_pages_forbidden_without_role(django_app, user_without_role):
    django_app.get(OVERVIEW, user=user_without_role, status=403)
    indicator = IndicatorFactory()
    django_app.get(indicator.get_absolute_url(), user=user_without_role, status=403)
