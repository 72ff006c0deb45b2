"""Screens of the Umsetzungsstand: the status update form and "Meine Maßnahmen"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.models import Organisation
from measures.models import Measure, StatusUpdate

from ..actors.factories import OrganisationFactory
from ..utils import main_form
from .factories import (
    ConceptVersionFactory,
    GoalFactory,
    MeasureFactory,
    ResponsibilityFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def department():
    return OrganisationFactory(
        name="FB II Familie & Soziales", kind=Organisation.Kind.ADMINISTRATION
    )


@pytest.fixture
def measure(department):
    return MeasureFactory(lead=department, title="Sprachcafé im Familienzentrum")


@pytest.fixture
def lead_user(administration_user, department):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


# --- Permissions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("lead_user", 200),
        ("administration_user", 403),
        ("committee_member", 403),
        ("user_without_role", 403),
    ],
)
def test_statusupdate_create_by_role(role, status, client, request, measure):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("measures:statusupdate_create", args=[measure.pk]))

    assert response.status_code == status


def test_statusupdate_create_other_department_is_403(client, lead_user):
    other = MeasureFactory(lead=OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION))
    client.force_login(lead_user)

    url = reverse("measures:statusupdate_create", args=[other.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"date": timezone.localdate().isoformat(), "status": "done", "note": "Erledigt."}
    )

    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


def test_statusupdate_create_old_version_is_403(client, coordinator, department):
    old = ConceptVersionFactory(adopted_on=timezone.localdate() - timedelta(days=400))
    ConceptVersionFactory(concept=old.concept)
    old_measure = MeasureFactory(goal=GoalFactory(version=old), lead=department)
    client.force_login(coordinator)

    response = client.get(reverse("measures:statusupdate_create", args=[old_measure.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["my_measures", "stale_list"])
def test_updates_pages_send_anonymous_visitors_to_the_login(name, client):
    response = client.get(reverse(f"measures:{name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("administration_user", 200),
        ("committee_member", 403),
        ("user_without_role", 403),
    ],
)
def test_my_measures_by_role(role, status, client, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("measures:my_measures")).status_code == status


# --- The form -------------------------------------------------------------------------


def test_statusupdate_create_form_defaults_to_today_and_current_status(
    django_app, lead_user, measure
):
    measure.status = Measure.Status.IN_PROGRESS
    measure.save()

    form = main_form(
        django_app.get(reverse("measures:statusupdate_create", args=[measure.pk]), user=lead_user)
    )

    assert form["date"].value == timezone.localdate().isoformat()
    assert form["status"].value == Measure.Status.IN_PROGRESS


def test_statusupdate_create_saves_and_returns_to_the_measure(django_app, lead_user, measure):
    page = django_app.get(
        reverse("measures:statusupdate_create", args=[measure.pk]), user=lead_user
    )
    form = main_form(page)
    form["status"] = Measure.Status.DONE
    form["note"] = "Das Sprachcafé findet seit März wöchentlich statt."

    response = form.submit()

    assert response.status_code == 302
    assert response["Location"] == measure.get_absolute_url()
    update = StatusUpdate.objects.get()
    assert update.author == lead_user
    assert update.status == Measure.Status.DONE
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert measure.last_update_on == timezone.localdate()
    assert any("Sprachcafé im Familienzentrum" in text for text in messages_of(response.follow()))


def test_statusupdate_create_future_date_shows_german_error(django_app, lead_user, measure):
    form = main_form(
        django_app.get(reverse("measures:statusupdate_create", args=[measure.pk]), user=lead_user)
    )
    form["date"] = (timezone.localdate() + timedelta(days=3)).isoformat()
    form["note"] = "Geplant."

    response = form.submit()

    assert response.status_code == 200
    assert "Zukunft" in response.html.select_one("main").get_text()
    assert not StatusUpdate.objects.exists()


def test_statusupdate_create_without_note_shows_error(django_app, lead_user, measure):
    form = main_form(
        django_app.get(reverse("measures:statusupdate_create", args=[measure.pk]), user=lead_user)
    )

    response = form.submit()

    assert response.status_code == 200
    assert not StatusUpdate.objects.exists()


# --- Meine Maßnahmen -----------------------------------------------------------------


def test_my_measures_lists_only_own_departments_current_measures(
    django_app, lead_user, measure, department
):
    MeasureFactory(title="Fremde Maßnahme", lead=OrganisationFactory())
    old_version = ConceptVersionFactory(
        concept=measure.goal.version.concept, adopted_on=timezone.localdate() - timedelta(days=900)
    )
    MeasureFactory(goal=GoalFactory(version=old_version), lead=department, title="Alte Fassung")

    page = django_app.get(reverse("measures:my_measures"), user=lead_user)

    rows = page.html.select("#my-measures tbody tr")
    assert [row["data-measure"] for row in rows] == [str(measure.pk)]
    assert "Fremde Maßnahme" not in page.text
    assert "Alte Fassung" not in page.text
    link = reverse("measures:statusupdate_create", args=[measure.pk])
    assert page.html.select_one(f"#my-measures a[href='{link}']")


def test_my_measures_marks_overdue_and_stale(django_app, lead_user, department):
    today = timezone.localdate()
    MeasureFactory(
        lead=department,
        end_on=today - timedelta(days=1),
        start_on=today - timedelta(days=100),
        last_update_on=today,
    )

    page = django_app.get(reverse("measures:my_measures"), user=lead_user)

    row = page.html.select_one("#my-measures tbody tr")
    assert row.select_one("[data-marker=overdue]")
    assert not row.select_one("[data-marker=stale]")


def test_my_measures_without_responsibility_explains_whom_to_ask(
    django_app, administration_user, coordinator, measure
):
    page = django_app.get(reverse("measures:my_measures"), user=administration_user)

    explanation = page.html.select_one("#no-responsibility").get_text()
    assert coordinator.get_full_name() in explanation
    assert not page.html.select("#my-measures")


def _many_measures(department, count):
    goal = GoalFactory()
    for _ in range(count):
        MeasureFactory(goal=goal, lead=department)


def test_my_measures_constant_queries(client, lead_user, department, django_assert_max_num_queries):
    client.force_login(lead_user)
    url = reverse("measures:my_measures")
    _many_measures(department, 2)
    client.get(url)  # warm caches (permissions, session)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many_measures(department, 30)

    with django_assert_max_num_queries(len(small)):
        response = client.get(url)

    assert len(response.context["measures"]) == 32
