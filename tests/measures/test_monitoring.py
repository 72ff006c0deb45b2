"""Monitoring: the service rules, the overview's reached/trend logic, the indicator chart."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from measures.charts import indicator_chart_svg, indicator_sparkline_svg
from measures.models import Indicator, Observation
from measures.selectors.monitoring import indicator_status, monitoring_overview
from measures.services.monitoring import (
    indicator_create,
    indicator_update,
    observation_create,
    observation_delete,
    observation_update,
)

from ..core.factories import FieldOfActionFactory
from .factories import IndicatorFactory, ObservationFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
TODAY = datetime.date(2026, 5, 4)


# --- Services -------------------------------------------------------------------------


def test_indicator_create_refuses_a_name_twice_in_the_field_in_any_case():
    field = FieldOfActionFactory()
    indicator_create(by=None, field_of_action=field, name="Arbeitslosenquote", unit="%")
    with pytest.raises(ValidationError) as error:
        indicator_create(by=None, field_of_action=field, name=" arbeitslosenquote ", unit="%")
    assert error.value.message_dict["name"] == [
        "Dieses Handlungsfeld hat bereits einen Indikator mit diesem Namen."
    ]
    other = indicator_create(
        by=None, field_of_action=FieldOfActionFactory(), name="Arbeitslosenquote", unit="%"
    )
    assert other.pk


def test_indicator_update_changes_target_and_direction():
    indicator = IndicatorFactory(target_value=Decimal(50))
    indicator_update(
        by=None, indicator=indicator, target_value=Decimal("10.5"), higher_is_better=False
    )
    indicator.refresh_from_db()
    assert (indicator.target_value, indicator.higher_is_better) == (Decimal("10.5"), False)


@time_machine.travel(TODAY, tick=False)
def test_observation_create_refuses_a_period_ending_more_than_a_year_ahead():
    indicator = IndicatorFactory()
    observation_create(
        by=None, indicator=indicator, period_end=datetime.date(2027, 5, 4), value=Decimal(1)
    )
    with pytest.raises(ValidationError) as error:
        observation_create(
            by=None, indicator=indicator, period_end=datetime.date(2027, 7, 31), value=Decimal(1)
        )
    assert error.value.message_dict["period_end"] == [
        "Der Zeitraum darf höchstens ein Jahr nach heute enden."
    ]


def test_observation_create_refuses_a_second_value_for_the_same_date():
    existing = ObservationFactory(period_end=datetime.date(2024, 12, 31))
    with pytest.raises(ValidationError) as error:
        observation_create(
            by=None,
            indicator=existing.indicator,
            period_end=datetime.date(2024, 12, 31),
            value=Decimal(3),
        )
    assert error.value.message_dict["period_end"] == [
        "Dieser Indikator hat zum Stichtag 31.12.2024 bereits einen Wert; "
        "bitte bearbeiten Sie diesen."
    ]
    # Another indicator may have a value for that date.
    observation_create(
        by=None,
        indicator=IndicatorFactory(),
        period_end=datetime.date(2024, 12, 31),
        value=Decimal(3),
    )


def test_observation_update_keeps_its_own_date_and_strips_text():
    observation = ObservationFactory(period_end=datetime.date(2023, 12, 31))
    observation_update(by=None, observation=observation, value=Decimal("12.5"), note="  vorläufig ")
    observation.refresh_from_db()
    assert (observation.value, observation.note) == (Decimal("12.5"), "vorläufig")


def test_observation_delete_is_harmless_twice():
    observation = ObservationFactory()
    observation_delete(by=None, observation=observation)
    observation_delete(by=None, observation=observation)
    assert not Observation.objects.exists()


# --- Reached and trend ----------------------------------------------------------------


def _status(values, *, target="10", higher=True):
    indicator = Indicator(
        name="Kennzahl",
        unit="%",
        target_value=Decimal(target) if target is not None else None,
        higher_is_better=higher,
    )
    observations = [
        Observation(period_end=datetime.date(2018 + i, 12, 31), value=Decimal(value))
        for i, value in enumerate(values)
    ]
    # Any order in: oldest first out.
    return indicator_status(indicator, list(reversed(observations)))


@pytest.mark.parametrize(
    ("values", "higher", "reached", "trend", "good"),
    [
        (["8", "10"], True, True, "up", True),  # the target itself counts as reached
        (["12", "9"], True, False, "down", False),
        (["12", "9"], False, True, "down", True),
        (["8", "11"], False, False, "up", False),
        (["10", "10"], False, True, "flat", None),
        (["7"], True, False, None, None),
        ([], True, None, None, None),
    ],
)
def test_indicator_status_reached_and_trend_respect_direction(values, higher, reached, trend, good):
    status = _status(values, higher=higher)
    assert (status.reached, status.trend, status.trend_is_good) == (reached, trend, good)


def test_indicator_status_without_target_is_neither_reached_nor_missed():
    status = _status(["3", "5"], target=None)
    assert (status.reached, status.trend) == (None, "up")
    assert [o.value for o in status.observations] == [Decimal(3), Decimal(5)]
    assert (status.latest.value, status.previous.value) == (Decimal(5), Decimal(3))


def test_monitoring_overview_groups_by_field_in_order_with_constant_queries(
    django_assert_num_queries,
):
    second = FieldOfActionFactory(name="Arbeit", position=20)
    first = FieldOfActionFactory(name="Wohnen", position=10)
    FieldOfActionFactory(name="Ohne Indikatoren", position=5)
    jobs = IndicatorFactory(field_of_action=second, name="Quote", higher_is_better=False)
    homes = IndicatorFactory(field_of_action=first, name="Wohnungen")
    for year, value in ((2022, "14"), (2024, "12"), (2023, "13")):
        ObservationFactory(indicator=jobs, period_end=datetime.date(year, 12, 31), value=value)
    for index in range(30):
        IndicatorFactory(field_of_action=second, name=f"Weitere {index}", position=index + 1)
        ObservationFactory(indicator=Indicator.objects.last())
    with django_assert_num_queries(2):
        overview = monitoring_overview()
    assert [entry.field_of_action for entry in overview] == [first, second]
    assert overview[0].indicators[0].indicator == homes
    assert overview[0].indicators[0].latest is None
    status = overview[1].indicators[0]
    assert [o.period_end.year for o in status.observations] == [2022, 2023, 2024]
    assert (status.trend, status.trend_is_good, status.reached) == ("down", True, True)


# --- Chart ----------------------------------------------------------------------------


def _parse(svg: str):
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def _chart(values, *, target="10"):
    status = _status(values, target=target, higher=False)
    svg = indicator_chart_svg(
        indicator=status.indicator, observations=status.observations, id_prefix="chart"
    )
    return svg, _parse(svg)


@pytest.mark.parametrize("count", [0, 1, 9])
def test_indicator_chart_is_valid_svg_with_title_desc_and_target(count):
    values = [str(15 - index * 0.5) for index in range(count)]
    svg, root = _chart(values)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Kennzahl"
    assert "Zielwert: 10 % (niedriger ist besser)." in root.find(f"{SVG}desc").text
    target = root.findall(f".//{SVG}line[@class='target-line']")
    assert len(target) == 1
    assert target[0].get("stroke-dasharray")
    assert len(root.findall(f".//{SVG}circle")) == count
    assert len(root.findall(f".//{SVG}polyline")) == (1 if count > 1 else 0)
    if count == 0:
        assert "Noch keine Werte erfasst." in svg


def test_indicator_chart_writes_german_numbers_and_period_labels():
    status = _status(["1234.5", "1300"], target=None)
    status.observations[1].period_label = "Schuljahr 2019/20"
    svg = indicator_chart_svg(
        indicator=status.indicator, observations=status.observations, id_prefix="c"
    )
    root = _parse(svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "1.234,5" in texts
    assert "1.300" in texts
    assert {"2018", "Schuljahr 2019/20"} <= set(texts)
    assert not root.findall(f".//{SVG}line[@class='target-line']")
    assert "2018: 1.234,5 %; Schuljahr 2019/20: 1.300 %." in root.find(f"{SVG}desc").text


def test_indicator_chart_escapes_names():
    status = _status(["1", "2"])
    status.indicator.name = "<script>alert(1)</script>"
    svg = indicator_chart_svg(
        indicator=status.indicator, observations=status.observations, id_prefix="c"
    )
    assert "<script>" not in svg
    _parse(svg)


def test_indicator_sparkline_is_empty_without_values_and_svg_with_them():
    empty = _status([])
    assert indicator_sparkline_svg(indicator=empty.indicator, observations=[], id_prefix="s") == ""
    status = _status(["3", "4", "6"])
    root = _parse(
        indicator_sparkline_svg(
            indicator=status.indicator, observations=status.observations, id_prefix="s"
        )
    )
    assert root.find(f"{SVG}title").text == "Kennzahl"
    assert len(root.findall(f".//{SVG}polyline")) == 1
