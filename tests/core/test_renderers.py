"""Form widgets render through Jinja2, and the admin's own widgets still render."""

import pytest
from django.urls import reverse

from integration.core.renderers import FormRenderer

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_form_renderer_uses_jinja2_for_django_form_templates():
    template = FormRenderer().get_template("django/forms/widgets/input.html")
    assert template.__module__.startswith("django.template.backends.jinja2")


def test_form_renderer_falls_back_to_django_templates_for_admin_widgets():
    template = FormRenderer().get_template("admin/widgets/related_widget_wrapper.html")
    assert template.__module__.startswith("django.template.backends.django")


def test_admin_user_change_page_renders_for_a_superuser(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.get(reverse("admin:core_user_change", args=[admin_user.pk]))
    assert response.status_code == 200
