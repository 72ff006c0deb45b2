"""Follow-up tasks: creating, closing, moving a measure, traffic lights, reminders."""

import datetime
import smtplib

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors.models import Consent
from measures.models import ConceptVersion, Measure, StatusUpdate
from minutes.models import FollowUpTask
from minutes.selectors.tasks import reminder_problem, traffic_light
from minutes.services.tasks import task_create, task_reminders_send, task_update

from ..actors.factories import ConsentFactory, OrganisationFactory, PersonFactory
from ..measures.factories import ConceptVersionFactory, GoalFactory, MeasureFactory
from .factories import AgendaItemFactory, FollowUpTaskFactory, MeetingFactory, ResolutionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def item(body):
    meeting = MeetingFactory(body=body, date=datetime.date(2020, 10, 15))
    AgendaItemFactory.create_batch(4, meeting=meeting)
    return AgendaItemFactory(meeting=meeting, title="Stellenbeschreibung Integrationslotse")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC), tick=False)
    return TODAY


def consenting(purpose=Consent.Purpose.TASKS, **kwargs):
    person = PersonFactory(**kwargs)
    ConsentFactory(person=person, purpose=purpose)
    return person


# --- create and update ----------------------------------------------------------------


def test_task_create_links_the_items_resolution(coordinator, item):
    resolution = ResolutionFactory(agenda_item=item)
    task = task_create(
        by=coordinator,
        agenda_item=item,
        title="Konkrete Stellenbeschreibung",
        due_on=datetime.date(2020, 12, 31),
        owner_person=PersonFactory(),
    )
    assert task.resolution == resolution
    assert task.status == FollowUpTask.Status.OPEN
    assert task.created_by == coordinator


@pytest.mark.parametrize("owners", ["none", "both"])
def test_task_create_needs_exactly_one_owner(coordinator, item, owners):
    kwargs = {}
    if owners == "both":
        kwargs = {"owner_person": PersonFactory(), "owner_organisation": OrganisationFactory()}
    with pytest.raises(ValidationError) as error:
        task_create(by=coordinator, agenda_item=item, title="X", due_on=TODAY, **kwargs)
    assert "owner_person" in error.value.error_dict
    assert "Organisation" in " ".join(error.value.message_dict["owner_organisation"])
    assert not FollowUpTask.objects.exists()


@pytest.mark.parametrize("status", [FollowUpTask.Status.DONE, FollowUpTask.Status.CANCELLED])
def test_task_update_closing_needs_a_note(coordinator, status):
    task = FollowUpTaskFactory()
    with pytest.raises(ValidationError) as error:
        task_update(by=coordinator, task=task, status=status, closing_note="  ")
    assert "closing_note" in error.value.error_dict
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.OPEN


def test_task_update_sets_and_clears_closed_on(coordinator, today):
    task = FollowUpTaskFactory()
    task = task_update(by=coordinator, task=task, status="done", closing_note="Erledigt.")
    assert task.closed_on == today
    task = task_update(by=coordinator, task=task, status="in_progress")
    assert task.closed_on is None


@pytest.fixture
def current_measure():
    return MeasureFactory(status=Measure.Status.PLANNED)


def test_task_done_moves_the_measure_with_a_status_update(coordinator, item, current_measure):
    task = FollowUpTaskFactory(agenda_item=item, title="Stellenbeschreibung erstellen")
    task_update(
        by=coordinator,
        task=task,
        measure=current_measure,
        measure_status=Measure.Status.DONE,
        status=FollowUpTask.Status.DONE,
        closing_note="Liegt vor.",
    )
    current_measure.refresh_from_db()
    assert current_measure.status == Measure.Status.DONE
    update = StatusUpdate.objects.get(measure=current_measure)
    assert update.author == coordinator
    assert update.date == timezone.localdate()
    assert update.note == (
        "Arbeitsauftrag erledigt: Stellenbeschreibung erstellen "
        f"({item.meeting.body.name} 15.10.2020, TOP Ö 5)"
    )
    # Saving the done task again records nothing more.
    task_update(by=coordinator, task=task, closing_note="Liegt vor, abgestimmt.")
    assert StatusUpdate.objects.filter(measure=current_measure).count() == 1


def test_task_done_by_a_login_that_may_not_update_the_measure_saves_nothing(
    administration_user, current_measure
):
    task = FollowUpTaskFactory(measure=current_measure, measure_status=Measure.Status.DONE)
    with pytest.raises(ValidationError):
        task_update(by=administration_user, task=task, status="done", closing_note="Erledigt.")
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.OPEN
    assert not StatusUpdate.objects.exists()


def test_task_update_refuses_a_measure_of_an_old_version(coordinator):
    old = ConceptVersionFactory(adopted_on=datetime.date(2009, 1, 1))
    ConceptVersionFactory(concept=old.concept, adopted_on=datetime.date(2020, 1, 1))
    measure = MeasureFactory(goal=GoalFactory(version=old))
    with pytest.raises(ValidationError) as error:
        task_update(by=coordinator, task=FollowUpTaskFactory(), measure=measure)
    assert "measure" in error.value.error_dict
    assert ConceptVersion.objects.count() == 2


# --- traffic lights -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_in", "status", "light"),
    [
        (-1, "open", "red"),
        (0, "open", "yellow"),
        (7, "in_progress", "yellow"),
        (8, "open", "green"),
        (-30, "done", "green"),
        (-30, "cancelled", "green"),
    ],
)
def test_traffic_light_boundaries(due_in, status, light, settings):
    settings.MINUTES_TASK_REMINDER_DAYS_BEFORE = 7
    task = FollowUpTask(due_on=TODAY + datetime.timedelta(days=due_in), status=status)
    assert traffic_light(task, today=TODAY) == light


