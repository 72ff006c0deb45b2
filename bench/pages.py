"""Throughput of the main pages under load, compared with a minimal Django view.

Run as ``make bench``, which provides a throwaway PostgreSQL (and Redis) through
``scripts/with-services.sh``. The script configures production settings (DEBUG
off) for a temporary folder, collects the static files, migrates, loads the demo
data, serves ``bench.settings`` with gunicorn on a free port of 127.0.0.1 and
drives every page of ``PAGES`` with ``wrk``. It prints requests per second, the
median and 99th percentile latency, and each page's throughput as a share of the
minimal view served by the same server in the same run.

To measure a new page, add one line to ``PAGES``.
"""

import argparse
import http.client
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.common import (  # noqa: E402 (after the path is set)
    HOST,
    BenchError,
    check_throwaway_database,
    django_prepare,
    free_port,
)

GUNICORN_WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 8
WARMUP_SECONDS = 1
# Every main page should reach this share of the minimal view's requests per second.
TARGET_PERCENT = 25.0
COORDINATOR = "koordination"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    # Demo login to request the page as; None requests it anonymously.
    user: str | None = None


BASELINE = Page("minimal view", "/bench/minimal/")

# Paths may name demo rows in braces; ``demo_ids`` fills them in after seeding.
PAGES = (
    Page("login", "/accounts/login/"),
    Page("dashboard", "/", user=COORDINATOR),
    Page("fields of action", "/fields-of-action/", user=COORDINATOR),
    Page("network overview", "/network/", user=COORDINATOR),
    Page("organisation list", "/network/organisations/", user=COORDINATOR),
    Page("person list", "/network/people/", user=COORDINATOR),
    Page("person search", "/network/people/?q=haddad", user=COORDINATOR),
    Page("person detail", "/network/people/{person}/", user=COORDINATOR),
    Page("circle detail", "/network/circles/{round_table}/", user=COORDINATOR),
    Page("concept", "/concept/", user=COORDINATOR),
    Page("catalogue (1,000 measures)", "/concept/versions/{catalogue}/", user=COORDINATOR),
    Page("funding overview", "/concept/funding/", user=COORDINATOR),
    Page("monitoring overview", "/concept/monitoring/", user=COORDINATOR),
    Page("meeting list", "/committees/meetings/", user=COORDINATOR),
    Page("meeting (preparation page)", "/committees/meetings/{meeting}/", user=COORDINATOR),
    Page("paper list", "/committees/papers/", user=COORDINATOR),
    Page("follow-up tasks", "/committees/tasks/", user=COORDINATOR),
    Page("public meeting page (anonymous)", "/public/meetings/{public_meeting}/"),
    Page("public paper list (anonymous)", "/public/papers/"),
    Page("public search (anonymous)", "/public/search/?q=Integration"),
)


@dataclass(frozen=True)
class Result:
    page: Page
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    # Socket errors and non-2xx/3xx responses wrk counted, empty when none.
    problems: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of load per page (default: 10)"
    )
    parser.add_argument(
        "--scale", type=int, default=10, help="demo data scale for seed_demo (default: 10)"
    )
    args = parser.parse_args(argv)
    if args.duration < 1:
        parser.error("--duration must be at least 1.")
    if args.scale < 1:
        parser.error("--scale must be at least 1.")
    return args


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchError("wrk is not installed (Debian: apt-get install wrk).")
    return wrk


