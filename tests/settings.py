"""Settings for the test suite: the real settings in laptop mode, with a few overrides."""

import os

# The suite must not depend on a developer's .env (which might point CACHE_URL
# at a Redis the tests would clear): laptop mode, fixed secret, no file.
os.environ["ENV_FILE"] = "/nonexistent/.env"
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from integration.settings import *  # noqa: F403
from integration.settings import CELERY_BROKER_URL

# Services enqueue and tests check the outcome synchronously; the real-worker
# tests switch eager mode off for themselves (tests/core/test_celery.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Tests may reach Redis (CI) or not (laptop); kept apart so the conftest can tell.
TEST_CELERY_BROKER_URL = CELERY_BROKER_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://integration.example.org"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
