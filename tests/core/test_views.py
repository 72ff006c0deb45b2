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


@pytest.mark.parametrize(("role", "status"), [("committee_member", 403), ("coordinator", 302)])
def test_fieldofaction_post_needs_the_right(django_app_factory, request, role, status):
    # Without CSRF checks, so that a 403 can only come from the permission check.
    app = django_app_factory(csrf_checks=False)
    field = FieldOfActionFactory(name="Wohnen")
    url = reverse("core:fieldofaction_update", args=[field.pk])
    data = {"name": "Gekapert", "description": "", "position": 1, "is_active": "on"}
    response = app.post(url, data, user=request.getfixturevalue(role), expect_errors=True)
    assert response.status_code == status
    field.refresh_from_db()
    if status == 403:
        assert "Zugriff verweigert" in response.text
        assert field.name == "Wohnen"
    else:
        assert field.name == "Gekapert"
