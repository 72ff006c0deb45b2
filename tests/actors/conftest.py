"""Fixtures of the network tests: the retention job's clock and daily run."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from actors.services import retention

from .helpers import create_sample_network

# A Monday morning in Berlin: the retention tests' "now".
RETENTION_START = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def traveller():
    """Time stands still at RETENTION_START; ``traveller.move_to(...)`` jumps."""
    with time_machine.travel(RETENTION_START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The daily job as in production: the mails queued by it are sent after the commit."""

    def run_job(**kwargs) -> retention.RetentionSummary:
        with django_capture_on_commit_callbacks(execute=True):
            return retention.retention_run(**kwargs)

    return run_job


@pytest.fixture
def network_setup():
    """The circles and fields of action that the sample import file names."""
    create_sample_network()
