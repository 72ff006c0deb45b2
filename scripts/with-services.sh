#!/usr/bin/env bash
# Usage: scripts/with-services.sh COMMAND...
#
# Runs COMMAND with a throwaway PostgreSQL and Redis: each gets its own data
# directory and a free port on 127.0.0.1, and both are stopped (and their data
# deleted) when COMMAND ends. A service whose URL is already given
# (DATABASE_URL, CELERY_BROKER_URL) or whose server is not installed is not
# started; the tests then use the given one or skip (fail with CI=true).
set -euo pipefail

run_dir=$(mktemp -d /tmp/integration-services.XXXXXX)
chmod 755 "$run_dir"
pg_data="$run_dir/pg"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg_started=""
redis_port=""

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# PostgreSQL refuses to run as root: run its tools as the postgres user.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_services() {
  if [ -n "$pg_started" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "$redis_port" ]; then
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  fi
  rm -rf "$run_dir"
}
trap stop_services EXIT

if [ -z "${DATABASE_URL:-}" ] && [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "with-services: no postgres user to run PostgreSQL as; not starting it." >&2
  else
    pg_port=$(free_port)
    mkdir -p "$pg_data"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$pg_data"
    as_postgres "$pg_bin/initdb" -D "$pg_data" -U integration --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$run_dir/initdb.log" 2>&1
    # A throwaway instance: durability settings off for speed.
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 start \
      -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" >/dev/null
    pg_started=1
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U integration integration
    export DATABASE_URL="postgres://integration@127.0.0.1:$pg_port/integration"
    # Tells bench/pages.py that this database may be filled with demo logins.
    export INTEGRATION_THROWAWAY_DATABASE=1
    echo "with-services: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $pg_port"
  fi
fi

if [ -z "${CELERY_BROKER_URL:-}" ] && command -v redis-server >/dev/null; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$run_dir" --daemonize yes --pidfile "$run_dir/redis.pid" \
    --logfile "$run_dir/redis.log" >/dev/null
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/0"
  echo "with-services: Redis on port $redis_port"
fi

"$@"
