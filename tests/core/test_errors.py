"""German error pages, rendered even when the request context is unavailable."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from integration.core import errors

pytestmark = pytest.mark.django_db


def test_server_error_page_is_german_without_context():
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()


def test_bad_request_page_is_german():
    response = errors.bad_request(RequestFactory().get("/"), Exception("bad host"))
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


def test_csrf_failure_is_german_and_has_no_inline_style(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Das Formular ist abgelaufen" in body
    assert "<style" not in body
    assert 'lang="de"' in body


def test_unknown_page_is_a_german_404(django_app, coordinator):
    response = django_app.get("/gibt-es-nicht/", user=coordinator, expect_errors=True)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text


def test_foreign_host_gets_german_400(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
