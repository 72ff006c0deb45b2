"""Fixtures shared by all tests: users per role, service availability."""

import os

import pytest
from django.conf import settings
from django.db import connection

from integration.core import services
from integration.core.roles import Role

from .core.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("true", "1")


def require_service(name: str, available: bool, reason: str) -> None:
    """Skip a test whose service is missing; in CI that is a failure, not a skip."""
    if available:
        return
    message = f"{name} not reachable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: every service must be there)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached sessions and permission sets must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgres_required(db):
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "tests run on SQLite; set DATABASE_URL or run `make test` with PostgreSQL installed",
    )


@pytest.fixture
def redis_url():
    url = settings.TEST_CELERY_BROKER_URL
    if not url:
        require_service("Redis", False, "CELERY_BROKER_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_service("Redis", False, f"{url}: {error}")
    return url


@pytest.fixture
def roles(db):
    return services.roles_sync()


def _user_with_role(role):
    user = UserFactory()
    user.groups.set([services.roles_sync()[role.value]])
    return user


@pytest.fixture
def coordinator(db):
    return _user_with_role(Role.COORDINATION)


@pytest.fixture
def administration_user(db):
    return _user_with_role(Role.ADMINISTRATION)


@pytest.fixture
def committee_member(db):
    return _user_with_role(Role.COMMITTEE_MEMBER)


@pytest.fixture
def user_without_role(db):
    return UserFactory()


@pytest.fixture
def smtp_sink(request):
    """A mail server on a free port that keeps every mail (``tests/mail_sink.py``);
    options of ``Sink`` through indirect parametrisation."""
    from aiosmtpd.controller import Controller

    from .mail_sink import Sink, free_port

    sink = Sink(**getattr(request, "param", {}))
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    sink.release.set()
    controller.stop()