# --- reminders ------------------------------------------------------------------------


def due(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def test_reminders_once_before_and_once_after_per_due_date(today, mailoutbox):
    person = consenting(email="lotse@wiesenbrueck.example")
    task = FollowUpTaskFactory(owner_person=person, due_on=due(7))
    FollowUpTaskFactory(owner_person=consenting(), due_on=due(8))  # not yet

    assert task_reminders_send().sent == 1
    assert task_reminders_send().sent == 0
    assert [m.to for m in mailoutbox] == [["lotse@wiesenbrueck.example"]]
    assert "fällig am 08.12.2026" in mailoutbox[0].subject
    task.refresh_from_db()
    assert task.reminded_before_for == due(7)

    # The day after the first task's due date: its "overdue" mail, and the second's
    # "before" mail; each once.
    summary = task_reminders_send(today=due(8))
    assert summary.sent == 2
    assert task_reminders_send(today=due(8)).sent == 0
    assert task_reminders_send(today=due(9)).sent == 1  # the second one is overdue now
    assert task_reminders_send(today=due(10)).sent == 0
    assert len(mailoutbox) == 4
    task.refresh_from_db()
    assert task.reminded_after_for == due(7)
    overdue = [m for m in mailoutbox if m.to == ["lotse@wiesenbrueck.example"]][-1]
    assert overdue.subject.startswith("Überfälliger Arbeitsauftrag")


def test_reminders_a_changed_due_date_gets_new_reminders(coordinator, today, mailoutbox):
    task = FollowUpTaskFactory(owner_person=consenting(), due_on=due(3))
    task_reminders_send()
    task_update(by=coordinator, task=task, due_on=due(5))
    assert task_reminders_send().sent == 1
    assert len(mailoutbox) == 2


def test_reminders_closed_tasks_are_not_reminded(today, mailoutbox):
    FollowUpTaskFactory(owner_person=consenting(), due_on=due(-1), status="done")
    FollowUpTaskFactory(owner_person=consenting(), due_on=due(2), status="cancelled")
    assert task_reminders_send().sent == 0
    assert mailoutbox == []


def test_reminders_respect_the_persons_consent(today, mailoutbox):
    person = consenting(purpose=Consent.Purpose.SURVEYS)  # not for task reminders
    task = FollowUpTaskFactory(owner_person=person, due_on=due(1))
    summary = task_reminders_send()
    assert (summary.sent, summary.skipped) == (0, 1)
    assert mailoutbox == []
    assert "Erinnerungen an Arbeitsaufträge" in reminder_problem(task)


def test_reminders_go_to_an_organisation_without_consent_but_not_without_address(today, mailoutbox):
    with_address = OrganisationFactory(email="info@caritas.example")
    without = OrganisationFactory(email="")
    FollowUpTaskFactory(owner_person=None, owner_organisation=with_address, due_on=due(1))
    silent = FollowUpTaskFactory(owner_person=None, owner_organisation=without, due_on=due(1))
    summary = task_reminders_send()
    assert (summary.sent, summary.skipped) == (1, 1)
    assert [m.to for m in mailoutbox] == [["info@caritas.example"]]
    assert reminder_problem(silent) == "Die Organisation hat keine E-Mail-Adresse."


def test_reminders_of_nonpublic_items_show_the_title_only(body, today, mailoutbox):
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), is_public=False, title="Personal")
    FollowUpTaskFactory(
        agenda_item=item,
        owner_person=None,
        owner_organisation=OrganisationFactory(),
        title="Bericht vorlegen",
        description="Vertraulicher Hintergrund",
        due_on=due(1),
    )
    task_reminders_send()
    text = mailoutbox[0].body
    assert "Bericht vorlegen" in text
    assert "TOP N 1" in text
    assert "Personal" not in text
    assert "Vertraulicher Hintergrund" not in text
    assert "Vertraulicher Hintergrund" not in mailoutbox[0].alternatives[0][0]


def test_reminders_of_public_items_show_item_and_description(today, item, mailoutbox):
    FollowUpTaskFactory(
        agenda_item=item,
        owner_person=consenting(),
        description="Mit Träger abstimmen",
        due_on=due(1),
    )
    task_reminders_send()
    assert "Stellenbeschreibung Integrationslotse" in mailoutbox[0].body
    assert "Mit Träger abstimmen" in mailoutbox[0].body


def test_reminders_a_failed_mail_is_released_and_sent_next_time(today, mailoutbox, monkeypatch):
    task = FollowUpTaskFactory(owner_person=consenting(), due_on=due(1))

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    with monkeypatch.context() as patched:
        patched.setattr(django_mail.backends.locmem.EmailBackend, "send_messages", refuse)
        assert task_reminders_send().failed == 1
    task.refresh_from_db()
    assert task.reminded_before_for is None
    assert task_reminders_send().sent == 1


def test_reminders_a_claimed_reminder_is_not_sent_by_a_second_worker(
    today, mailoutbox, monkeypatch
):
    from minutes.services import tasks as services

    task = FollowUpTaskFactory(owner_person=consenting(), due_on=due(1))
    original = services._claim

    def racing(task_, kind):
        # Another worker claims it between our read and our claim.
        FollowUpTask.objects.filter(pk=task_.pk).update(reminded_before_for=task_.due_on)
        return original(task_, kind)

    monkeypatch.setattr(services, "_claim", racing)
    summary = task_reminders_send()
    assert (summary.sent, summary.taken) == (0, 1)
    assert mailoutbox == []
    task.refresh_from_db()
    assert task.reminded_before_for == due(1)
