"""Settings of the integration coordination platform.

Every value comes from the environment (or a ``.env`` file beside ``manage.py``);
see ``.env.example`` and the README's configuration table. Laptop defaults only
apply while ``DEBUG`` is on; with ``DEBUG`` off a missing secret, host, site URL
or mail configuration stops the start with an error.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Values already in the environment win over the file.
ENV_FILE = Path(env("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

# =============================================================================
# GENERAL
# =============================================================================
DEBUG = env.bool("DEBUG", default=False)

# Everything the app writes at run time (SQLite, generated secret, mail files,
# uploads, PDFs) goes below one git-ignored folder.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
if DEBUG:
    VAR_DIR.mkdir(parents=True, exist_ok=True)


def _require(name: str) -> str:
    """Return an environment variable that production cannot do without."""
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is off (see .env.example and the README)."
        )
    return value


def _local_secret_key() -> str:
    """A secret generated once into var/, so sessions survive restarts on a laptop."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="") or _local_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
else:
    SECRET_KEY = _require("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    SITE_URL = _require("SITE_URL")
SITE_URL = SITE_URL.rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# Name of the town or district, shown in the header, in mails and in PDFs.
MUNICIPALITY_NAME = env("MUNICIPALITY_NAME", default="Stadt Wiesenbrück")

# =============================================================================
# APPS AND MIDDLEWARE
# =============================================================================
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_filters",
    "simple_history",
    "integration.core",
    "integration.documents",
    "actors",
    "actors.surveys",
    "measures",
    "minutes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the logged-in user as author of each change history entry.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "integration.urls"
WSGI_APPLICATION = "integration.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "integration.core.context_processors.site",
            ],
        },
    },
]

# Widgets (a select renders a template per option) are rendered with Jinja2,
# several times faster than Django's engine for long filter forms; pages and
# crispy layouts stay Django templates.
FORM_RENDERER = "integration.core.renderers.FormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# =============================================================================
# DATABASE
# =============================================================================
if DEBUG:
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
else:
    DATABASES = {"default": env.db_url_config(_require("DATABASE_URL"))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# =============================================================================
# CACHE AND SESSIONS
# =============================================================================
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": (
        env.cache_url_config(CACHE_URL)
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "integration.core.cache.RedisCache"
# Sessions and permission sets may live in the cache only when every process
# shares it (Redis), or with the single process of runserver: otherwise a
# logout or a withdrawn role would linger in the other workers.
SHARED_CACHE = bool(CACHE_URL) and "redis" in CACHES["default"]["BACKEND"].lower()
if SHARED_CACHE or DEBUG:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    PERMISSION_CACHE_TIMEOUT = env.int("PERMISSION_CACHE_TIMEOUT", default=600)
else:
    PERMISSION_CACHE_TIMEOUT = 0

# =============================================================================
# AUTHENTICATION
# =============================================================================
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "integration.core.permissions.CachedPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Rate-limit logins: five failures for one user name from one address lock
# that pair out for a quarter of an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Reverse proxies in front of the app: the client address is then read from
# X-Forwarded-For (see integration/core/client_ip.py), otherwise REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "integration.core.client_ip.client_ip"

# =============================================================================
# LANGUAGE AND TIME
# =============================================================================
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "integration" / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# =============================================================================
# STATIC AND MEDIA FILES
# =============================================================================
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if DEBUG:
    # WhiteNoise serves from the finders while DEBUG is on but warns without this folder.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads and generated PDFs are never served by URL: views check permissions
# and stream them, so MEDIA_ROOT lies outside the web root.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# =============================================================================
# EMAIL
# =============================================================================
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    # Mails become files a developer can open, one per message batch.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    _require("EMAIL_URL")
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default=f"{MUNICIPALITY_NAME} - Integration <noreply@localhost>"
)
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = 30

# =============================================================================
# CELERY
# =============================================================================
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
# No broker: run tasks in-process, so the embedded default needs no Redis.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or CELERY_BROKER_URL
# State lives in the database (the outbox); results are kept only where asked.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the task ran, so a crashed worker's task is delivered again;
# every task is idempotent, so a second run is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task that runs longer than this is handed to another worker by Redis.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "integration.core.tasks.sessions_clear_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "delete-old-login-attempts": {
        "task": "integration.core.tasks.access_log_clean_task",
        "schedule": crontab(hour=3, minute=27),
    },
    # DSGVO retention: list, warn once, anonymise after the grace period.
    "network-retention": {
        "task": "actors.tasks.retention_run_task",
        "schedule": crontab(hour=4, minute=7),
    },
    # Imports left queued (broker down when confirmed) or by a dead worker.
    "network-import-sweep": {
        "task": "actors.tasks.import_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # The survey outbox: mails left queued (broker down at the launch, lost
    # tasks, retries due) or by a dead worker; surveys past their closing day.
    "surveys-mail-sweep": {
        "task": "actors.surveys.tasks.mails_sweep_task",
        "schedule": crontab(),
    },
    # Survey reminders on their days (e.g. 7 and 14 days after the launch).
    "surveys-reminders": {
        "task": "actors.surveys.tasks.reminders_plan_task",
        "schedule": crontab(minute=23),
    },
    # Report deadlines of grants, once per deadline (see measures.services.funding).
    "funding-report-reminders": {
        "task": "measures.tasks.grant_report_remind_task",
        "schedule": crontab(hour=7, minute=13),
    },
    # Follow-up tasks: remind owners before and after the due date, once per due date.
    "minutes-task-reminders": {
        "task": "minutes.tasks.task_reminders_send_task",
        "schedule": crontab(hour=7, minute=43),
    },
    # The invitation outbox: mails left queued, due for a retry or by a dead worker.
    "minutes-invitation-sweep": {
        "task": "minutes.tasks.invitation_mails_sweep_task",
        "schedule": crontab(),
    },
    # PDF documents left queued (broker down, lost task) or by a dead worker;
    # superseded files removed.
    # Meeting packet mails left queued or by a dead worker.
    "minutes-packet-mails-sweep": {
        "task": "minutes.tasks.packet_mails_sweep_task",
        "schedule": crontab(),
    },
    "documents-sweep": {
        "task": "integration.documents.tasks.documents_sweep_task",
        "schedule": crontab(minute="*/2"),
    },
}
# Failed and successful login records older than this are removed (DSGVO).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=90)

