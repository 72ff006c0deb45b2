"""What the benchmarks share: the throwaway-database check, free ports, Django set-up."""

import io
import os
import socket
from urllib.parse import urlsplit

HOST = "127.0.0.1"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}


class BenchError(Exception):
    """A precondition or a step failed; the message says which."""


def check_throwaway_database(*, make_target: str, writes: str) -> None:
    """Refuse any database but a throwaway PostgreSQL from scripts/with-services.sh.

    ``writes`` says what the benchmark puts into it, ``make_target`` how to run it.
    """
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        shown = urlsplit(url).scheme + "://…" if url else "not set"
        raise BenchError(
            f"DATABASE_URL must point to PostgreSQL (it is {shown}). The benchmark "
            f"{writes}, so use a throwaway database: run `{make_target}`, which starts "
            "one with scripts/with-services.sh."
        )
    if os.environ.get("INTEGRATION_THROWAWAY_DATABASE") != "1":
        raise BenchError(
            "The benchmark only runs on a database that scripts/with-services.sh started "
            f"for it (it {writes}): run `{make_target}`."
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def django_prepare() -> None:
    """Set Django up, collect the static files and migrate the throwaway database."""
    import django
    from django.core.management import call_command

    django.setup()
    print("Collecting static files …", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    print("Migrating …", flush=True)
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
