"""The portal's Beschlusskontrolle: tasks of published minutes, per role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import AgendaItemFactory, FollowUpTaskFactory, MeetingFactory
from .conftest import DRAFT_TASK, PUBLIC_ITEM, PUBLIC_TASK, SECRET_ITEM, SECRET_TASK, text

pytestmark = pytest.mark.django_db

TASKS = reverse("portal:task_list")


def rows(page):
    return [text(row) for row in page.html.select(".portal-tasks tbody tr")]


def test_anonymous_sees_tasks_of_published_public_items_only(django_app, town):
    page = django_app.get(TASKS)

    assert text(page.html.h1) == "Beschlusskontrolle"
    found = rows(page)
    assert len(found) == 2
    overdue, open_task = found  # by due date
    assert "Rücklauf der Umfrage auswerten" in overdue
    assert "überfällig" in overdue  # the light in words, not colour only
    assert "Personenname" not in page.text  # owners: never a person's name
    assert PUBLIC_TASK in open_task
    assert "31.12.2026" in open_task
    assert "FB II Familie & Soziales" in open_task
    assert "15.10.2026, TOP Ö 5" in open_task
    assert PUBLIC_ITEM in open_task
    assert "zur Kenntnis genommen" in open_task
    item_url = reverse("portal:item_detail", args=[town.public_item.pk])
    assert page.html.select_one(f'.portal-tasks a[href="{item_url}"]')
    assert "2 Aufträge" in page.text or "2 Arbeitsaufträge" in page.text
    for hidden in (SECRET_TASK, SECRET_ITEM, DRAFT_TASK):
        assert hidden not in page.text


@pytest.mark.parametrize(
    ("role", "secret", "draft"),
    [
        ("body_member", True, True),
        ("coordinator", True, True),
        ("other_member", False, False),
        # Verwaltung carries tasks out on the staff pages; the portal shows only
        # what the minutes it may read say.
        ("administration_user", False, False),
        ("department_user", True, False),
    ],
)
def test_tasks_per_role(django_app, town, request, role, secret, draft):
    page = django_app.get(TASKS, user=request.getfixturevalue(role))

    assert (SECRET_TASK in page.text) is secret
    assert (DRAFT_TASK in page.text) is draft
    if secret:
        row = next(row for row in rows(page) if SECRET_TASK in row)
        assert "nicht öffentlich" in row


def test_task_list_body_filter(django_app, town):
    meeting = MeetingFactory(
        body=town.other_body,
        date=datetime.date(2026, 9, 1),
        minutes_status="published",
        status="held",
    )
    FollowUpTaskFactory(agenda_item=AgendaItemFactory(meeting=meeting), title="Dolmetscherpool")

    everything = django_app.get(TASKS)
    assert "Dolmetscherpool" in everything.text
    form = next(form for form in everything.forms.values() if "body" in form.fields)
    form["body"] = str(town.other_body.pk)
    filtered = form.submit()

    assert "Dolmetscherpool" in filtered.text
    assert PUBLIC_TASK not in filtered.text


def test_task_list_query_count_is_constant(django_app, town):
    def queries():
        with CaptureQueriesContext(connection) as context:
            django_app.get(TASKS)
        return len(context)

    few = queries()
    for number in range(20):
        FollowUpTaskFactory(
            agenda_item=town.public_item,
            title=f"Auftrag {number}",
            owner_person=None,
            owner_organisation=town.lead,
        )
    assert queries() == few
