"""The Redis cache backend keeps one client per pool and still works as a cache."""

import pytest
from django.core.cache import caches
from django.test import override_settings


@pytest.fixture
def redis_cache(redis_url):
    url = redis_url.rsplit("/", 1)[0] + "/3"
    config = {"default": {"BACKEND": "integration.core.cache.RedisCache", "LOCATION": url}}
    with override_settings(CACHES=config):
        cache = caches["default"]
        yield cache
        cache.clear()


def test_redis_cache_reuses_its_client(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client


def test_redis_cache_round_trip(redis_cache):
    redis_cache.set("Wiesenbrück", {"Runder Tisch": 45}, 30)
    assert redis_cache.get("Wiesenbrück") == {"Runder Tisch": 45}
    assert redis_cache.add("zähler", 1)
    assert redis_cache.incr("zähler") == 2
    redis_cache.delete("Wiesenbrück")
    assert redis_cache.get("Wiesenbrück") is None


def test_settings_use_the_pooled_backend_for_redis(tmp_path):
    from .test_settings import run_manage

    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={"DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/2"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "integration.core.cache.RedisCache"
