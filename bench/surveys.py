"""Survey delivery: invitations delivered by one Celery worker to a local SMTP sink.

Run with a throwaway PostgreSQL and Redis from ``scripts/with-services.sh``::

    scripts/with-services.sh .venv/bin/python bench/surveys.py [--recipients 5000]

The script configures production settings (DEBUG off) for a temporary folder,
migrates, makes ``--recipients`` people with a consent for surveys and a survey
asking all of them (plus a small survey of 50 for comparison), starts an SMTP
sink (aiosmtpd, counting only) and ONE worker process (``celery worker --pool
solo``), then launches both surveys through the Django test client, timing the
launch request, and waits until every invitation is sent. It prints the launch
latency and query count per size, the mails per second from the launch to the
last mail, and whether each recipient got exactly one mail.

Targets: at least 100 mails/s, the launch request under 200 ms whatever the
number of recipients. The exit code is 0 when the run completed, whatever the
numbers, and 1 when a step failed.
"""

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import threading
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

SMALL = 50
TARGET_MAILS_PER_SECOND = 100.0
TARGET_LAUNCH_MS = 200.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--recipients", type=int, default=5000, help="invitations to send (default: 5000)"
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds to wait for the mails (default: 600)"
    )
    args = parser.parse_args(argv)
    if args.recipients < 1:
        parser.error("--recipients must be at least 1.")
    return args


def check_services() -> str:
    check_throwaway_database(
        make_target="make bench-surveys", writes="creates a login and thousands of people"
    )
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        raise BenchError("CELERY_BROKER_URL must point to Redis (scripts/with-services.sh).")
    return broker


class Sink:
    """An SMTP handler that only counts: mails per recipient and when they arrived."""

    def __init__(self):
        self.per_recipient: dict[str, int] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        now = time.monotonic()
        with self._lock:
            for address in envelope.rcpt_tos:
                self.per_recipient[address] = self.per_recipient.get(address, 0) + 1
            self.first_at = self.first_at or now
            self.last_at = now
        await asyncio.sleep(0)
        return "250 OK"

    def total(self) -> int:
        with self._lock:
            return sum(self.per_recipient.values())


