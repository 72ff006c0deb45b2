"""The Beschlusskontrolle pages: permissions, scoping, the overview, create and edit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, StatusUpdate
from minutes.models import FollowUpTask

from ..actors.factories import OrganisationFactory, PersonFactory
from ..measures.factories import MeasureFactory
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def secret_task(body):
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), is_public=False)
    return FollowUpTaskFactory(agenda_item=item, title="Geheimer Personalauftrag", due_on=days(3))


@pytest.fixture
def public_task(body):
    meeting = MeetingFactory(body=body, minutes_status="published")
    item = AgendaItemFactory(meeting=meeting, title="Integrationslotsen")
    return FollowUpTaskFactory(agenda_item=item, title="Stellenbeschreibung", due_on=days(-2))


def test_task_list_tasks_of_draft_minutes_for_staff_and_the_body(request, django_app, body):
    """A task tells what was decided: while the minutes are a draft, only the staff
    (who carry tasks out) and the body's members see it."""
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), title="Sprachkurse")
    FollowUpTaskFactory(agenda_item=item, title="Kursplätze erfragen", due_on=days(5))
    for who, sees in [
        ("coordinator", True),
        ("administration_user", True),
        ("body_member", True),
        ("other_member", False),
        ("committee_member", False),
    ]:
        page = django_app.get(reverse("minutes:task_list"), user=request.getfixturevalue(who))
        assert ("Kursplätze erfragen" in page.text) is sees, who


def text(page, selector: str) -> str:
    return " ".join(node.get_text(" ") for node in page.html.select(selector))


def urls(task) -> list[str]:
    return [
        reverse("minutes:task_list"),
        reverse("minutes:task_create", args=[task.agenda_item_id]),
        reverse("minutes:task_update", args=[task.pk]),
    ]


def test_task_pages_send_anonymous_visitors_to_the_login(client, public_task):
    for url in urls(public_task):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_task_pages_refuse_users_without_a_role(django_app, user_without_role, public_task):
    for url in urls(public_task):
        django_app.get(url, user=user_without_role, status=403)


@pytest.mark.parametrize("role", ["committee_member", "administration_user"])
def test_task_edit_pages_are_for_the_coordination(request, django_app, role, public_task):
    user = request.getfixturevalue(role)
    django_app.get(reverse("minutes:task_list"), user=user, status=200)
    for url in urls(public_task)[1:]:
        django_app.get(url, user=user, status=403)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("coordinator", True),
        ("body_member", True),
        ("other_member", False),
        ("committee_member", False),
        ("administration_user", False),
    ],
)
def test_task_list_nonpublic_tasks_only_for_members_of_the_body(
    request, django_app, who, sees, secret_task, public_task
):
    page = django_app.get(reverse("minutes:task_list"), user=request.getfixturevalue(who))
    assert ("Geheimer Personalauftrag" in page.text) is sees
    assert "Stellenbeschreibung" in page.text


def test_task_update_of_an_invisible_task_is_not_found(django_app, coordinator, secret_task):
    # The coordinator sees everything; an unknown pk is a 404, not an error page.
    django_app.get(
        reverse("minutes:task_update", args=[secret_task.pk + 1000]), user=coordinator, status=404
    )


def test_task_list_groups_by_body_with_lights_counts_and_filters(django_app, coordinator, body):
    other = BodyFactory(name="Integrationsrat Wiesenbrück")
    FollowUpTaskFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(body=body)),
        title="Überfällig",
        due_on=days(-1),
    )
    FollowUpTaskFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(body=other)),
        title="Bald fällig",
        due_on=days(7),
    )
    FollowUpTaskFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(body=other)),
        title="Erledigt",
        due_on=days(-5),
        status=FollowUpTask.Status.DONE,
        closing_note="ok",
    )
    page = django_app.get(reverse("minutes:task_list"), user=coordinator)
    assert "2 Aufträge" in page.text
    assert "1 überfällig, 1 bald fällig" in page.text
    assert text(page, ".task-red").count("Überfällig") == 1
    assert "Bald fällig" in text(page, ".task-yellow")
    assert "Erledigt" not in text(page, ".task-table")
    groups = [h.get_text().split()[0] for h in page.html.select(".task-group h2")]
    assert groups == ["Ausschuss", "Integrationsrat"]

    overdue = django_app.get(reverse("minutes:task_list") + "?overdue=yes", user=coordinator)
    assert "Bald fällig" not in text(overdue, ".task-table")
    done = django_app.get(reverse("minutes:task_list") + "?status=done", user=coordinator)
    assert "Erledigt" in text(done, ".task-table")
    by_body = django_app.get(
        reverse("minutes:task_list") + f"?body={other.pk}&status=all", user=coordinator
    )
    assert "Überfällig" not in text(by_body, ".task-table")


