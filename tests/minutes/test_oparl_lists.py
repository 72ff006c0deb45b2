"""The OParl lists: pagination, filters, limits, query counts, errors and CORS."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minutes.models import Meeting

from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    ResolutionFactory,
)
from .test_oparl import BASE, ROOT, oparl_errors

pytestmark = pytest.mark.django_db

MEETINGS = f"{ROOT}body/1/meeting/"


def _meetings(count: int):
    body = BodyFactory()
    meetings = []
    for day in range(count):
        meeting = MeetingFactory(
            body=body,
            date=datetime.date(2026, 3, day + 1),
            minutes_status=Meeting.MinutesStatus.PUBLISHED,
        )
        paper = PaperFactory()
        paper.related_papers.add(PaperFactory(is_public=False))
        item = AgendaItemFactory(meeting=meeting, paper=paper)
        ConsultationFactory(paper=paper, body=body, agenda_item=item)
        ResolutionFactory(agenda_item=item)
        MembershipFactory(body=body)
        AgendaItemFactory(meeting=meeting, is_public=False)
        meetings.append(meeting)
    return meetings


def test_oparl_list_pages_follow_their_links(client):
    _meetings(5)
    first = client.get(MEETINGS, {"limit": 2}).json()
    assert first["pagination"] == {
        "totalElements": 5,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert "prev" not in first["links"]
    seen = [meeting["id"] for meeting in first["data"]]
    page = first
    while "next" in page["links"]:
        page = client.get(page["links"]["next"].removeprefix("https://integration.example.org"))
        page = page.json()
        seen += [meeting["id"] for meeting in page["data"]]
    assert len(seen) == len(set(seen)) == 5
    assert page["links"]["self"] == page["links"]["last"]
    assert page["links"]["prev"].endswith("limit=2&page=2")


def test_oparl_list_limit_is_capped(client):
    _meetings(1)
    data = client.get(MEETINGS, {"limit": 500}).json()
    assert data["pagination"]["elementsPerPage"] == 100


def test_oparl_list_filters_by_created_and_modified(client):
    old, new = _meetings(2)
    Meeting.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30),
        updated_at=timezone.now() - datetime.timedelta(days=20),
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    ids = lambda data: [m["id"].rsplit("/", 2)[-2] for m in data["data"]]  # noqa: E731
    assert ids(client.get(MEETINGS, {"created_since": since}).json()) == [str(new.pk)]
    assert ids(client.get(MEETINGS, {"created_until": since}).json()) == [str(old.pk)]
    assert ids(client.get(MEETINGS, {"modified_since": since}).json()) == [str(new.pk)]
    assert ids(client.get(MEETINGS, {"modified_until": since}).json()) == [str(old.pk)]
    # The filters travel with the page links.
    links = client.get(MEETINGS, {"modified_since": since}).json()["links"]
    assert "modified_since=" in links["self"]


@pytest.mark.parametrize(
    "query",
    [
        {"created_since": "gestern"},
        {"modified_until": "2026-13-01T00:00:00"},
        {"limit": "viele"},
        {"limit": "0"},
    ],
)
def test_oparl_list_bad_parameter_is_an_error_object(client, query):
    response = client.get(MEETINGS, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["type"] == BASE + "Error"
    assert data["message"]


@pytest.mark.parametrize(
    "path",
    [
        "meeting/999999/",
        "body/2/",
        "body/2/paper/",
        "body/1/meeting/?page=9",
        "person/999999/",
    ],
)
def test_oparl_unknown_objects_are_404_error_objects(client, path):
    response = client.get(ROOT + path)
    assert response.status_code == 404
    assert response.json()["type"] == BASE + "Error"


def test_oparl_is_read_only(client):
    response = client.post(ROOT)
    assert response.status_code == 405
    assert response.json()["type"] == BASE + "Error"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_oparl_system_answers_anonymously_with_cors(client):
    response = client.get(ROOT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["oparlVersion"] == BASE
    assert oparl_errors(data) == []


@pytest.mark.parametrize(
    "path", ["body/1/meeting/", "body/1/paper/", "body/1/person/", "body/1/organization/"]
)
def test_oparl_list_query_count_is_constant(client, path):
    _meetings(1)
    with CaptureQueriesContext(connection) as few:
        client.get(ROOT + path)
    _meetings(4)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(ROOT + path).json()["data"]) > 1
    assert len(many) == len(few)


def test_oparl_validator_catches_a_broken_object():
    broken = {
        "id": "nicht-eine-url",
        "type": BASE + "Meeting",
        "created": "2026-01-01T10:00:00",
        "modified": "2026-01-01T10:00:00+01:00",
        "agendaItem": [{"id": "https://x.example/1", "type": BASE + "AgendaItem"}],
        "name": "",
    }
    errors = " ".join(oparl_errors(broken))
    assert "'order' is a required property" in errors  # via the $ref to AgendaItem.json
    assert "is not a 'url'" in errors
    assert "created missing or without offset" in errors
    assert "empty name" in errors
