"""Screens of funding: the overview per year, programmes, grants and their forms."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import FundingProgramme, Grant

from ..utils import main_form
from .factories import (
    ConceptVersionFactory,
    FundingProgrammeFactory,
    GoalFactory,
    GrantFactory,
    GrantYearFactory,
    MeasureFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("measures:funding_overview")
GRANTS = reverse("measures:grant_list")
S = Grant.Status


@pytest.fixture
def grant():
    grant = GrantFactory(
        title="Integrationspauschale 2019/2020",
        starts_on=date(2019, 1, 1),
        ends_on=date(2020, 12, 31),
        programme=FundingProgrammeFactory(name="Integrationspauschale NRW"),
    )
    GrantYearFactory(grant=grant, year=2019, applied=200000, granted=200000, spent=190000)
    GrantYearFactory(grant=grant, year=2020, applied=200000, granted=200000)
    return grant


def _routes(grant):
    programme = grant.programme
    return {
        "overview": OVERVIEW,
        "grant_list": GRANTS,
        "grant_detail": grant.get_absolute_url(),
        "programme_detail": programme.get_absolute_url(),
        "grant_create": reverse("measures:grant_create"),
        "grant_update": reverse("measures:grant_update", args=[grant.pk]),
        "programme_create": reverse("measures:programme_create"),
        "programme_update": reverse("measures:programme_update", args=[programme.pk]),
    }


READS = {"overview", "grant_list", "grant_detail", "programme_detail"}


@pytest.mark.parametrize(
    "role", ["coordinator", "administration_user", "committee_member", "user_without_role"]
)
def test_funding_routes_by_role(django_app, request, role, grant):
    user = request.getfixturevalue(role)
    for name, url in _routes(grant).items():
        if role == "coordinator":
            expected = 200
        elif role == "user_without_role":
            expected = 403
        else:
            expected = 200 if name in READS else 403
        django_app.get(url, user=user, status=expected)
        if name not in READS and expected == 403:
            django_app.post(url, {"title": "x"}, user=user, status=403)


def test_funding_routes_need_login(django_app, grant):
    page = django_app.get(OVERVIEW)
    assert page.status_code == 302
    assert page.location.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_funding_pages_show_no_edit_buttons_without_permission(django_app, request, role, grant):
    user = request.getfixturevalue(role)
    for url in (OVERVIEW, GRANTS, grant.get_absolute_url(), grant.programme.get_absolute_url()):
        page = django_app.get(url, user=user)
        assert "/edit/" not in page.text
        assert "/new/" not in page.text
    page = django_app.get(grant.get_absolute_url(), user=request.getfixturevalue("coordinator"))
    assert reverse("measures:grant_update", args=[grant.pk]) in page.text


def test_funding_overview_sums_per_year_in_german(django_app, coordinator, grant):
    rejected = GrantFactory(status=S.REJECTED, starts_on=date(2020, 1, 1))
    GrantYearFactory(grant=rejected, year=2020, applied=Decimal("1234.5"), granted=None)
    page = django_app.get(OVERVIEW, user=coordinator)
    rows = [
        [cell.text.strip() for cell in row.select("th, td")]
        for row in page.html.select(".funding-years tbody tr, .funding-years tfoot tr")
    ]
    assert rows == [
        ["2019", "200.000 €", "200.000 €", "190.000 €", "1"],
        ["2020", "201.234,50 €", "200.000 €", "0 €", "2"],
        ["Gesamt", "401.234,50 €", "400.000 €", "190.000 €", "2"],
    ]
    assert "auch abgelehnte" in page.text
    assert "Förderung" in page.html.select_one("h1").text


def _grants(count: int) -> None:
    programmes = FundingProgrammeFactory.create_batch(3)
    for n in range(count):
        grant = GrantFactory(programme=programmes[n % 3], report_due_on=date(2026, 1, 1 + n % 28))
        GrantYearFactory(grant=grant, year=2025)
        GrantYearFactory(grant=grant, year=2026, granted=None, spent=None)
        PositionFactory(grant=grant)


@pytest.mark.parametrize("url", [OVERVIEW, GRANTS, GRANTS + "?status=granted&year=2025"])
def test_funding_lists_have_constant_query_counts(django_app, coordinator, url):
    counts = []
    for count in (2, 30):
        Grant.objects.all().delete()
        _grants(count)
        django_app.get(url, user=coordinator)
        with CaptureQueriesContext(connection) as queries:
            django_app.get(url, user=coordinator)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_grant_list_filters_by_status_programme_and_year(django_app, administration_user, grant):
    GrantFactory(title="AMIF Orientierung", status=S.REJECTED, starts_on=date(2024, 7, 1))
    GrantFactory(
        title="KIM Case Management", starts_on=date(2021, 1, 1), ends_on=date(2027, 12, 31)
    )
    page = django_app.get(GRANTS, user=administration_user)

    def titles(page):
        return sorted(a.text for a in page.html.select("tbody td:first-child a"))

    assert len(titles(page)) == 3
    form = page.forms["list-filters"]
    form["status"] = "rejected"
    assert titles(form.submit()) == ["AMIF Orientierung"]
    form["status"] = ""
    form["year"] = "2024"
    assert titles(form.submit()) == ["AMIF Orientierung", "KIM Case Management"]
    form["year"] = ""
    form["programme"] = str(grant.programme_id)
    assert titles(form.submit()) == ["Integrationspauschale 2019/2020"]


def test_grant_detail_shows_years_measures_positions_deadline(django_app, committee_member, grant):
    version = ConceptVersionFactory()
    measure = MeasureFactory(goal=GoalFactory(version=version, number=3), number=2, title="Lotsen")
    grant.measures.add(measure)
    grant.report_due_on = date(2030, 1, 1)
    grant.report_submitted_on = date(2021, 5, 3)
    grant.save()
    PositionFactory(grant=grant, title="Arbeits- und Integrationsmanager/in")
    page = django_app.get(grant.get_absolute_url(), user=committee_member)
    assert "eingereicht am 03.05.2021" in page.text
    link = page.html.find("a", string="3.2 Lotsen")
    assert link["href"] == reverse("measures:measure_detail", args=[measure.pk])
    assert "Arbeits- und Integrationsmanager/in" in page.text
    assert "400.000 €" in page.html.select_one("tfoot").text


def _fill_grant(form, programme, **values):
    form["programme"] = str(programme.pk)
    form["title"] = values.get("title", "Kommunales Integrationsmanagement 2025")
    form["status"] = values.get("status", "granted")
    form["starts_on"] = "2025-01-01"
    form["ends_on"] = "2026-12-31"
    form["report_due_on"] = "2027-06-30"


def test_grant_create_form_stores_grant_years_and_measures(django_app, coordinator):
    programme = FundingProgrammeFactory(name="Kommunales Integrationsmanagement NRW")
    FundingProgrammeFactory(name="Geschlossenes Programm", is_active=False)
    version = ConceptVersionFactory()
    measure = MeasureFactory(goal=GoalFactory(version=version, number=1), number=4)
    page = django_app.get(reverse("measures:grant_create"), user=coordinator)
    form = main_form(page)
    offered = [label for _value, _selected, label in form["programme"].options]
    assert "Geschlossenes Programm" not in offered
    assert f"1.4 {measure.title}" in [label for _v, _s, label in form["measures"].options]
    _fill_grant(form, programme)
    form["measures"] = [str(measure.pk)]
    form["years-0-year"] = "2025"
    form["years-0-applied"] = "33.000 €"
    form["years-0-granted"] = "33000"
    form["years-0-spent"] = "32.000,50"
    form["years-1-year"] = "2026"
    form["years-1-applied"] = "33000"
    page = form.submit().follow()
    grant = Grant.objects.get()
    assert page.request.path == grant.get_absolute_url()
    assert "wurde angelegt" in page.text
    # German input: thousands with a dot, a decimal comma, the € sign.
    assert list(grant.years.values_list("year", "applied", "spent")) == [
        (2025, Decimal(33000), Decimal("32000.50")),
        (2026, Decimal(33000), None),
    ]
    assert list(grant.measures.all()) == [measure]


def test_grant_create_form_shows_year_errors_and_keeps_input(django_app, coordinator):
    programme = FundingProgrammeFactory()
    form = main_form(django_app.get(reverse("measures:grant_create"), user=coordinator))
    _fill_grant(form, programme, status="applied", title="Antrag Sprachförderung")
    form["purpose"] = "Sprachcafés"
    form["years-0-year"] = "2024"
    form["years-0-applied"] = "1000"
    form["years-1-year"] = "2025"
    form["years-1-applied"] = "500"
    form["years-1-granted"] = "500"
    page = form.submit()
    assert page.status_code == 200
    errors = page.html.select_one(".alert-danger").text
    assert "2024: Das Jahr liegt außerhalb des Förderzeitraums (2025–2026)." in errors
    assert "2025: Ein bewilligter Betrag" in errors
    form = main_form(page)
    assert form["title"].value == "Antrag Sprachförderung"
    assert form["purpose"].value == "Sprachcafés"
    assert form["years-1-granted"].value == "500"
    assert not Grant.objects.exists()


def test_grant_update_form_offers_each_year_and_removes_rows(django_app, coordinator, grant):
    page = django_app.get(reverse("measures:grant_update", args=[grant.pk]), user=coordinator)
    form = main_form(page)
    assert [form[f"years-{i}-year"].value for i in range(3)] == ["2019", "2020", ""]
    form["years-1-DELETE"] = True
    form["status"] = "settled"
    form.submit().follow()
    grant.refresh_from_db()
    assert grant.status == S.SETTLED
    assert list(grant.years.values_list("year", flat=True)) == [2019]


def test_programme_create_and_update_forms(django_app, coordinator):
    page = django_app.get(reverse("measures:programme_create"), user=coordinator)
    form = main_form(page)
    form["name"] = "Asyl-, Migrations- und Integrationsfonds"
    form["short_name"] = "AMIF"
    form["provider"] = "EU, BAMF"
    form["level"] = "eu"
    form["url"] = "www.bamf.de"
    page = form.submit().follow()
    programme = FundingProgramme.objects.get()
    assert programme.url == "https://www.bamf.de"
    assert page.request.path == programme.get_absolute_url()
    form = main_form(page.click("Bearbeiten"))
    form["is_active"] = False
    page = form.submit().follow()
    assert "geschlossen" in page.text
    assert reverse("measures:grant_create") not in page.text