def configure_environment(*, port: int, work_dir: Path) -> None:
    """Production settings for a throwaway server on loopback, shared with gunicorn."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            "EMAIL_URL": "dummymail://",
            # Plain HTTP on loopback: no redirect to https.
            "SECURE_SSL_REDIRECT": "false",
            "VAR_DIR": str(work_dir / "var"),
            "MEDIA_ROOT": str(work_dir / "var" / "media"),
            "STATIC_ROOT": str(work_dir / "static"),
            "LOG_LEVEL": "WARNING",
        }
    )
    # As in production (docker-compose.yml): Redis as broker and as the shared
    # cache that holds sessions and permission sets.
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        os.environ["CACHE_URL"] = broker.rsplit("/", 1)[0] + "/2"
    else:
        print("No Redis (CELERY_BROKER_URL): measuring without the shared cache.")


def prepare_database(*, scale: int) -> None:
    from django.core.management import call_command

    django_prepare()
    print(f"Seeding demo data (scale {scale}) …", flush=True)
    call_command("seed_demo", scale=scale, force=True, stdout=io.StringIO())
    from bench.measures import seed_catalogue

    print("Seeding a catalogue of 1,000 measures …", flush=True)
    seed_catalogue()


def session_cookie(username: str) -> str:
    """A ``Cookie`` header value of a fresh session logged in as ``username``."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    user = get_user_model().objects.get(username=username)
    # What django.test.Client.force_login stores, without sending login signals.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that would have authenticated a password login.
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def start_server(*, port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "integration.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--env",
        "DJANGO_SETTINGS_MODULE=bench.settings",
        "--chdir",
        str(BASE_DIR),
        "--error-logfile",
        "-",
        # No control socket in the home folder, shared with other gunicorns.
        "--no-control-socket",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def fetch(*, port: int, path: str, cookie: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def wait_for_health(
    *, port: int, server: subprocess.Popen, log_path: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(
                f"gunicorn exited with code {server.returncode}:\n{log_tail(log_path)}"
            )
        try:
            response = fetch(port=port, path="/healthz")
        except OSError as error:
            last_error = str(error)
        else:
            if response.status == 200:
                return
            last_error = f"HTTP {response.status}"
        time.sleep(0.2)
    raise BenchError(
        f"/healthz did not answer 200 within {timeout:.0f} s ({last_error}):\n{log_tail(log_path)}"
    )


def check_page(*, port: int, page: Page, cookie: str | None, log_path: Path) -> None:
    response = fetch(port=port, path=page.path, cookie=cookie)
    if response.status != 200:
        location = response.getheader("Location")
        detail = f" to {location}" if location else ""
        log = f"\n{log_tail(log_path)}" if response.status >= 500 else ""
        raise BenchError(
            f"{page.name} ({page.path}) answered HTTP {response.status}{detail}, not 200.{log}"
        )


LATENCY_PATTERN = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
RATE_PATTERN = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
SOCKET_ERRORS_PATTERN = re.compile(r"^\s*Socket errors:\s*(.+)$", re.MULTILINE)
NON_2XX_PATTERN = re.compile(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str, page: Page) -> Result:
    rate = RATE_PATTERN.search(output)
    latencies = {
        percentile: float(value) * UNIT_MS[unit]
        for percentile, value, unit in LATENCY_PATTERN.findall(output)
    }
    if not rate or set(latencies) != {"50", "99"}:
        raise BenchError(f"Could not read wrk's output for {page.name}:\n{output}")
    problems = []
    if match := SOCKET_ERRORS_PATTERN.search(output):
        problems.append(f"socket errors: {match.group(1).strip()}")
    if match := NON_2XX_PATTERN.search(output):
        problems.append(f"{match.group(1)} non-2xx/3xx")
    return Result(
        page=page,
        requests_per_second=float(rate.group(1)),
        p50_ms=latencies["50"],
        p99_ms=latencies["99"],
        problems="; ".join(problems),
    )


def run_wrk(
    *, wrk: str, port: int, page: Page, cookie: str | None, duration: int
) -> subprocess.CompletedProcess:
    command = [
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://{HOST}:{port}{page.path}")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed for {page.name}:\n{completed.stdout}{completed.stderr}")
    return completed


def measure(
    *, wrk: str, port: int, page: Page, cookie: str | None, duration: int, log_path: Path
) -> Result:
    check_page(port=port, page=page, cookie=cookie, log_path=log_path)
    # Warm both workers up (template cache, database connection) before measuring.
    run_wrk(wrk=wrk, port=port, page=page, cookie=cookie, duration=WARMUP_SECONDS)
    completed = run_wrk(wrk=wrk, port=port, page=page, cookie=cookie, duration=duration)
    # Still 200 afterwards: the load did not end the session or break the page.
    check_page(port=port, page=page, cookie=cookie, log_path=log_path)
    return parse_wrk(completed.stdout, page)


def print_table(*, baseline: Result, results: list[Result]) -> list[Result]:
    """Print the results; return the pages below the target."""
    header = ("page", "path", "req/s", "p50 ms", "p99 ms", "% of minimal", "note")
    rows = []
    below = []
    for result in [baseline, *results]:
        percent = 100.0 * result.requests_per_second / baseline.requests_per_second
        notes = []
        if result is not baseline and percent < TARGET_PERCENT:
            below.append(result)
            notes.append("BELOW TARGET")
        if result.problems:
            notes.append(result.problems)
        rows.append(
            (
                result.page.name,
                result.page.path,
                f"{result.requests_per_second:.1f}",
                f"{result.p50_ms:.2f}",
                f"{result.p99_ms:.2f}",
                f"{percent:.1f} %",
                ", ".join(notes),
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right_aligned = {2, 3, 4, 5}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right_aligned else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    print()
    print(line(header))
    print(line(tuple("-" * width for width in widths)))
    for row in rows:
        print(line(row))
    print()
    print(f"Target: every main page ≥ {TARGET_PERCENT:.0f} % of the minimal view's requests/s.")
    if below:
        print(f"Below target: {', '.join(result.page.name for result in below)}.")
    else:
        print("All pages meet the target.")
    return below


def demo_ids() -> dict[str, int]:
    """Primary keys of the demo rows that page paths name (after seeding)."""
    from django.db.models import Count

    from actors.demo import ROUND_TABLE
    from actors.models import Circle, Person
    from bench.measures import BENCH_CONCEPT
    from measures.models import ConceptVersion
    from minutes.models import Meeting

    round_table = Circle.objects.get(name=ROUND_TABLE)
    person = Person.objects.filter(circle_memberships__circle=round_table).order_by("pk").first()
    catalogue = ConceptVersion.objects.get(concept__title=BENCH_CONCEPT)
    # The held meeting with the longest agenda: the heaviest preparation page.
    meeting = (
        Meeting.objects.annotate(items=Count("agenda_items")).order_by("-items", "-date").first()
    )
    # The public body's held meeting with the longest agenda: what citizens open most.
    public_meeting = (
        Meeting.objects.filter(body__is_public=True, status=Meeting.Status.HELD)
        .annotate(items=Count("agenda_items"))
        .order_by("-items", "-date")
        .first()
    )
    return {
        "public_meeting": public_meeting.pk,
        "round_table": round_table.pk,
        "person": person.pk,
        "catalogue": catalogue.pk,
        "meeting": meeting.pk,
    }


def run(args: argparse.Namespace) -> None:
    check_throwaway_database(make_target="make bench", writes="seeds demo logins")
    wrk = find_wrk()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-") as work_dir:
        log_path = Path(work_dir) / "gunicorn.log"
        configure_environment(port=port, work_dir=Path(work_dir))
        prepare_database(scale=args.scale)
        ids = demo_ids()
        pages = [Page(page.name, page.path.format(**ids), page.user) for page in PAGES]
        cookies = {page.user: session_cookie(page.user) for page in PAGES if page.user}

        print(f"Starting gunicorn ({GUNICORN_WORKERS} workers) on {HOST}:{port} …", flush=True)
        server = start_server(port=port, log_path=log_path)
        try:
            wait_for_health(port=port, server=server, log_path=log_path)
            print(
                f"Load: wrk, {WRK_THREADS} threads, {WRK_CONNECTIONS} connections, "
                f"{args.duration} s per page (after {WARMUP_SECONDS} s warm-up).",
                flush=True,
            )
            results = []
            for page in [BASELINE, *pages]:
                print(f"  {page.name} ({page.path}) …", flush=True)
                results.append(
                    measure(
                        wrk=wrk,
                        port=port,
                        page=page,
                        cookie=cookies.get(page.user) if page.user else None,
                        duration=args.duration,
                        log_path=log_path,
                    )
                )
        finally:
            stop_server(server)
    print_table(baseline=results[0], results=results[1:])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
