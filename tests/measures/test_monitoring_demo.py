"""The demo monitoring: indicators in the Peine fields with six to ten years of values."""

import datetime

import pytest
from django.db.models import Count

from measures.demo import monitoring as demo
from measures.models import Indicator

from ..core.factories import FieldOfActionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 4)
FIELDS = (
    "Wohnen & Unterbringung",
    "Sprache & Bildung",
    "Sicherheit & Ordnung",
    "Arbeit & Ausbildung",
    "Soziokulturelle Teilhabe",
)


def test_monitoring_demo_seed_fills_the_fields_once_up_to_last_year():
    for name in FIELDS:
        FieldOfActionFactory(name=name)
    first = demo.seed(today=TODAY)
    assert first["observations_created"] == first["observations"] > 0
    assert demo.seed(today=TODAY)["observations_created"] == 0
    indicators = Indicator.objects.annotate(count=Count("observations"))
    assert {i.field_of_action.name for i in indicators} == set(FIELDS)
    assert all(6 <= i.count <= 10 and i.source and i.target_value for i in indicators)
    newest = max(o.period_end for i in indicators for o in i.observations.all())
    assert newest.year == TODAY.year - 1


def test_monitoring_demo_seed_leaves_out_missing_fields():
    FieldOfActionFactory(name="Wohnen & Unterbringung")
    demo.seed(today=TODAY)
    assert set(Indicator.objects.values_list("field_of_action__name", flat=True)) == {
        "Wohnen & Unterbringung"
    }
