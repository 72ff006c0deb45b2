import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_missing_broker(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_configured_broker_is_down(client, settings):
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_database_is_down(client, monkeypatch):
    from django.db import OperationalError

    from integration.core import health

    def fail():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", lambda: fail())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    # Nothing about the failure's detail leaks to an anonymous caller.
    assert "refused" not in response.content.decode()


def test_healthz_with_real_broker(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
