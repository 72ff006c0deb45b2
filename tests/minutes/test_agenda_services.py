"""The agenda service: numbering and renumbering, moves, deletion, locking."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minutes.models import AgendaItem, Consultation, Meeting
from minutes.services import agenda as services

from .factories import (
    ConsultationFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    PaperFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db


def _agenda(meeting) -> list[tuple[int, str, str]]:
    return [
        (item.position, item.printed_number, item.title)
        for item in AgendaItem.objects.filter(meeting=meeting).order_by("position")
    ]


def _add(coordinator, meeting, title, is_public=True, paper=None):
    return services.item_create(
        by=coordinator, meeting=meeting, title=title, is_public=is_public, paper=paper
    )


@pytest.fixture
def meeting(body):
    return MeetingFactory(body=body, date=datetime.date(2020, 10, 15))


@pytest.fixture
def agenda(coordinator, meeting):
    """Ö 1 A, Ö 2 B, Ö 3 C, N 1 X, N 2 Y."""
    items = {}
    for title, public in [("A", True), ("X", False), ("B", True), ("Y", False), ("C", True)]:
        items[title] = _add(coordinator, meeting, title, public)
    return items


def test_item_create_numbers_each_part_and_puts_public_before_nonpublic(meeting, agenda):
    assert _agenda(meeting) == [
        (1, "Ö 1", "A"),
        (2, "Ö 2", "B"),
        (3, "Ö 3", "C"),
        (4, "N 1", "X"),
        (5, "N 2", "Y"),
    ]


def test_item_create_links_the_papers_consultation_in_the_body(coordinator, meeting, body):
    paper = PaperFactory()
    consultation = ConsultationFactory(paper=paper, body=body)
    item = _add(coordinator, meeting, "Stellenprofil", paper=paper)
    consultation.refresh_from_db()
    assert consultation.agenda_item == item


def test_item_update_to_another_paper_releases_the_old_consultation(coordinator, meeting, body):
    old = PaperFactory()
    new = PaperFactory(lead_department=old.lead_department)
    consultation = ConsultationFactory(paper=old, body=body)
    item = _add(coordinator, meeting, "Stellenprofil", paper=old)
    services.item_update(by=coordinator, item=item, paper=new)
    consultation.refresh_from_db()
    assert consultation.agenda_item is None
    assert Consultation.objects.get(paper=new).agenda_item == item


@pytest.mark.parametrize(
    ("title", "direction", "expected"),
    [
        ("B", "up", ["B", "A", "C", "X", "Y"]),
        ("B", "down", ["A", "C", "B", "X", "Y"]),
        ("A", "up", ["A", "B", "C", "X", "Y"]),  # top edge: unchanged
        ("C", "down", ["A", "B", "C", "X", "Y"]),  # end of the public part: unchanged
        ("X", "up", ["A", "B", "C", "X", "Y"]),  # start of the non-public part
        ("Y", "down", ["A", "B", "C", "X", "Y"]),  # bottom edge
        ("Y", "up", ["A", "B", "C", "Y", "X"]),
    ],
)
def test_item_move_swaps_within_its_part_and_renumbers(
    coordinator, meeting, agenda, title, direction, expected
):
    services.item_move(by=coordinator, item=agenda[title], direction=direction)
    rows = _agenda(meeting)
    assert [row[2] for row in rows] == expected
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    assert [row[1] for row in rows] == ["Ö 1", "Ö 2", "Ö 3", "N 1", "N 2"]


def test_item_move_reads_positions_again_under_the_lock(coordinator, meeting, agenda):
    stale = AgendaItem.objects.get(pk=agenda["C"].pk)  # position 3
    services.item_move(by=coordinator, item=agenda["B"], direction="down")  # C is 2 now
    services.item_move(by=coordinator, item=stale, direction="up")
    assert [row[2] for row in _agenda(meeting)] == ["C", "A", "B", "X", "Y"]


def test_item_move_locks_the_meeting_row(coordinator, meeting, agenda):
    with CaptureQueriesContext(connection) as queries:
        services.item_move(by=coordinator, item=agenda["B"], direction="up")
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
    else:
        pytest.skip("SQLite has no row locks; the query is the same without FOR UPDATE")


@pytest.mark.django_db(transaction=True)
def test_item_move_concurrently_keeps_the_agenda_contiguous(
    postgres_required, coordinator, meeting, monkeypatch
):
    """Two coordinators reorder at once (threads, own connections). Reading the agenda
    is slowed down: without the lock on the meeting both would work on stale positions."""
    for title in "ABCDEF":
        _add(coordinator, meeting, title)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    read = services._items

    def slow_read(locked_meeting):
        rows = read(locked_meeting)
        time.sleep(0.2)
        return rows

    monkeypatch.setattr(services, "_items", slow_read)
    barrier = threading.Barrier(2)
    errors = []

    def move(item, direction):
        try:
            barrier.wait()
            services.item_move(by=coordinator, item=item, direction=direction)
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(items[1], "down")),  # B below C
        threading.Thread(target=move, args=(items[3], "up")),  # D above C (or B)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = _agenda(meeting)
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert [row[1] for row in rows] == [f"Ö {n}" for n in range(1, 7)]
    assert [row[2] for row in rows] in (list("ACDBEF"), list("ADBCEF"))


def test_item_update_public_flag_moves_the_item_to_its_new_part(coordinator, meeting, agenda):
    services.item_update(by=coordinator, item=agenda["B"], is_public=False)
    assert _agenda(meeting) == [
        (1, "Ö 1", "A"),
        (2, "Ö 2", "C"),
        (3, "N 1", "B"),
        (4, "N 2", "X"),
        (5, "N 3", "Y"),
    ]
    services.item_update(by=coordinator, item=agenda["Y"], is_public=True)
    assert [row[1:] for row in _agenda(meeting)] == [
        ("Ö 1", "A"),
        ("Ö 2", "C"),
        ("Ö 3", "Y"),
        ("N 1", "B"),
        ("N 2", "X"),
    ]


def test_item_delete_closes_the_gap(coordinator, meeting, agenda):
    services.item_delete(by=coordinator, item=agenda["A"])
    services.item_delete(by=coordinator, item=agenda["X"])
    assert _agenda(meeting) == [(1, "Ö 1", "B"), (2, "Ö 2", "C"), (3, "N 1", "Y")]


def test_item_delete_refuses_items_with_a_resolution_or_tasks(coordinator, meeting, agenda):
    ResolutionFactory(agenda_item=agenda["A"])
    FollowUpTaskFactory(agenda_item=agenda["B"])
    for title in "AB":
        with pytest.raises(ValidationError):
            services.item_delete(by=coordinator, item=agenda[title])
    assert len(_agenda(meeting)) == 5


def test_agenda_changes_are_refused_once_the_minutes_are_approved(coordinator, meeting, agenda):
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status=Meeting.MinutesStatus.APPROVED)
    with pytest.raises(ValidationError, match="nicht mehr geändert"):
        services.item_move(by=coordinator, item=agenda["B"], direction="up")
    with pytest.raises(ValidationError):
        _add(coordinator, meeting, "Nachtrag")