def test_task_list_says_when_no_reminder_is_possible(
    django_app, coordinator, committee_member, body
):
    FollowUpTaskFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(body=body)),
        owner_person=None,
        owner_organisation=OrganisationFactory(name="Sportverein", email=""),
    )
    page = django_app.get(reverse("minutes:task_list"), user=coordinator)
    assert "keine Erinnerung möglich: Die Organisation hat keine E-Mail-Adresse." in text(
        page, ".task-no-reminder"
    )
    # Who may not act on it is not told (the committee reads the list).
    page = django_app.get(reverse("minutes:task_list"), user=committee_member)
    assert "keine Erinnerung möglich" not in page.text


def test_task_list_queries_do_not_grow_with_the_tasks(
    django_app, coordinator, body, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            FollowUpTaskFactory(
                agenda_item=AgendaItemFactory(meeting=MeetingFactory(body=BodyFactory())),
                owner_person=PersonFactory(),
            )

    add(2)
    django_app.get(reverse("minutes:task_list"), user=coordinator)  # warm the caches
    with django_assert_max_num_queries(12) as small:
        django_app.get(reverse("minutes:task_list"), user=coordinator)
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = django_app.get(reverse("minutes:task_list"), user=coordinator)
    assert "22 Aufträge" in page.text


def test_task_create_from_an_item_keeps_the_input_on_errors(django_app, coordinator, body):
    item = AgendaItemFactory(meeting=MeetingFactory(body=body))
    person = PersonFactory(last_name="Yılmaz")
    page = django_app.get(reverse("minutes:task_create", args=[item.pk]), user=coordinator)
    form = next(f for f in page.forms.values() if "title" in f.fields)
    form["title"] = "Konkrete Stellenbeschreibung"
    form["due_on"] = "2026-12-31"
    page = form.submit()
    assert page.status_code == 200
    assert "Bitte wählen Sie eine Person oder eine Organisation als Verantwortliche." in page.text
    form = next(f for f in page.forms.values() if "title" in f.fields)
    assert form["title"].value == "Konkrete Stellenbeschreibung"
    form["owner_person"] = str(person.pk)
    response = form.submit()
    assert response.status_code == 302
    task = FollowUpTask.objects.get()
    assert (task.owner_person, task.agenda_item, task.created_by) == (person, item, coordinator)


def test_task_update_done_needs_a_note_and_moves_the_measure(django_app, coordinator, public_task):
    measure = MeasureFactory(status=Measure.Status.IN_PROGRESS)
    url = reverse("minutes:task_update", args=[public_task.pk])
    form = next(
        f for f in django_app.get(url, user=coordinator).forms.values() if "status" in f.fields
    )
    form["status"] = "done"
    form["measure"] = str(measure.pk)
    form["measure_status"] = Measure.Status.DONE
    page = form.submit()
    assert "Abschlussvermerk" in page.text
    form = next(f for f in page.forms.values() if "status" in f.fields)
    assert form["status"].value == "done"
    form["closing_note"] = "Stellenbeschreibung liegt vor."
    form.submit().follow()
    public_task.refresh_from_db()
    assert public_task.status == FollowUpTask.Status.DONE
    assert public_task.closed_on == timezone.localdate()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert StatusUpdate.objects.get(measure=measure).note.startswith(
        "Arbeitsauftrag erledigt: Stellenbeschreibung"
    )


def test_task_list_shows_the_resolution_of_draft_minutes_only_to_the_body(
    django_app, body, body_member, administration_user
):
    item = AgendaItemFactory(meeting=MeetingFactory(body=body, minutes_status="draft"))
    resolution = ResolutionFactory(agenda_item=item, kind="rejected")
    FollowUpTaskFactory(agenda_item=item, resolution=resolution, title="Prüfauftrag")
    url = reverse("minutes:task_list")
    # Verwaltung carries the task out before the minutes are published, but does
    # not read the draft resolution.
    page = django_app.get(url, user=administration_user)
    assert "Prüfauftrag" in page.text
    assert "abgelehnt" not in page.text
    assert "abgelehnt" in django_app.get(url, user=body_member).text
