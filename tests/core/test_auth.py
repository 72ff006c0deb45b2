"""Login, logout, password reset by email and the login rate limit."""

import re

import pytest
from django.urls import reverse

from ..utils import main_form
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-123"


def test_login_with_password_lands_on_dashboard(django_app, coordinator):
    form = main_form(django_app.get(reverse("login")))
    form["username"] = coordinator.username
    form["password"] = PASSWORD
    page = form.submit().follow()
    assert page.request.path == reverse("core:dashboard")


def test_login_redirects_back_to_requested_page(django_app, coordinator):
    page = django_app.get(reverse("core:fieldofaction_list")).follow()
    form = main_form(page)
    form["username"] = coordinator.username
    form["password"] = PASSWORD
    assert form.submit().follow().request.path == reverse("core:fieldofaction_list")


def test_login_wrong_password_shows_error_and_stays(django_app, coordinator):
    form = main_form(django_app.get(reverse("login")))
    form["username"] = coordinator.username
    form["password"] = "falsch"
    page = form.submit()
    assert page.status_code == 200
    assert "_auth_user_id" not in django_app.session


def test_logout_needs_post_and_ends_session(django_app, coordinator):
    page = django_app.get(reverse("core:dashboard"), user=coordinator)
    logout_form = next(f for f in page.forms.values() if f.action == reverse("logout"))
    page = logout_form.submit().follow()
    assert page.request.path == reverse("login")
    assert django_app.get(reverse("core:dashboard")).status_code == 302


def test_login_rate_limit_locks_after_repeated_failures(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "falsch"})
    # Even the right password is refused while the lockout lasts.
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def lock_out(client, username, **headers):
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "falsch"}, **headers)


def test_login_rate_limit_ignores_forged_forwarded_for_without_proxy(client):
    user = UserFactory()
    lock_out(client, user.username, HTTP_X_FORWARDED_FOR="203.0.113.1")
    # A new forged address must not buy new attempts.
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


def test_login_rate_limit_behind_proxy_locks_only_the_attacking_client(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    user = UserFactory()
    # Behind the proxy every request comes from its address; the header names the client.
    lock_out(client, user.username, HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.2")
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_mail_has_absolute_site_link_and_works(django_app, mailoutbox, settings):
    user = UserFactory(email="lotsin@wiesenbrueck.example")
    form = main_form(django_app.get(reverse("password_reset")))
    form["email"] = user.email
    form.submit().follow()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [user.email]
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert mail.alternatives[0][1] == "text/html"
    link = re.search(r"https://integration\.example\.org(/\S+)", mail.body).group(1)
    assert settings.SITE_URL == "https://integration.example.org"

    page = django_app.get(link).follow()
    form = main_form(page)
    form["new_password1"] = "Neues-Passwort-2026"
    form["new_password2"] = "Neues-Passwort-2026"
    form.submit().follow()
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-2026")


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(
    django_app, mailoutbox
):
    form = main_form(django_app.get(reverse("password_reset")))
    form["email"] = "niemand@example.org"
    page = form.submit().follow()
    assert mailoutbox == []
    assert page.request.path == reverse("password_reset_done")


def test_login_page_is_german(django_app):
    page = django_app.get(reverse("login"))
    assert page.html.html["lang"] == "de"
    assert "Anmelden" in page.text
    assert "Passwort vergessen?" in page.text