def configure_environment(*, work_dir: Path, smtp_port: int, broker: str) -> None:
    """Production settings (DEBUG off) for a throwaway run, shared with the worker."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # The Django test client calls itself "testserver".
            "ALLOWED_HOSTS": f"{HOST},testserver",
            "SITE_URL": f"http://{HOST}",
            "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
            "SECURE_SSL_REDIRECT": "false",
            "VAR_DIR": str(work_dir / "var"),
            "MEDIA_ROOT": str(work_dir / "var" / "media"),
            "STATIC_ROOT": str(work_dir / "static"),
            "LOG_LEVEL": "WARNING",
            # As in production: sessions and permission sets in the shared Redis cache.
            "CACHE_URL": broker.rsplit("/", 1)[0] + "/2",
        }
    )


def make_survey(*, title: str, recipients: int, offset: int):
    """A draft survey with one question and ``recipients`` people with consent, in bulk."""
    from django.utils import timezone

    from actors.models import Consent, Person
    from actors.surveys import tokens
    from actors.surveys.models import Invitation, Question, Survey

    today = timezone.localdate()
    survey = Survey.objects.create(
        title=title,
        introduction="Wir möchten wissen, wo Sie Unterstützung brauchen.",
        opens_on=today,
        closes_on=today + timezone.timedelta(days=28),
        contact_name="Anna Koordination",
        contact_email="integration@wiesenbrueck.example",
        reminder_days=[7, 14],
    )
    Question.objects.create(
        survey=survey, position=1, kind=Question.Kind.LONG_TEXT, text="Was brauchen Sie?"
    )
    people = Person.objects.bulk_create(
        Person(
            salutation=Person.Salutation.MS,
            first_name="Erika",
            last_name=f"Muster {offset + number}",
            email=f"person{offset + number}@bench.example",
        )
        for number in range(recipients)
    )
    Consent.objects.bulk_create(
        Consent(
            person=person,
            purpose=Consent.Purpose.SURVEYS,
            basis=Consent.Basis.CONSENT,
            method=Consent.Method.WRITTEN,
            given_on=today,
        )
        for person in people
    )
    invitations = []
    for person in people:
        invitation = Invitation(survey=survey, person=person, nonce=tokens.nonce_new())
        token = tokens.token_derive(uuid=invitation.uuid, nonce=invitation.nonce)
        invitation.token_hash = tokens.token_hash(token)
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    return survey


def coordinator_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from integration.core.roles import Role
    from integration.core.services import roles_sync

    user = get_user_model().objects.create_user(
        "bench-koordination", password=secrets.token_urlsafe(20)
    )
    user.groups.set([roles_sync()[Role.COORDINATION.value]])
    client = Client()
    client.force_login(user)
    return client


def start_worker(log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "integration",
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
        "--hostname",
        "bench-surveys@%h",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for_worker(worker: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    from integration.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise BenchError(f"The worker exited:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(timeout=0.5):
            return
    raise BenchError(f"The worker did not answer within {timeout:.0f} s.")


@dataclass(frozen=True)
class Launch:
    recipients: int
    milliseconds: float
    queries: int


def launch(client, survey) -> Launch:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("surveys:survey_launch", args=[survey.pk])
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(url)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 302:
        raise BenchError(f"The launch answered HTTP {response.status_code}, not a redirect.")
    survey.refresh_from_db()
    if survey.status != survey.Status.RUNNING:
        raise BenchError("The survey is not running after the launch.")
    return Launch(survey.invitations.count(), elapsed, len(queries))


def wait_for_mails(survey, *, count: int, timeout: float, worker, log_path: Path) -> float:
    """Seconds until ``count`` invitations of ``survey`` are marked sent."""
    from actors.surveys.models import Mail

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if worker.poll() is not None:
            raise BenchError(f"The worker exited:\n{log_path.read_text()[-3000:]}")
        done = Mail.objects.filter(invitation__survey=survey, status=Mail.Status.SENT).count()
        if done >= count:
            return time.monotonic() - start
        time.sleep(0.2)
    raise BenchError(f"Not all {count} mails were sent within {timeout} s.")


def mark(ok: bool) -> str:
    return "" if ok else "  BELOW TARGET"


def run(args: argparse.Namespace) -> None:
    from aiosmtpd.controller import Controller

    broker = check_services()
    sink = Sink()
    controller = Controller(sink, hostname=HOST, port=free_port())
    controller.start()
    worker = None
    with tempfile.TemporaryDirectory(prefix="bench-surveys-") as folder:
        work_dir = Path(folder)
        log_path = work_dir / "worker.log"
        try:
            configure_environment(work_dir=work_dir, smtp_port=controller.port, broker=broker)
            django_prepare()
            print(f"Making {SMALL} + {args.recipients} recipients …", flush=True)
            first = make_survey(title="Bench erste", recipients=1, offset=0)
            small = make_survey(title="Bench klein", recipients=SMALL, offset=1)
            big = make_survey(title="Bench groß", recipients=args.recipients, offset=SMALL + 1)
            from django.urls import reverse

            client = coordinator_client()
            client.get("/healthz")  # the first request pays for imports
            print("Starting one worker (--pool solo) …", flush=True)
            worker = start_worker(log_path)
            wait_for_worker(worker, log_path)

            # As a coordinator does: the confirmation page first, then the launch.
            for survey in (first, small, big):
                page = client.get(reverse("surveys:survey_launch", args=[survey.pk]))
                if page.status_code != 200:
                    raise BenchError(f"The launch page answered HTTP {page.status_code}.")
            # The process's first launch also connects to the broker: shown apart.
            cold = launch(client, first)
            launches = [launch(client, small)]
            wait_for_mails(
                small, count=SMALL, timeout=args.timeout, worker=worker, log_path=log_path
            )
            sink_before = sink.total()
            sink.first_at = None
            launches.append(launch(client, big))
            seconds = wait_for_mails(
                big, count=args.recipients, timeout=args.timeout, worker=worker, log_path=log_path
            )
            time.sleep(1)  # anything sent twice would arrive now
        finally:
            if worker is not None:
                stop_worker(worker)
            controller.stop()

    received = sink.total() - sink_before
    duplicates = sum(count - 1 for count in sink.per_recipient.values() if count > 1)
    missing = 1 + SMALL + args.recipients - len(sink.per_recipient)
    rate = args.recipients / seconds
    sink_seconds = (sink.last_at or 0) - (sink.first_at or 0)
    print()
    print("launch request (Django test client, POST, DEBUG off, Redis broker)")
    print(
        f"  first in the process (connects to the broker): {cold.milliseconds:.1f} ms, "
        f"{cold.queries} queries"
    )
    for item in launches:
        ok = item.milliseconds < TARGET_LAUNCH_MS
        print(
            f"  {item.recipients:>6} recipients  {item.milliseconds:7.1f} ms  "
            f"{item.queries:>3} queries{mark(ok)}"
        )
    print(f"delivery of {args.recipients} invitations by one worker (--pool solo)")
    print(f"  launch to last mail sent  {seconds:7.1f} s  {rate:7.1f} mails/s{mark(rate >= 100)}")
    if sink_seconds > 0:
        sink_rate = received / sink_seconds
        print(f"  first to last received   {sink_seconds:7.1f} s  {sink_rate:7.1f} mails/s")
    print(f"  received {received}, duplicates {duplicates}, missing {missing}")
    if duplicates or missing:
        raise BenchError("Delivery was not exactly once.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except BenchError as error:
        print(f"bench/surveys.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
