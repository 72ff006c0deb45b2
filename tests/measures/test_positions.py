"""Positions (Stellen): the service rules, the list with totals, detail and forms per role."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import Position
from measures.selectors.positions import position_size_display, position_totals
from measures.services.positions import position_create, position_update

from ..actors.factories import OrganisationFactory, PersonFactory
from ..core.factories import UserFactory
from ..utils import main_form
from .factories import GrantFactory, ObservationFactory, PositionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("measures:position_list")
CREATE = reverse("measures:position_create")


def _create(**data):
    return position_create(by=None, **({"title": "Integrationsbeauftragte"} | data))


# --- Services -------------------------------------------------------------------------


def test_position_create_needs_share_or_hours():
    with pytest.raises(ValidationError) as error:
        _create(fte=None, hours_per_week=None)
    assert error.value.message_dict["fte"] == [
        "Bitte geben Sie den Stellenanteil oder die Wochenstunden an."
    ]


@pytest.mark.parametrize(("fte", "hours"), [(Decimal("0.5"), None), (None, Decimal("19.5"))])
def test_position_create_accepts_share_or_hours(fte, hours):
    position = _create(fte=fte, hours_per_week=hours)
    assert Position.objects.get(pk=position.pk).title == "Integrationsbeauftragte"


def test_position_create_external_needs_provider():
    with pytest.raises(ValidationError) as error:
        _create(fte=Decimal("0.5"), employment=Position.Employment.EXTERNAL)
    assert error.value.message_dict["provider"] == ["Eine externe Stelle braucht ihren Träger."]


def test_position_create_internal_refuses_provider():
    with pytest.raises(ValidationError) as error:
        _create(fte=Decimal("0.5"), provider=OrganisationFactory())
    assert "Nur eine externe Stelle hat einen Träger" in error.value.message_dict["provider"][0]


@pytest.mark.parametrize(
    "status", [Position.Status.PLANNED, Position.Status.ADVERTISED, Position.Status.VACANT]
)
def test_position_create_holder_only_when_filled(status):
    with pytest.raises(ValidationError) as error:
        _create(fte=Decimal("0.5"), status=status, holder=PersonFactory())
    assert error.value.message_dict["holder"] == [
        "Nur eine besetzte Stelle hat eine Stelleninhaberin oder einen Stelleninhaber."
    ]


def test_position_update_refuses_end_before_start_and_keeps_the_row():
    position = PositionFactory(title="KIM Case Management")
    with pytest.raises(ValidationError) as error:
        position_update(
            by=None,
            position=position,
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2024, 1, 1),
        )
    assert "ends_on" in error.value.message_dict
    assert Position.objects.get(pk=position.pk).starts_on is None


def test_position_update_external_with_provider_and_holder():
    caritas = OrganisationFactory(name="Caritasverband")
    position = position_update(
        by=None,
        position=PositionFactory(),
        fte=None,
        hours_per_week=Decimal("19.5"),
        employment=Position.Employment.EXTERNAL,
        provider=caritas,
        holder=PersonFactory(),
    )
    assert position.provider == caritas
    assert position_size_display(position) == "19,5 Std./Woche"


def test_position_size_display_share_and_both():
    assert position_size_display(Position(fte=Decimal("0.500"))) == "0,5 Stelle"
    both = Position(fte=Decimal("0.65"), hours_per_week=Decimal("25"))
    assert position_size_display(both) == "0,65 Stelle (25 Std./Woche)"


def test_position_totals_sum_shares_hours_and_costs():
    rows = [
        Position(fte=Decimal("0.5"), status="filled", cost_per_year=Decimal("38500")),
        Position(fte=Decimal("0.65"), status="advertised", cost_per_year=Decimal("40000")),
        Position(hours_per_week=Decimal("19.5"), status="filled", cost_per_year=None),
        Position(fte=Decimal("1"), status="vacant", cost_per_year=Decimal("60000")),
    ]
    totals = position_totals(rows)
    assert (totals.fte, totals.hours) == (Decimal("2.15"), Decimal("19.5"))
    assert totals.cost_committed == Decimal("78500")
    assert totals.cost_open == Decimal("60000")


# --- Views ----------------------------------------------------------------------------


def test_position_list_shows_size_status_cost_funding_and_totals(django_app, coordinator):
    grant = GrantFactory(title="Integrationspauschale 2025")
    PositionFactory(
        title="Integrationsbeauftragte",
        fte=Decimal("0.5"),
        cost_per_year=Decimal("38500"),
        grant=grant,
        department=OrganisationFactory(name="FB II Familie und Soziales", short_name="FB II"),
    )
    PositionFactory(
        title="KIM Case Management",
        fte=None,
        hours_per_week=Decimal("19.5"),
        employment=Position.Employment.EXTERNAL,
        provider=OrganisationFactory(name="Caritasverband", short_name="Caritas"),
        funding_note="KIM NRW",
        status=Position.Status.ADVERTISED,
        cost_per_year=Decimal("33000"),
    )
    page = django_app.get(LIST, user=coordinator)
    rows = [
        [cell.text.strip() for cell in row.select("td")] for row in page.html.select("tbody tr")
    ]
    assert rows[0][:6] == [
        "Integrationsbeauftragte",
        "0,5 Stelle",
        "Intern: FB II",
        "Besetzt",
        "38.500 €",
        "Integrationspauschale 2025",
    ]
    assert rows[1][1:6] == [
        "19,5 Std./Woche",
        "Extern: Caritas",
        "Ausgeschrieben",
        "33.000 €",
        "KIM NRW",
    ]
    totals = " ".join(page.html.select_one(".position-totals").text.split())
    assert "2 Stellen · 0,5 Vollzeitäquivalente · zuzüglich 19,5 Wochenstunden" in totals
    assert "71.500 € pro Jahr für besetzte und ausgeschriebene Stellen" in totals
    assert page.html.select_one(f"a[href='{grant.get_absolute_url()}']")


def test_position_list_filters_by_status(django_app, coordinator):
    PositionFactory(title="Besetzte Stelle", status=Position.Status.FILLED)
    PositionFactory(title="Offene Stelle", status=Position.Status.VACANT)
    page = django_app.get(LIST, {"status": "vacant"}, user=coordinator)
    titles = [a.text for a in page.html.select("tbody tr td:first-child a")]
    assert titles == ["Offene Stelle"]
    assert "1 Stelle" in page.html.select_one(".position-totals").text


@pytest.mark.parametrize(
    ("role", "sees_name"),
    [("coordinator", True), ("administration_user", True), ("committee_member", False)],
)
def test_position_holder_name_needs_view_person(django_app, request, role, sees_name):
    user = request.getfixturevalue(role)
    holder = PersonFactory(first_name="Anke", last_name="Raven")
    position = PositionFactory(holder=holder)
    for url in (LIST, position.get_absolute_url()):
        page = django_app.get(url, user=user)
        holder_cell = page.html.select_one(".position-holder").text.strip()
        # Without the name the page still says that somebody holds the position.
        assert holder_cell == ("Anke Raven" if sees_name else "besetzt")
        assert ("Raven" in page.text) is sees_name


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_position_pages_read_only_for_administration_and_committee(django_app, request, role):
    user = request.getfixturevalue(role)
    position = PositionFactory()
    page = django_app.get(LIST, user=user)
    assert CREATE not in page.text
    detail = django_app.get(position.get_absolute_url(), user=user)
    assert reverse("measures:position_update", args=[position.pk]) not in detail.text
    django_app.get(CREATE, user=user, status=403)
    django_app.get(reverse("measures:position_update", args=[position.pk]), user=user, status=403)


def test_position_pages_forbidden_without_role(django_app, user_without_role):
    django_app.get(LIST, user=user_without_role, status=403)
    django_app.get(PositionFactory().get_absolute_url(), user=user_without_role, status=403)


def test_position_detail_shows_job_profile_or_says_it_is_missing(django_app, committee_member):
    with_profile = PositionFactory(job_profile="Aufgaben:\n\nVernetzung der Akteure")
    page = django_app.get(with_profile.get_absolute_url(), user=committee_member)
    paragraphs = [p.text for p in page.html.select(".position-job-profile p")]
    assert paragraphs == ["Aufgaben:", "Vernetzung der Akteure"]
    without = django_app.get(PositionFactory().get_absolute_url(), user=committee_member)
    assert "Kein Stellenprofil hinterlegt." in without.html.select_one(".position-no-profile").text


def test_position_create_form_saves_and_shows_service_errors(django_app, coordinator):
    caritas = OrganisationFactory(name="Caritasverband")
    holder = PersonFactory()
    form = main_form(django_app.get(CREATE, user=coordinator))
    form["title"] = "KIM Case Management"
    form["employment"] = "external"
    page = form.submit()
    assert page.status_code == 200
    assert "Bitte geben Sie den Stellenanteil oder die Wochenstunden an." in page.text
    assert "Eine externe Stelle braucht ihren Träger." in page.text
    form = main_form(page)
    form["hours_per_week"] = "19,5"
    form["provider"] = str(caritas.pk)
    form["status"] = "planned"
    form["holder"] = str(holder.pk)
    page = form.submit()
    assert "Nur eine besetzte Stelle hat eine Stelleninhaberin" in page.text
    assert "is-invalid" in page.html.select_one("#id_holder")["class"]
    form = main_form(page)
    form["holder"] = ""
    form["job_profile"] = "Einzelfallberatung"
    page = form.submit().follow()
    position = Position.objects.get(title="KIM Case Management")
    assert (position.hours_per_week, position.provider) == (Decimal("19.5"), caritas)
    assert "Stelle „KIM Case Management“ wurde angelegt." in page.text


def test_position_update_form_changes_status(django_app, coordinator):
    position = PositionFactory(title="Integrationsmanager", status=Position.Status.PLANNED)
    url = reverse("measures:position_update", args=[position.pk])
    form = main_form(django_app.get(url, user=coordinator))
    form["status"] = "advertised"
    form["cost_per_year"] = "36000"
    form.submit().follow()
    position.refresh_from_db()
    assert (position.status, position.cost_per_year) == ("advertised", Decimal("36000"))


def test_position_list_query_count_is_constant(
    django_app, coordinator, django_assert_max_num_queries
):
    def make(count):
        for _ in range(count):
            PositionFactory(
                department=OrganisationFactory(),
                grant=GrantFactory(),
                holder=PersonFactory(),
            )

    make(2)
    django_app.get(LIST, user=coordinator)  # warm caches (session, permissions)
    with django_assert_max_num_queries(12) as small:
        django_app.get(LIST, user=coordinator)
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        django_app.get(LIST, user=coordinator)


@pytest.mark.parametrize("model", ["position", "indicator"])
def test_admin_lists_and_adds_positions_and_indicators(django_app, model):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    PositionFactory(holder=PersonFactory())
    ObservationFactory()
    django_app.get(reverse(f"admin:measures_{model}_changelist"), user=superuser, status=200)
    django_app.get(reverse(f"admin:measures_{model}_add"), user=superuser, status=200)
