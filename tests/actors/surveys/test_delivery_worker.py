"""Delivery with real parts: an SMTP server in the test (aiosmtpd), Redis, and a real
Celery worker process reading the test database.

Needs PostgreSQL (SQLite cannot be shared between processes reliably) and Redis:
run with ``scripts/with-services.sh .venv/bin/pytest tests/actors/surveys/test_delivery_worker.py``.
The tests use ``transaction=True``, so what they write is committed and the worker sees it.
"""

import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F

from actors.surveys.models import Invitation, Mail, ResponseDay, Survey
from actors.surveys.services import delivery
from integration.celery import app

from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[3]
LINK = re.compile(r"https://integration\.example\.org(/surveys/r/[0-9a-f]{64}/)(?=\s|$)")
WAIT_SECONDS = 90


def wait_until(condition, *, what: str, timeout: float = WAIT_SECONDS, logs: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = logs.read_text()[-4000:] if logs and logs.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n--- worker log ---\n{tail}")


@pytest.fixture
def real_broker(redis_url, postgres_required):
    """The test process enqueues to Redis (not eagerly), like the web process."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url, task_always_eager=False)
    app.control.purge()  # nothing left over from other tests
    yield redis_url
    app.conf.update(saved)


@pytest.fixture
def workers(real_broker, smtp_sink, tmp_path):
    """Start real ``celery worker`` processes on the test database; all stopped at the end."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "integration.settings",
        "ENV_FILE": "/nonexistent/.env",
        "DEBUG": "true",
        # The same key as the tests, or the mailed links would not match their hashes.
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "DATABASE_URL": (
            f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'], safe='')}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": real_broker,
        "CELERY_RESULT_BACKEND": "",
        "CACHE_URL": "",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "SURVEY_BATCH_SIZE": "10",
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "worker.log"

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
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
                "--hostname",
                f"surveys-test-{len(started)}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    start.log = log
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def survey_for(count: int) -> Survey:
    survey = SurveyFactory(title="Bedarfsabfrage Runder Tisch")
    QuestionFactory(survey=survey, text="Was brauchen Sie am dringendsten?", is_required=True)
    for _ in range(count):
        InvitationFactory(survey=survey, person=consenting_person())
    return survey


def sent(survey: Survey) -> int:
    return Mail.objects.filter(invitation__survey=survey, status=Mail.Status.SENT).count()


def test_launch_with_a_real_worker_delivers_each_invitation_once_and_the_answer_counts(
    workers, smtp_sink, coordinator, client
):
    survey = survey_for(30)
    emails = set(survey.invitations.values_list("person__email", flat=True))
    workers()

    delivery.survey_launch(by=coordinator, survey=survey)

    wait_until(lambda: sent(survey) == 30, what="30 mails sent", logs=workers.log)
    wait_until(lambda: smtp_sink.count() >= 30, what="30 mails received", logs=workers.log)
    # The sweep finds nothing left (a task delivered twice would be harmless as well).
    delivery.mails_sweep()
    time.sleep(1)
    assert smtp_sink.recipients() == Counter(dict.fromkeys(emails, 1))

    # Follow the link out of a received mail, answer, and see the answer counted.
    message = smtp_sink.accepted[0]
    body = message.get_body(preferencelist=("plain",)).get_content()
    [path] = LINK.findall(body)
    page = client.get(path)
    assert page.status_code == 200
    assert survey.title in page.content.decode()

    from actors.surveys.forms.answer import AnswerForm

    question = survey.questions.get()
    response = client.post(path, {AnswerForm.field_name(question): "Mehr Sprachkurse am Abend"})

    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    invitation = Invitation.objects.get(person__email=message["To"])
    assert invitation.has_responded
    assert Invitation.objects.filter(survey=survey, has_responded=True).count() == 1
    assert ResponseDay.objects.get(survey=survey).responses == 1


@pytest.mark.parametrize("smtp_sink", [{"delay": 0.05, "block_at": 12}], indirect=True)
def test_worker_killed_mid_send_and_restarted_delivers_each_invitation_exactly_once(
    workers, smtp_sink, coordinator
):
    survey = survey_for(30)
    emails = set(survey.invitations.values_list("person__email", flat=True))
    first = workers()

    delivery.survey_launch(by=coordinator, survey=survey)
    # The 12th mail hangs at the server, before it is accepted: the worker is killed
    # between two mails, with 11 accepted and committed as sent. (The one window we
    # cannot close: a kill in the milliseconds between the server's "250 OK" and the
    # commit would send that mail again.)
    wait_until(smtp_sink.blocked.is_set, what="the 12th mail to reach the server")
    first.kill()
    first.wait(timeout=30)
    smtp_sink.release.set()

    assert smtp_sink.count() == 11
    assert sent(survey) == 11
    # The killed worker had claimed its whole batch (mails 11–20, batches of 10): the
    # one at the server and the eight after it stay "sending", none of them accepted.
    left = Mail.objects.filter(invitation__survey=survey, status=Mail.Status.SENDING)
    assert left.count() == 9

    # Let the time pass that marks the claim as a dead worker's and its batch's task as
    # lost (Redis would hand the unacknowledged task back only after an hour).
    left.update(sending_since=F("sending_since") - delivery.sending_timeout())
    Mail.objects.filter(enqueued_at__isnull=False).update(
        enqueued_at=F("enqueued_at") - delivery.ENQUEUE_STALE - timedelta(seconds=1)
    )
    workers()
    delivery.mails_sweep()

    wait_until(lambda: sent(survey) == 30, what="all 30 mails sent", logs=workers.log)
    time.sleep(1)
    assert smtp_sink.recipients() == Counter(dict.fromkeys(emails, 1))
    assert (
        Mail.objects.filter(invitation__survey=survey).exclude(status=Mail.Status.SENT).count() == 0
    )
    assert Mail.objects.filter(attempts=2).count() == 9  # those the killed worker held