# =============================================================================
# NETWORK AND DATA PROTECTION
# =============================================================================
# People with no legal basis left and no activity for this long are listed by
# the retention job, warned where a basis for that exists, and anonymised after
# the grace period.
RETENTION_INACTIVE_DAYS = env.int("RETENTION_INACTIVE_DAYS", default=730)
RETENTION_GRACE_DAYS = env.int("RETENTION_GRACE_DAYS", default=30)
# Named in the retention mail and set as its Reply-To, so people can renew consent.
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", default="")
# Imports larger than this are refused before they are parsed.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)

# =============================================================================
# SURVEYS
# =============================================================================
# Attempts to deliver a survey mail (1, 2, 4, 8, 16 minutes apart) before it is
# marked failed; a refused address fails at once.
SURVEY_MAIL_MAX_ATTEMPTS = env.int("SURVEY_MAIL_MAX_ATTEMPTS", default=6)
# Survey mails per Celery task; each task sends them over one SMTP connection.
SURVEY_BATCH_SIZE = env.int("SURVEY_BATCH_SIZE", default=50)

# =============================================================================
# MEASURES
# =============================================================================
# A measure with no status update for this many months is listed as stale, and
# the coordinator can remind its lead department.
MEASURE_STALE_MONTHS = env.int("MEASURE_STALE_MONTHS", default=6)
# A grant's report deadline (Verwendungsnachweis) is reminded this many days ahead.
GRANT_REPORT_REMINDER_DAYS = env.int("GRANT_REPORT_REMINDER_DAYS", default=14)

# =============================================================================
# MINUTES
# =============================================================================
# Files of papers and meetings: larger uploads are refused before they are read.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# File types accepted as attachments, by extension; each is checked against the
# file's content too (see minutes.services.attachments). Only these are known:
# pdf, png, jpg, jpeg, docx, xlsx, odt.
ATTACHMENT_TYPES = env.list(
    "ATTACHMENT_TYPES", default=["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "odt"]
)
# Owners of follow-up tasks are reminded this many days before the due date (and
# once the day after it); the overview shows such tasks yellow.
MINUTES_TASK_REMINDER_DAYS_BEFORE = env.int("MINUTES_TASK_REMINDER_DAYS_BEFORE", default=7)

# =============================================================================
# DOCUMENTS
# =============================================================================
# Generated PDFs live below MEDIA_ROOT under random names and are served only
# through the permission-checked download view (integration.documents).
DOCUMENTS_FOLDER = env("DOCUMENTS_FOLDER", default="documents")
# Seconds one PDF may take to compile (the task's soft limit; the hard limit is
# 30 s later); a document "rendering" for longer is taken up again by the sweep.
DOCUMENTS_COMPILE_TIME_LIMIT = env.int("DOCUMENTS_COMPILE_TIME_LIMIT", default=300)
# The letterhead of every printed document: name, address lines separated by
# "|", and optionally a logo among the static files (e.g. "img/wappen.svg").
DOCUMENTS_LETTERHEAD_NAME = env("DOCUMENTS_LETTERHEAD_NAME", default=MUNICIPALITY_NAME)
_letterhead_address = env("DOCUMENTS_LETTERHEAD_ADDRESS", default="Marktplatz 1|12345 Wiesenbrück")
DOCUMENTS_LETTERHEAD_ADDRESS = [
    line.strip() for line in _letterhead_address.split("|") if line.strip()
]
DOCUMENTS_LETTERHEAD_LOGO = env("DOCUMENTS_LETTERHEAD_LOGO", default="")

# =============================================================================
# SECURITY
# =============================================================================
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "integration.core.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks of the container come over plain HTTP from inside the host.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    # Only behind a reverse proxy that sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script, no third-party origin: everything comes from our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# =============================================================================
# LOGGING
# =============================================================================
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # Survey links are keys to a person's answers: never in a log or error mail.
        "redact_secret_links": {"()": "integration.core.logging.RedactSecretLinks"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_links"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_secret_links"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers would print runserver lines a second time.
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        # runserver's request lines, through the filtered handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Scanners send foreign Host headers all day: log them, mail nobody.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
ADMINS = [("Admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

# Django's admin, for superusers only; another path keeps scanners off it.
ADMIN_URL = env("ADMIN_URL", default="admin/")
