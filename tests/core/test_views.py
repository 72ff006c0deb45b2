"""Every page of the core app per role: anonymous → login, no right → 403, right → 200."""

import pytest
from django.urls import reverse

from integration.core.models import FieldOfAction

from ..utils import main_form
from .factories import FieldOfActionFactory

pytestmark = pytest.mark.django_db


def test_dashboard_shows_real_figures(django_app, coordinator):
    FieldOfActionFactory.create_batch(3)
    FieldOfActionFactory(is_active=False)
    page = django_app.get(reverse("core:dashboard"), user=coordinator)
    list_url = reverse("core:fieldofaction_list")
    card = next(
        card
        for card in page.html.select(".figure-card")
        if card.select_one(f'a[href="{list_url}"]')
    )
    assert card.select_one(".display-6").text == "3"


def test_dashboard_without_figures_for_role_says_so(django_app, user_without_role, roles):
    from django.contrib.auth.models import Permission

    user_without_role.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    page = django_app.get(reverse("core:dashboard"), user=user_without_role)
    assert page.html.select(".figure-card") == []
    assert "noch nichts anzuzeigen" in page.text


def test_dashboard_query_count_is_constant(django_app, coordinator, django_assert_max_num_queries):
    django_app.get(reverse("core:dashboard"), user=coordinator)
    FieldOfActionFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        django_app.get(reverse("core:dashboard"), user=coordinator)


def test_fieldofaction_create_through_form(django_app, coordinator):
    form = main_form(django_app.get(reverse("core:fieldofaction_create"), user=coordinator))
    form["name"] = "Digitale Teilhabe"
    form["description"] = "Zugang zu Geräten und Behördenportalen"
    page = form.submit().follow()
    assert FieldOfAction.objects.filter(name="Digitale Teilhabe").exists()
    assert "Digitale Teilhabe" in page.text


def test_fieldofaction_duplicate_name_shows_german_error(django_app, coordinator):
    FieldOfActionFactory(name="Gesundheit")
    form = main_form(django_app.get(reverse("core:fieldofaction_create"), user=coordinator))
    form["name"] = "gesundheit"
    page = form.submit()
    assert page.status_code == 200
    assert FieldOfAction.objects.filter(name__iexact="gesundheit").count() == 1
    assert "existiert bereits" in page.text


def test_fieldofaction_archive_keeps_row(django_app, coordinator):
    field = FieldOfActionFactory(name="Wohnen")
    form = django_app.get(reverse("core:fieldofaction_update", args=[field.pk]), user=coordinator)
    form = main_form(form)
    form["is_active"] = False
    form.submit().follow()
    field.refresh_from_db()
    assert field.is_active is False


def test_fieldofaction_post_by_committee_member_is_forbidden(django_app, committee_member):
    field = FieldOfActionFactory(name="Wohnen")
    url = reverse("core:fieldofaction_update", args=[field.pk])
    response = django_app.post(url, {"name": "Gekapert"}, user=committee_member, expect_errors=True)
    assert response.status_code == 403
    field.refresh_from_db()
    assert field.name == "Wohnen"
