"""Papers created at the same moment get distinct references (PostgreSQL only)."""

import datetime
import threading
import time

import pytest
from django.db import connection

from minutes.models import Paper
from minutes.services import papers as services

from .factories import paper_of_department

REQUESTS = 4


def _run_at_once(target) -> list[Exception]:
    barrier = threading.Barrier(REQUESTS)
    errors: list[Exception] = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def slow_numbering(monkeypatch):
    """Widens the window between reading the highest number and inserting the row."""
    insert = services._insert_numbered

    def slow(paper, number):
        def slow_number():
            proposal = number()
            time.sleep(0.2)
            return proposal

        return insert(paper, slow_number)

    monkeypatch.setattr(services, "_insert_numbered", slow)


@pytest.mark.django_db(transaction=True)
def test_paper_create_at_once_gets_distinct_serials(postgres_required, coordinator, slow_numbering):
    paper_of_department(year=2020, serial=30)

    errors = _run_at_once(
        lambda index: services.paper_create(
            by=coordinator,
            kind=Paper.Kind.MOTION,
            title=f"Antrag {index}",
            date=datetime.date(2020, 10, 1),
        )
    )

    assert errors == []
    references = sorted(p.reference for p in Paper.objects.filter(title__startswith="Antrag"))
    assert references == ["2020/031", "2020/032", "2020/033", "2020/034"]


@pytest.mark.django_db(transaction=True)
def test_paper_supplement_create_at_once_gets_distinct_numbers(
    postgres_required, coordinator, slow_numbering
):
    main = paper_of_department(year=2020, serial=31)

    errors = _run_at_once(
        lambda index: services.paper_supplement_create(
            by=coordinator, main_paper=main, title=f"Ergänzung {index}", date=main.date
        )
    )

    assert errors == []
    assert sorted(p.reference for p in main.supplements.all()) == [
        "2020/031-1",
        "2020/031-2",
        "2020/031-3",
        "2020/031-4",
    ]
