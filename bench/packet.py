"""Compile time of a meeting packet (Sitzungsmappe) of 15 items and about 150 pages.

Run on demand:

    .venv/bin/python bench/packet.py                      # temporary SQLite database
    scripts/with-services.sh .venv/bin/python bench/packet.py   # throwaway PostgreSQL

Without ``DATABASE_URL`` the benchmark makes a temporary SQLite database and media
folder (removed afterwards); with one it insists on the throwaway PostgreSQL of
``scripts/with-services.sh``. It creates a meeting with 15 agenda items (12 public,
3 non-public), each with a paper of one to two pages and two PDF attachments
(text pages made with WeasyPrint, 2 to 4 pages each), then compiles the packet with
``minutes.documents.packet_pdf`` in the members' and the public variant: one warm-up
run (fonts, templates), then ``--runs`` timed runs each. It prints seconds and pages
per second (median and best). Target: under 10 s for the members' packet.

``--worker`` measures the real flow instead (needs ``CELERY_BROKER_URL``, which
``scripts/with-services.sh`` exports with its throwaway Redis): it starts a Celery
worker process like the compose ``worker`` service, requests the members' packet
through ``document_request`` as a coordinator, waits until the stored document is
ready and prints the seconds from request to ready and the pages per second; then
it downloads the ready document ``--downloads`` times through Django's test client
(the cached download: fingerprint unchanged, file served from storage) and prints
the median and the 95th percentile. Targets: under 10 s, under 50 ms.
"""

import argparse
import hashlib
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.common import BenchError, check_throwaway_database  # noqa: E402

ITEMS = 15
NONPUBLIC = 3
TARGET_SECONDS = 10.0
TARGET_DOWNLOAD_MS = 50.0
# How long the worker mode waits for the compile before it gives up.
WORKER_TIMEOUT = 300

PARAGRAPH = (
    "Die Verwaltung berichtet über den Stand der Umsetzung. Seit dem letzten Bericht "
    "wurden die Beratungsangebote ausgeweitet, die Sprachkurse stärker nachgefragt und "
    "die Zusammenarbeit mit den Trägern der freien Wohlfahrtspflege vertieft. "
)


def attachment_pdf(title: str, pages: int) -> bytes:
    """A text-heavy PDF of ``pages`` pages, each with paragraphs and a table."""
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>Position {n}</td><td>{n * 1250:,} €</td><td>{PARAGRAPH[:60]}</td></tr>"
        for n in range(1, 9)
    )
    page = f"<p>{PARAGRAPH * 3}</p><table border='1'>{rows}</table><p>{PARAGRAPH * 2}</p>"
    body = "".join(
        f"<section style='break-before: page'><h1>{title} – Blatt {n}</h1>{page}</section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<html lang='de'><body>{body}</body></html>").write_pdf()


def seed():
    """The meeting of the benchmark, with its papers and attachments."""
    from django.core.files.base import ContentFile

    from actors.models import Organisation
    from minutes.models import AgendaItem, Attachment, Body, Location, Meeting, Paper

    department = Organisation.objects.create(name="FB II Familie & Soziales", kind="administration")
    body = Body.objects.create(name="Ausschuss für Soziales und Integration", kind="committee")
    location = Location.objects.create(room="Ratssaal", street_address="Markt 1")
    meeting = Meeting.objects.create(
        body=body,
        name="7. Sitzung",
        date=date(2026, 12, 3),
        start_time=clock(17, 0),
        location=location,
    )
    files = {pages: attachment_pdf(f"Anlage mit {pages} Seiten", pages) for pages in (2, 3, 4)}
    public_number = nonpublic_number = 0
    for position in range(1, ITEMS + 1):
        is_public = position <= ITEMS - NONPUBLIC
        if is_public:
            public_number += 1
        else:
            nonpublic_number += 1
        paper = Paper.objects.create(
            year=2026,
            serial=position,
            kind=Paper.Kind.RESOLUTION_PROPOSAL,
            title=f"Vorlage zum Tagesordnungspunkt {position}",
            text="\n\n".join([PARAGRAPH * 4] * (3 + position % 4)),
            proposal="Der Ausschuss beschließt wie vorgeschlagen.",
            date=date(2026, 11, 2),
            lead_department=department,
            is_public=is_public,
        )
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            number=public_number if is_public else nonpublic_number,
            is_public=is_public,
            title=f"Tagesordnungspunkt {position}",
            paper=paper,
        )
        for order, pages in enumerate((2 + position % 3, 3 + position % 2), start=1):
            content = files[pages]
            Attachment.objects.create(
                paper=paper,
                name=f"Anlage {order} zu TOP {position}",
                file=ContentFile(content, name=f"anlage-{position}-{order}.pdf"),
                file_name=f"anlage-{position}-{order}.pdf",
                mime_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                position=order,
            )
    return meeting


def measure(meeting, variant: str, runs: int) -> tuple[list[float], int]:
    from minutes.documents import packet_pdf

    packet_pdf(meeting, variant=variant)  # warm-up: fonts, templates
    times, pages = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = packet_pdf(meeting, variant=variant)
        times.append(time.perf_counter() - started)
        pages = result.pages
    return times, pages


def coordinator():
    """A login of the coordination, who may request and download the members' packet."""
    from django.contrib.auth.models import Group

    from integration.core.models import User

    user = User.objects.create_user("bench-koordination", password=secrets.token_urlsafe(16))
    user.groups.add(Group.objects.get(name="Koordination"))
    return User.objects.get(pk=user.pk)  # fresh: no permission cache of the group change


