#!/usr/bin/env bash
# The body of `make test`: linters, migration check and the whole suite.
# With CI=true the services the suite needs are installed first (apt-get), so a
# fresh machine runs everything on PostgreSQL, with Redis, a worker and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${CI:-}" in true|TRUE|True|1) in_ci=1 ;; *) in_ci="" ;; esac
if [ -n "$in_ci" ]; then
  missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v npm >/dev/null || missing+=(npm)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing for CI: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
fi

# axe-core for the accessibility checks in the browser tests (test-only, npm).
if command -v npm >/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
DEBUG=true .venv/bin/python manage.py makemigrations --check --dry-run
scripts/with-services.sh .venv/bin/pytest "$@"
