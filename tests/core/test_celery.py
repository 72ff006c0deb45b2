"""The Celery app: eager mode without a broker, and a real round trip through Redis."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from integration.celery import app
from integration.core.tasks import sessions_clear_task


def make_sessions() -> None:
    expired = SessionStore()
    expired.set_expiry(-10)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    SessionStore().create()


def test_celery_app_configuration():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert "clear-expired-sessions" in conf.beat_schedule
    # Every scheduled task exists, so beat never sends a name no worker knows.
    app.loader.import_default_modules()
    for entry in conf.beat_schedule.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_sessions_clear_task_runs_eagerly_without_broker():
    make_sessions()
    result = sessions_clear_task.delay()
    assert result.get() == 1
    assert Session.objects.count() == 1


@pytest.fixture
def real_broker(redis_url):
    """Switch the app from eager mode to Redis for one test, and back."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    # The backend is cached on first use; drop it so the new URL is taken.
    app._local.__dict__.pop("backend", None)
    yield
    app.conf.update(saved)
    app._local.__dict__.pop("backend", None)


@pytest.mark.django_db(transaction=True)
def test_sessions_clear_task_round_trip_through_redis_with_real_worker(real_broker):
    from celery.contrib.testing.worker import start_worker

    make_sessions()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = sessions_clear_task.apply_async(ignore_result=False)
        assert result.get(timeout=30) == 1
    assert Session.objects.count() == 1
