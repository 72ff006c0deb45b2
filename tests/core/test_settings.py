"""Settings load in laptop and production mode; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-check",
    "ALLOWED_HOSTS": "integration.wiesenbrueck.de",
    "SITE_URL": "https://integration.wiesenbrueck.de",
    "DATABASE_URL": "postgres://integration:secret@db.invalid:5432/integration",
    "EMAIL_URL": "smtp+tls://user:pass@mail.invalid:587",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # A clean environment: no developer .env, no inherited settings.
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ENV_FILE": str(tmp_path / "absent.env"),
        "VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_laptop_mode_has_safe_defaults(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.EMAIL_BACKEND, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, env={"DEBUG": "true"}, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
        "Europe/Berlin",
        "de",
    ]
    # The secret was generated once into var/ and is reused.
    secret = (tmp_path / "var" / "secret_key").read_text()
    assert len(secret) >= 50
    again = run_manage("shell", "-c", "pass", env={"DEBUG": "true"}, tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "var" / "secret_key").read_text() == secret


def test_settings_production_mode_reads_environment(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.EMAIL_BACKEND, s.SITE_URL, s.EMAIL_USE_TLS)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "django.core.mail.backends.smtp.EmailBackend",
        "https://integration.wiesenbrueck.de",
        "True",
    ]
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "EMAIL_URL"]
)
def test_settings_production_mode_refuses_missing_value(tmp_path, missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_settings_production_passes_check_deploy(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
