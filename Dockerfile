# One image for all processes of the app: web (gunicorn, the default command),
# worker and beat (Celery), and one-off management commands. See
# docker-compose.yml and the README's operations section.
FROM python:3.11-slim-bookworm

# uv uses the image's Python (it must not download one) and installs into /app/.venv.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    PATH=/app/.venv/bin:$PATH \
    WEB_CONCURRENCY=3

# Run-time libraries: Pango and HarfBuzz for WeasyPrint, fonts for the PDFs,
# gettext for compilemessages, and the PostgreSQL client for backups
# (bookworm ships version 15, matching the postgres:15 server of the compose file).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# The same uv as the Makefile's, from PyPI.
RUN pip install "uv==0.13.*"

WORKDIR /app

# Dependencies before the code, so this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# The German catalogue, as in `make install`; a dummy secret keeps settings from
# generating one into the image.
RUN DEBUG=true SECRET_KEY=build-only-not-secret \
    python manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v0

# collectstatic runs with DEBUG off on purpose: only then do the settings pick
# the manifest storage whose staticfiles.json the production app needs. The
# values below only satisfy the settings' checks; nothing connects anywhere.
RUN DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    SITE_URL=http://localhost DATABASE_URL=sqlite:////tmp/build-unused.sqlite3 \
    EMAIL_URL=dummymail:// \
    python manage.py collectstatic --no-input -v0

# Code and static files stay root-owned; the app writes only below var/
# (media and beat schedule are volumes), into /backups and its home (font cache).
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app app \
    && mkdir -p /app/var/media /app/var/beat /backups \
    && chown -R app:app /app/var /backups
USER app

EXPOSE 8000

# /healthz must be asked under a host name Django accepts: the first of ALLOWED_HOSTS
# (".example.org" becomes "example.org"; "*" accepts any). urlopen fails on 503.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.*') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=8)"]

# Workers: WEB_CONCURRENCY (default 3 above), overridable in .env. Worker
# restarts after a number of requests keep slowly growing memory in check.
# The logger class keeps survey links out of the access log.
CMD ["gunicorn", "integration.wsgi", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--max-requests", "1000", "--max-requests-jitter", "100", "--timeout", "60", "--access-logfile", "-", "--logger-class", "integration.core.logging.GunicornLogger"]
