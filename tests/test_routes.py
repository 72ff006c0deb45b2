"""Every named route × every role: anonymous → login, no right → 403, right → 200.

Each app adds its routes to ``MATRIX``; ``test_every_route_is_in_the_matrix``
fails when a route is missing, so a new page cannot be forgotten.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .core.factories import FieldOfActionFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user_without_role", "committee_member", "administration_user", "coordinator")

# url name → (kwargs builder, roles that may open it). Every named route of the
# project that needs a login must be listed (see test_every_route_is_in_the_matrix).
MATRIX = {
    "core:dashboard": (
        lambda: {},
        {"committee_member", "administration_user", "coordinator"},
    ),
    "core:fieldofaction_list": (
        lambda: {},
        {"committee_member", "administration_user", "coordinator"},
    ),
    "core:fieldofaction_create": (lambda: {}, {"coordinator"}),
    "core:fieldofaction_update": (lambda: {"pk": FieldOfActionFactory().pk}, {"coordinator"}),
}

# Network (actors). Verwaltung reads, only the coordination changes.
NETWORK_READERS = {"administration_user", "coordinator"}
MATRIX |= {
    # "actors:person_detail": (lambda: {"pk": PersonFactory().pk}, NETWORK_READERS),
}

# Network: import and export.
MATRIX |= {}

# Network: data protection.
MATRIX |= {}

# Routes open to everyone or owned by Django's auth and admin.
PUBLIC_OR_FOREIGN = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
}


def named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_matrix():
    assert set(named_routes()) - PUBLIC_OR_FOREIGN == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_route_access_per_role(django_app, request, role, url_name):
    kwargs_builder, allowed = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs_builder())
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = django_app.get(url, user=user, expect_errors=True)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith(reverse("login"))
    elif role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Zugriff verweigert" in response.text or "Access denied" in response.text
