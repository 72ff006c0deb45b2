"""The demo positions: the five kinds of the brief, valid under the service rules, idempotent."""

import datetime
from decimal import Decimal

import pytest

from measures.demo import positions as demo
from measures.models import Position

from ..actors.factories import AffiliationFactory, OrganisationFactory
from .factories import GrantFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 4)


def test_positions_demo_seed_creates_each_position_once():
    fb2 = OrganisationFactory(short_name="FB II")
    caritas = OrganisationFactory(short_name="Caritas")
    AffiliationFactory(organisation=caritas)
    grant = GrantFactory(title="Kommunales Integrationsmanagement 2025")
    assert demo.seed(today=TODAY)["positions_created"] == 5
    assert demo.seed(today=TODAY) == {"positions": 5, "positions_created": 0}
    officer = Position.objects.get(title="Integrationsbeauftragte")
    assert (officer.fte, officer.department, officer.status) == (Decimal("0.5"), fb2, "filled")
    kim = Position.objects.get(title__startswith="Kommunales Integrationsmanagement")
    assert (kim.hours_per_week, kim.provider, kim.grant) == (Decimal("19.5"), caritas, grant)
    assert kim.holder is not None
    statuses = set(Position.objects.values_list("status", flat=True))
    assert statuses == {"filled", "planned", "vacant", "advertised"}
    assert Position.objects.exclude(job_profile="").count() == 2


def test_positions_demo_seed_skips_the_external_position_without_its_provider():
    assert demo.seed(today=TODAY)["positions_created"] == 4
    assert not Position.objects.filter(employment="external").exists()
