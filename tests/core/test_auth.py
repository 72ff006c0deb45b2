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
    assert "Beide Felder berücksichtigen die Groß-/Kleinschreibung" in page.text
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


def test_login_rate_limit_ignores_forwarded_for_without_proxy(client):
    user = UserFactory()
    lock_out(client, user.username, HTTP_X_FORWARDED_FOR="203.0.113.1")
    # A new forged address must not buy new attempts.
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("attacker_header", "victim_header"),
    [
        # nginx `$remote_addr`, Caddy: the proxy sends only the client's address.
        ("203.0.113.1", "198.51.100.7"),
        # A proxy that appends: whatever the client forged stays on the left.
        ("10.9.9.9, 203.0.113.1", "198.51.100.7"),
    ],
)
def test_login_rate_limit_behind_proxy_locks_only_the_attacking_client(
    client, settings, attacker_header, victim_header
):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    lock_out(client, user.username, HTTP_X_FORWARDED_FOR=attacker_header)
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=victim_header,
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_rate_limit_behind_proxy_cannot_be_dodged_by_forging(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": user.username, "password": "falsch"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.1",
        )
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.1",
    )
    assert response.status_code == 429


def request_reset(django_app, email, captured):
    form = main_form(django_app.get(reverse("password_reset")))
    form["email"] = email
    with captured(execute=True):
        return form.submit().follow()


def test_password_reset_mail_has_absolute_site_link_and_works(
    django_app, mailoutbox, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="lotsin@wiesenbrueck.example")
    request_reset(django_app, user.email, django_capture_on_commit_callbacks)

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
    django_app, mailoutbox, django_capture_on_commit_callbacks
):
    page = request_reset(django_app, "niemand@example.org", django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert page.request.path == reverse("password_reset_done")


def test_password_reset_is_rate_limited_per_address(
    django_app, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="lotsin@wiesenbrueck.example")
    for _ in range(5):
        page = request_reset(django_app, user.email, django_capture_on_commit_callbacks)
        assert page.request.path == reverse("password_reset_done")
    assert len(mailoutbox) == 3


def test_password_reset_mail_is_sent_after_the_request_not_in_it(
    django_app, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="lotsin@wiesenbrueck.example")
    form = main_form(django_app.get(reverse("password_reset")))
    form["email"] = user.email
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = form.submit().follow()
    # The answer comes before any mail server is asked, so its failure or delay
    # tells nothing about the account.
    assert page.request.path == reverse("password_reset_done")
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_password_reset_task_skips_deactivated_user(mailoutbox):
    from integration.core.tasks import password_reset_send_task

    user = UserFactory(email="alt@wiesenbrueck.example", is_active=False)
    assert password_reset_send_task.apply(args=[user.pk]).get() is False
    assert mailoutbox == []


def test_password_reset_task_retries_when_mail_server_is_down(monkeypatch):
    import smtplib

    from celery.exceptions import Retry

    from integration.core import services
    from integration.core.tasks import password_reset_send_task

    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(services, "password_reset_send", refuse)
    # A transient SMTP error schedules a retry instead of failing for good.
    with pytest.raises(Retry):
        password_reset_send_task.apply(args=[1])


def test_login_page_is_german(django_app):
    page = django_app.get(reverse("login"))
    assert page.html.html["lang"] == "de"
    assert "Anmelden" in page.text
    assert "Passwort vergessen?" in page.text
