"""Stale measures: which count, the coordinator's page, and reminders to the leads."""

import re
import smtplib
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from kombu.exceptions import OperationalError

from actors.models import Consent, Organisation
from integration.core.roles import Role
from integration.core.services import roles_sync
from measures.models import ConceptVersion, Measure, StaleReminder
from measures.selectors.updates import stale_groups, stale_measures
from measures.services import updates
from measures.services.updates import stale_remind, stale_reminder_send
from measures.tasks import stale_reminder_send_task

from ..actors.factories import ConsentFactory, OrganisationFactory, PersonFactory
from ..core.factories import UserFactory
from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory, ResponsibilityFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 16)
LINK = re.compile(r"https://integration\.example\.org(/concept/measures/\d+/)")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(f"{TODAY.isoformat()} 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def department():
    return OrganisationFactory(
        name="FB II Familie & Soziales", kind=Organisation.Kind.ADMINISTRATION
    )


def reachable_person(**kwargs):
    person = PersonFactory(**kwargs)
    ConsentFactory(person=person, purpose=Consent.Purpose.TASKS, basis=Consent.Basis.PROFESSIONAL)
    return person


def stale(department, **kwargs):
    """A measure last updated seven months ago."""
    return MeasureFactory(lead=department, last_update_on=TODAY - timedelta(days=213), **kwargs)


def claim(lead, day=TODAY, **kwargs):
    """The day's reminder claimed, as ``stale_remind`` does before enqueueing the task."""
    return StaleReminder.objects.create(lead=lead, day=day, **kwargs)


# --- Which measures are stale ---------------------------------------------------------


def test_stale_measures_by_months_status_and_version(coordinator, department, settings):
    settings.MEASURE_STALE_MONTHS = 6
    seven_months = stale(department)
    never = MeasureFactory(lead=department, last_update_on=None)
    exactly_six = MeasureFactory(lead=department, last_update_on=date(2025, 9, 16))
    one_day_older = MeasureFactory(lead=department, last_update_on=date(2025, 9, 15))
    MeasureFactory(lead=department, last_update_on=TODAY - timedelta(days=150))
    for status in (Measure.Status.DONE, Measure.Status.PERMANENT, Measure.Status.DISCARDED):
        stale(department, status=status)
    deferred = stale(department, status=Measure.Status.DEFERRED)
    old = ConceptVersionFactory(adopted_on=TODAY - timedelta(days=2000))
    ConceptVersionFactory(concept=old.concept, adopted_on=TODAY - timedelta(days=10))
    MeasureFactory(goal=GoalFactory(version=old), lead=department, last_update_on=None)
    revision = ConceptVersionFactory(
        concept=old.concept, status=ConceptVersion.Status.REVISION, adopted_on=None
    )
    MeasureFactory(goal=GoalFactory(version=revision), lead=department, last_update_on=None)

    found = set(stale_measures(user=coordinator))

    assert found == {seven_months, never, one_day_older, deferred}
    assert exactly_six not in found


def test_stale_measures_follow_the_setting(coordinator, department, settings):
    measure = stale(department)
    settings.MEASURE_STALE_MONTHS = 12

    assert list(stale_measures(user=coordinator)) == []
    settings.MEASURE_STALE_MONTHS = 3
    assert list(stale_measures(user=coordinator)) == [measure]


def test_stale_measures_become_stale_as_time_passes(coordinator, department):
    measure = MeasureFactory(lead=department, last_update_on=TODAY)

    assert list(stale_measures(user=coordinator)) == []
    with time_machine.travel(TODAY + timedelta(days=200), tick=False):
        assert list(stale_measures(user=coordinator)) == [measure]


def test_stale_measures_only_for_coordination(administration_user, department):
    stale(department)

    assert list(stale_measures(user=administration_user)) == []


def test_stale_groups_by_lead_with_reachable_contacts_and_reasons(coordinator, department):
    reachable = reachable_person(last_name="Yılmaz")
    unreachable = PersonFactory(last_name="Ohnezustimmung")
    stale(department, contact=reachable)
    stale(department, contact=unreachable)
    stale(department, contact=reachable)
    other = OrganisationFactory(name="Jobcenter Wiesenbrück")
    stale(other)
    MeasureFactory(lead=None, last_update_on=None)

    groups = stale_groups(user=coordinator)

    assert [group.lead for group in groups] == [department, other, None]
    first = groups[0]
    assert len(first.measures) == 3
    assert [recipient.person for recipient in first.recipients] == [reachable]
    assert [person for person, _ in first.left_out] == [unreachable]
    assert "Rechtsgrundlage" in first.left_out[0][1]
    assert first.can_remind
    assert not groups[1].can_remind
    assert not groups[2].can_remind


# --- Page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("administration_user", 403),
        ("committee_member", 403),
        ("user_without_role", 403),
    ],
)
def test_stale_list_by_role(role, status, client, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("measures:stale_list")).status_code == status


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_stale_remind_refused_without_change_measure(role, client, request, department):
    stale(department, contact=reachable_person())
    client.force_login(request.getfixturevalue(role))

    assert client.post(reverse("measures:stale_remind")).status_code == 403