def worker_start(folder: Path) -> subprocess.Popen:
    """A Celery worker process like the compose ``worker`` service, logging to a file."""
    log = (folder / "worker.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "integration", "worker", "--loglevel=INFO"],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_log(folder: Path) -> str:
    """The end of the worker's log (the folder is removed when the benchmark ends)."""
    return (folder / "worker.log").read_text(errors="replace")[-3000:]


def worker_stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def measure_worker(meeting, user, folder: Path, downloads: int) -> None:
    """Request → ready through the worker, then the cached download (see the docstring)."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    from integration.documents.models import Document
    from integration.documents.services import document_request

    worker = worker_start(folder)
    try:
        # Timed from a running worker: its start (Django, broker connection) is not the compile.
        waited = time.perf_counter()
        while " ready." not in worker_log(folder):
            if worker.poll() is not None or time.perf_counter() - waited > WORKER_TIMEOUT:
                raise BenchError(f"the worker did not start:\n{worker_log(folder)}")
            time.sleep(0.1)
        print("Requesting the members' packet from the worker …", flush=True)
        started = time.perf_counter()
        document = document_request(
            kind="minutes.packet", subject=meeting, variant="members", by=user
        )
        while True:
            document.refresh_from_db()
            if document.status in (Document.Status.READY, Document.Status.FAILED):
                break
            if worker.poll() is not None:
                raise BenchError(f"the worker ended:\n{worker_log(folder)}")
            if time.perf_counter() - started > WORKER_TIMEOUT:
                raise BenchError(f"no packet after {WORKER_TIMEOUT} s:\n{worker_log(folder)}")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        worker_stop(worker)
    if document.status == Document.Status.FAILED:
        raise BenchError(f"the compile failed: {document.error}")
    flag = "  BELOW TARGET" if seconds >= TARGET_SECONDS else ""
    print(f"\n{'variant':<10}{'pages':>7}{'request→ready s':>17}{'pages/s':>9}")
    print(
        f"{'members':<10}{document.pages:>7}{seconds:>17.2f}{document.pages / seconds:>9.1f}{flag}"
    )

    # The test client runs the whole stack (middleware, permission, fingerprint, file).
    setup_test_environment()
    client = Client()
    client.force_login(user)
    url = document_url(document)
    timings = []
    for run in range(downloads + 1):
        began = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200 or not body.startswith(b"%PDF"):
            raise BenchError(f"download answered {response.status_code}")
        if run:  # the first one warms the session and permission caches
            timings.append(elapsed)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    flag = "  BELOW TARGET" if median >= TARGET_DOWNLOAD_MS else ""
    print(
        f"\ncached download ({downloads} runs, {len(body) / 1e6:.1f} MB): "
        f"median {median:.1f} ms, p95 {p95:.1f} ms{flag}"
    )
    print(
        f"\nTargets: compile in under {TARGET_SECONDS:.0f} s, cached download in under "
        f"{TARGET_DOWNLOAD_MS:.0f} ms."
    )


def document_url(document) -> str:
    from django.urls import reverse

    return reverse(
        "documents:document_download",
        kwargs={"kind": document.kind, "subject": document.subject, "variant": document.variant},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant")
    parser.add_argument(
        "--worker", action="store_true", help="compile in a Celery worker, then time downloads"
    )
    parser.add_argument("--downloads", type=int, default=50, help="cached downloads (--worker)")
    args = parser.parse_args()
    if args.worker and not os.environ.get("CELERY_BROKER_URL"):
        print(
            "error: --worker needs CELERY_BROKER_URL; run it as "
            "scripts/with-services.sh .venv/bin/python bench/packet.py --worker",
            file=sys.stderr,
        )
        return 1
    folder = Path(tempfile.mkdtemp(prefix="bench-packet-"))
    try:
        if os.environ.get("DATABASE_URL"):
            check_throwaway_database(
                make_target="scripts/with-services.sh .venv/bin/python bench/packet.py",
                writes="creates a meeting with papers and attachments",
            )
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
        os.environ.update(
            {
                "ENV_FILE": "/nonexistent/.env",
                "DEBUG": "true",
                "SECRET_KEY": secrets.token_urlsafe(32),
                "MEDIA_ROOT": str(folder / "media"),
            }
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integration.settings")
        import django
        from django.core.management import call_command

        django.setup()
        print("Migrating …", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        print("Creating the meeting and its attachments …", flush=True)
        meeting = seed()
        if args.worker:
            measure_worker(meeting, coordinator(), folder, args.downloads)
            return 0
        print(f"Compiling ({args.runs} timed runs per variant after one warm-up) …\n")
        print(f"{'variant':<10}{'pages':>7}{'median s':>10}{'best s':>9}{'pages/s':>9}")
        for variant in ("members", "public"):
            times, pages = measure(meeting, variant, args.runs)
            median = statistics.median(times)
            flag = "  BELOW TARGET" if variant == "members" and median >= TARGET_SECONDS else ""
            print(
                f"{variant:<10}{pages:>7}{median:>10.2f}{min(times):>9.2f}"
                f"{pages / median:>9.1f}{flag}"
            )
        print(f"\nTarget: the members' packet (about 150 pages) in under {TARGET_SECONDS:.0f} s.")
        return 0
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
