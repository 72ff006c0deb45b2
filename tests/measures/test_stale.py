"""Stale measures: which count, the coordinator's page, and reminders to the leads."""

import logging
import re
import smtplib
from datetime import date, timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actors.models import Consent, Organisation
from measures.models import ConceptVersion, Measure
from measures.selectors.updates import stale_groups, stale_measures
from measures.services import updates
from measures.services.updates import stale_remind, stale_reminder_send
from measures.tasks import stale_reminder_send_task

from ..actors.factories import ConsentFactory, OrganisationFactory, PersonFactory
from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory

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
    assert first.recipients == [reachable]
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
    for n in range(count):
        lead = OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION)
        for _ in range(3):
            stale(lead, contact=reachable_person() if n % 2 else PersonFactory())


def test_stale_list_constant_queries(client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    url = reverse("measures:stale_list")
    _fill(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _fill(12)

    with django_assert_max_num_queries(len(small)):
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

    assert stale_reminder_send_task.apply(args=[department.pk, TODAY.isoformat()]).get() == 1
    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert len(mailoutbox) == 1


def test_stale_reminder_send_asks_consent_again(department, mailoutbox):
    person = reachable_person()
    stale(department, contact=person)
    person.consents.update(withdrawn_at="2026-03-16T09:00:00+01:00")

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert mailoutbox == []


def test_stale_reminder_send_smtp_error_frees_the_recipient_for_the_retry(
    department, mailoutbox, monkeypatch
):
    stale(department, contact=reachable_person())
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


def three_recipients(department):
    people = [reachable_person(email=f"kontakt{n}@example.org") for n in range(3)]
    for person in people:
        stale(department, contact=person)
    return people


def fail_for(monkeypatch, errors: dict[str, list[Exception]]):
    """Let ``email_send`` raise the next of ``errors[address]``, else send; returns the tries."""
    tried = []
    send = updates.email_send

    def email_send(**kwargs):
        address = kwargs["to"][0]
        tried.append(address)
        if errors.get(address):
            raise errors[address].pop(0)
        return send(**kwargs)

    monkeypatch.setattr(updates, "email_send", email_send)
    return tried


def refused(address: str, code: int) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (code, b"5.1.1 User unknown")})


def test_stale_reminder_send_refused_address_does_not_stop_the_others(
    department, mailoutbox, monkeypatch, caplog
):
    first, bad, last = three_recipients(department)
    tried = fail_for(monkeypatch, {bad.email: [refused(bad.email, 550)]})

    with caplog.at_level(logging.WARNING, logger="measures.services.updates"):
        result = stale_reminder_send_task.apply(args=[department.pk, TODAY.isoformat()])

    assert result.successful()
    assert result.get() == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]
    assert "550 5.1.1 User unknown" in caplog.text
    # Refused for good: a second run does not try that address again today.
    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 0
    assert tried == [first.email, bad.email, last.email]


def test_stale_reminder_send_5xx_answer_is_permanent(department, mailoutbox, monkeypatch):
    first, bad, last = three_recipients(department)
    fail_for(monkeypatch, {bad.email: [smtplib.SMTPDataError(554, b"5.7.1 Rejected")]})

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]


def test_stale_reminder_send_greylisted_address_retried_after_the_others(
    department, mailoutbox, monkeypatch
):
    first, greylisted, last = three_recipients(department)
    tried = fail_for(monkeypatch, {greylisted.email: [refused(greylisted.email, 450)]})

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        stale_reminder_send(lead_id=department.pk, day=TODAY)
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 1
    assert [mail.to for mail in mailoutbox][2:] == [[greylisted.email]]
    assert tried == [first.email, greylisted.email, last.email, greylisted.email]


def test_stale_reminder_send_broken_connection_retries_only_those_not_mailed(
    department, mailoutbox, monkeypatch
):
    first, second, third = three_recipients(department)
    tried = fail_for(monkeypatch, {second.email: [smtplib.SMTPServerDisconnected("gone")]})

    with pytest.raises(smtplib.SMTPServerDisconnected):
        stale_reminder_send(lead_id=department.pk, day=TODAY)
    assert [mail.to for mail in mailoutbox] == [[first.email]]

    assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [second.email], [third.email]]
    assert tried == [first.email, second.email, second.email, third.email]


def test_stale_reminder_send_task_retries_transient_errors(department, mailoutbox, monkeypatch):
    first, second, third = three_recipients(department)
    tried = fail_for(monkeypatch, {second.email: [TimeoutError("timed out")]})
    args = [department.pk, TODAY.isoformat()]

    # Eager with propagation (tests/settings.py): the retry surfaces as Retry.
    with pytest.raises(Retry) as retry:
        stale_reminder_send_task.apply(args=args)
    assert isinstance(retry.value.exc, TimeoutError)
    assert [mail.to for mail in mailoutbox] == [[first.email]]

    assert stale_reminder_send_task.apply(args=args).get() == 2
    assert [mail.to for mail in mailoutbox] == [[first.email], [second.email], [third.email]]
    assert tried == [first.email, second.email, second.email, third.email]


class Refusing:
    """An aiosmtpd handler that refuses one address with 550 and keeps the rest."""

    def __init__(self, address: str):
        self.address = address
        self.accepted: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == self.address:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_stale_reminder_send_refused_address_on_a_real_connection(department, settings):
    from aiosmtpd.controller import Controller

    from ..mail_sink import free_port

    first, bad, last = three_recipients(department)
    handler = Refusing(bad.email)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

        assert stale_reminder_send(lead_id=department.pk, day=TODAY) == 2
    finally:
        controller.stop()
    assert handler.accepted == [first.email, last.email]