def test_stale_remind_is_post_only(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("measures:stale_remind")).status_code == 405


def test_stale_list_shows_groups_and_who_is_left_out(django_app, coordinator, department):
    stale(department, title="Elterncafé", contact=PersonFactory(last_name="Ohnezustimmung"))
    MeasureFactory(lead=None, title="Ohne Federführung", last_update_on=None)

    page = django_app.get(reverse("measures:stale_list"), user=coordinator)

    section = page.html.select_one(f"section[data-lead='{department.pk}']")
    assert "Elterncafé" in section.get_text()
    assert "Ohnezustimmung" in section.select_one(".stale-left-out").get_text()
    assert not section.select("form")
    assert "Ohne Federführung" in page.html.select("section")[-1].get_text()


def _fill(count: int) -> None:
    group = roles_sync()[Role.ADMINISTRATION.value]
    for n in range(count):
        lead = OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION)
        for _ in range(3):
            stale(lead, contact=reachable_person() if n % 2 else PersonFactory())
        administration_login(lead, group=group)
        claim(lead, day=TODAY - timedelta(days=30))
        claim(lead, day=TODAY - timedelta(days=3 + n % 2))


def test_stale_list_constant_queries(client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    url = reverse("measures:stale_list")
    _fill(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # Read now: the next request empties the query log the context reads from.
    small_count = len(small)
    _fill(12)
    # New logins in a group empty the cached permission sets; fill them again.
    client.get(url)

    with django_assert_max_num_queries(small_count):
        response = client.get(url)

    assert response.context["measure_count"] == 42


# --- Reminders ------------------------------------------------------------------------


def test_stale_remind_mails_only_contacts_consent_allows(
    coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    allowed = reachable_person(last_name="Yılmaz")
    withdrawn = reachable_person(last_name="Widerrufen")
    withdrawn.consents.update(withdrawn_at="2026-01-01T10:00:00+01:00")
    no_consent = PersonFactory(last_name="Ohnezustimmung")
    first = stale(department, title="Elterncafé", contact=allowed)
    stale(department, title="Lotsenprojekt", contact=withdrawn)
    stale(department, title="Sprachkurs", contact=no_consent)

    with django_capture_on_commit_callbacks(execute=True):
        result = stale_remind(by=coordinator)

    assert result.queued == [department]
    assert [mail.to for mail in mailoutbox] == [[allowed.email]]
    mail = mailoutbox[0]
    assert "FB II Familie & Soziales" in mail.subject
    for title in ("Elterncafé", "Lotsenprojekt", "Sprachkurs"):
        assert title in mail.body
    assert first.get_absolute_url() in LINK.findall(mail.body)
    assert "https://integration.example.org" + reverse("measures:my_measures") in mail.body
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    html = mail.alternatives[0][0]
    assert f'href="https://integration.example.org{first.get_absolute_url()}"' in html


def test_stale_remind_sends_once_per_lead_per_day(
    client, coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    stale(department, contact=reachable_person())
    stale(department, contact=reachable_person())
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("measures:stale_remind"))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(reverse("measures:stale_remind"), {"lead": department.pk}, follow=True)

    assert len(mailoutbox) == 2
    assert any("bereits erinnert" in str(message) for message in second.context["messages"])
    assert second.context["groups"][0].reminded_today

    with (
        time_machine.travel(TODAY + timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        stale_remind(by=coordinator)
    assert len(mailoutbox) == 4


def test_stale_remind_one_lead_only(
    coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    stale(department, contact=reachable_person())
    other = OrganisationFactory()
    stale(other, contact=reachable_person())

    with django_capture_on_commit_callbacks(execute=True):
        result = stale_remind(by=coordinator, lead_ids=[other.pk])

    assert result.queued == [other]
    assert len(mailoutbox) == 1


def test_stale_remind_unreachable_lead_is_reported_not_marked(coordinator, department, mailoutbox):
    stale(department, contact=PersonFactory())

    result = stale_remind(by=coordinator)

    assert result.unreachable == [department]
    assert result.queued == []
    assert stale_groups(user=coordinator)[0].reminded_today is False
    assert mailoutbox == []


def test_stale_remind_needs_coordination(administration_user):
    with pytest.raises(PermissionDenied):
        stale_remind(by=administration_user)


def test_stale_reminder_send_twice_mails_nobody_twice(department, mailoutbox):
    stale(department, contact=reachable_person())
    reminder = claim(department)

    assert stale_reminder_send_task.apply(args=[department.pk, TODAY.isoformat()]).get() == 1
    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert len(mailoutbox) == 1
    reminder.refresh_from_db()
    assert reminder.recipients == 1


def test_stale_reminder_send_asks_consent_again(department, mailoutbox):
    person = reachable_person()
    stale(department, contact=person)
    claim(department)
    person.consents.update(withdrawn_at="2026-03-16T09:00:00+01:00")

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert mailoutbox == []


def test_stale_reminder_send_smtp_error_frees_the_recipient_for_the_retry(
    department, mailoutbox, monkeypatch
):
    stale(department, contact=reachable_person())
    claim(department)
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(updates, "email_send", failing)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        stale_reminder_send(lead_id=department.pk, day=TODAY)
    monkeypatch.undo()

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 1
    assert len(calls) == 1
    assert len(mailoutbox) == 1


# --- The day's claim in the database, the leads' logins --------------------------------


def administration_login(lead, group=None, **kwargs):
    """A Verwaltung login answering for ``lead`` (Responsibility)."""
    user = UserFactory(**kwargs)
    user.groups.set([group or roles_sync()[Role.ADMINISTRATION.value]])
    ResponsibilityFactory(user=user, organisation=lead)
    return user


def test_stale_remind_claims_the_day_in_the_database(
    coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    stale(department, contact=reachable_person())
    stale(department, contact=reachable_person())

    with django_capture_on_commit_callbacks(execute=True):
        assert stale_remind(by=coordinator).queued == [department]
    reminder = StaleReminder.objects.get()
    assert (reminder.lead, reminder.day, reminder.sent_by, reminder.recipients) == (
        department,
        TODAY,
        coordinator,
        2,
    )
    # Another worker, a restart or an emptied cache: the row still holds the day.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = stale_remind(by=coordinator)
    assert result.already_reminded == [department]
    assert len(mailoutbox) == 2


def test_stale_remind_gives_the_day_back_when_the_broker_is_down(
    coordinator, department, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    stale(department, contact=reachable_person())

    def refused(*args):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(stale_reminder_send_task, "delay", refused)
    with django_capture_on_commit_callbacks(execute=True):
        assert stale_remind(by=coordinator).queued == [department]
    assert not StaleReminder.objects.exists()
    assert mailoutbox == []

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert stale_remind(by=coordinator).queued == [department]
    assert len(mailoutbox) == 1


def test_stale_reminder_send_needs_the_days_claim(department, mailoutbox):
    stale(department, contact=reachable_person())
    claim(department, day=TODAY - timedelta(days=1))

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert mailoutbox == []


def test_stale_remind_reaches_the_leads_administration_logins_once_per_address(
    coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    contact = reachable_person(last_name="Yılmaz", email="a.yilmaz@wiesenbrueck.example")
    stale(department, contact=contact)
    login = administration_login(department, first_name="Jonas", last_name="Becker")
    # The same address as the contact person: one mail.
    administration_login(department, email="A.Yilmaz@wiesenbrueck.example")
    administration_login(department, is_active=False)
    administration_login(department, email="")
    administration_login(OrganisationFactory())
    coordination = UserFactory()
    coordination.groups.set([roles_sync()[Role.COORDINATION.value]])
    ResponsibilityFactory(user=coordination, organisation=department)

    group = stale_groups(user=coordinator)[0]
    assert [(r.person, r.user) for r in group.recipients] == [(contact, None), (None, login)]

    with django_capture_on_commit_callbacks(execute=True):
        stale_remind(by=coordinator)
    assert [mail.to for mail in mailoutbox] == [[contact.email], [login.email]]
    assert mailoutbox[1].body.startswith("Guten Tag Jonas Becker,")
    assert StaleReminder.objects.get().recipients == 2


def test_stale_remind_lead_without_contacts_reaches_its_login(
    coordinator, department, mailoutbox, django_capture_on_commit_callbacks
):
    stale(department, contact=PersonFactory())  # no consent
    login = administration_login(department)

    with django_capture_on_commit_callbacks(execute=True):
        result = stale_remind(by=coordinator)

    assert result.queued == [department]
    assert [mail.to for mail in mailoutbox] == [[login.email]]


def test_stale_list_shows_recipients_and_last_reminder(django_app, coordinator, department):
    stale(department, contact=reachable_person(first_name="Ayşe", last_name="Yılmaz"))
    administration_login(department, first_name="Jonas", last_name="Becker")
    claim(department, day=date(2026, 1, 12), recipients=3)
    claim(department, day=date(2026, 3, 6), recipients=2, sent_by=coordinator)
    other = OrganisationFactory()
    stale(other, contact=reachable_person())

    page = django_app.get(reverse("measures:stale_list"), user=coordinator)

    section = page.html.select_one(f"section[data-lead='{department.pk}']")
    assert section.select_one(".stale-recipients").get_text() == (
        "2 Empfänger: Ayşe Yılmaz, Jonas Becker (Verwaltung)"
    )
    last = section.select_one(".stale-last-reminder").get_text()
    assert last == "zuletzt erinnert am 06.03.2026 (2 E-Mails)"
    assert section.select("form")  # not today: the button is there
    other_section = page.html.select_one(f"section[data-lead='{other.pk}']")
    assert not other_section.select(".stale-last-reminder")
