"""Delivery services: reminders, closing, the mail itself.

Tasks run eagerly (tests/settings.py); on-commit work runs through
``django_capture_on_commit_callbacks(execute=True)``.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.html import escape

from actors.models import Person
from actors.surveys import tokens
from actors.surveys.models import Invitation, Mail, ReminderRound, Survey
from actors.surveys.services import delivery

from .delivery_helpers import recipients, running, survey_with_recipients
from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://integration\.example\.org/surveys/r/([0-9a-f]{64})/(?=\s|\"|$)")
OPT_OUT = re.compile(r"https://integration\.example\.org/surveys/r/([0-9a-f]{64})/opt-out/")

# --- Reminders ------------------------------------------------------------------------


def test_reminders_plan_on_day_7_and_14_reminds_those_who_have_not_answered(
    plan, launch, mailoutbox, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = survey_with_recipients(4, reminder_days=[7, 14], max_reminders=2)
    launch(survey)
    answered, opted_out, *waiting = survey.invitations.order_by("pk")
    Invitation.objects.filter(pk=answered.pk).update(has_responded=True)
    Invitation.objects.filter(pk=opted_out.pk).update(opted_out_at=timezone.now())
    waiting_emails = sorted(invitation.person.email for invitation in waiting)
    mailoutbox.clear()

    time_machine.move_to(start + timedelta(days=6, hours=23), tick=False)
    assert plan() == 0
    assert mailoutbox == []

    time_machine.move_to(start + timedelta(days=7, minutes=5), tick=False)
    assert plan() == 1
    assert plan() == 0  # the beat runs again: nothing more
    assert recipients(mailoutbox) == waiting_emails
    assert all(message.subject.startswith("Erinnerung: ") for message in mailoutbox)

    time_machine.move_to(start + timedelta(days=14, minutes=5), tick=False)
    assert plan() == 1
    plan()
    assert recipients(mailoutbox) == sorted(waiting_emails * 2)
    assert list(survey.reminder_rounds.values_list("number", "day")) == [(1, 7), (2, 14)]


def test_reminders_plan_respects_the_most_reminders_per_person(
    plan, coordinator, launch, mailoutbox, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = survey_with_recipients(2, reminder_days=[7, 14], max_reminders=1)
    launch(survey)
    mailoutbox.clear()

    time_machine.move_to(start + timedelta(days=7, minutes=5), tick=False)
    plan()
    time_machine.move_to(start + timedelta(days=14, minutes=5), tick=False)
    plan()

    assert len(mailoutbox) == 2  # one reminder each, not two
    assert survey.reminder_rounds.count() == 2
    with pytest.raises(ValidationError) as error:
        delivery.survey_remind(by=coordinator, survey=survey, last_round_number=2)
    assert "Niemand" in error.value.messages[0]


def test_reminders_plan_counts_a_failed_reminder_towards_the_most(
    plan, launch, mailoutbox, time_machine
):
    # A reminder that failed may have arrived after all; and "send again" exists.
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = survey_with_recipients(1, reminder_days=[7, 14], max_reminders=1)
    launch(survey)
    time_machine.move_to(start + timedelta(days=7, minutes=5), tick=False)
    plan()
    Mail.objects.filter(kind=Mail.Kind.REMINDER).update(status=Mail.Status.FAILED)
    mailoutbox.clear()

    time_machine.move_to(start + timedelta(days=14, minutes=5), tick=False)
    plan()

    assert mailoutbox == []
    assert Mail.objects.filter(kind=Mail.Kind.REMINDER).count() == 1


def test_reminders_plan_after_an_outage_sends_one_reminder_not_two(
    plan, launch, mailoutbox, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = survey_with_recipients(1, reminder_days=[7, 14], max_reminders=2)
    launch(survey)
    mailoutbox.clear()

    time_machine.move_to(start + timedelta(days=15), tick=False)
    plan()
    plan()

    assert len(mailoutbox) == 1
    assert list(ReminderRound.objects.values_list("day", flat=True)) == [14]


def test_survey_remind_twice_with_the_same_round_number_reminds_once(
    coordinator, launch, remind, mailoutbox
):
    survey = survey_with_recipients(2)
    launch(survey)
    mailoutbox.clear()

    first = remind(survey, 0)
    second = remind(survey, 0)  # a double click, or a second tab

    assert (first.number, first.day, first.created_by) == (1, None, coordinator)
    assert second is None
    assert len(mailoutbox) == 2
    assert Mail.objects.filter(kind=Mail.Kind.REMINDER).count() == 2


def test_reminder_mail_is_cancelled_when_the_person_answered_meanwhile(
    coordinator, launch, mailoutbox
):
    survey = survey_with_recipients(1)
    launch(survey)
    delivery.survey_remind(by=coordinator, survey=survey, last_round_number=0)
    reminder = Mail.objects.get(kind=Mail.Kind.REMINDER)
    Invitation.objects.update(has_responded=True)
    mailoutbox.clear()

    delivery.mails_send(mail_ids=[reminder.pk])

    reminder.refresh_from_db()
    assert (reminder.status, reminder.error) == (Mail.Status.CANCELLED, "Bereits geantwortet")
    assert mailoutbox == []


# --- Closing --------------------------------------------------------------------------


def test_survey_close_cancels_queued_mails_and_is_idempotent(coordinator, mailoutbox):
    survey = running(survey_with_recipients(3))

    delivery.survey_close(by=coordinator, survey=survey)
    delivery.survey_close(by=coordinator, survey=survey)
    delivery.mails_sweep()

    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    assert survey.closed_at is not None
    assert set(Mail.objects.values_list("status", "error")) == {("cancelled", "Umfrage beendet")}
    assert mailoutbox == []


def test_survey_close_refuses_a_draft(coordinator):
    with pytest.raises(ValidationError):
        delivery.survey_close(by=coordinator, survey=SurveyFactory())


def test_mails_sweep_closes_surveys_past_their_closing_day(launch, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    survey = survey_with_recipients(1)
    launch(survey)

    time_machine.move_to(survey.closes_at - timedelta(minutes=1), tick=False)
    assert delivery.mails_sweep().closed == 0
    time_machine.move_to(survey.closes_at + timedelta(minutes=1), tick=False)
    assert delivery.mails_sweep().closed == 1

    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


# --- The mail -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("salutation", "title", "expected"),
    [
        (Person.Salutation.MS, "Dr.", "Sehr geehrte Frau Dr. Müller,"),
        (Person.Salutation.MR, "", "Sehr geehrter Herr Müller,"),
        (Person.Salutation.NONE, "", "Guten Tag Kim Müller,"),
    ],
)
def test_invitation_mail_greets_the_person(salutation, title, expected, launch, mailoutbox):
    survey = SurveyFactory()
    QuestionFactory(survey=survey)
    person = consenting_person(
        salutation=salutation, title=title, first_name="Kim", last_name="Müller"
    )
    InvitationFactory(survey=survey, person=person)

    launch(survey)

    assert mailoutbox[0].body.startswith(expected + "\n")


def test_invitation_mail_has_link_dates_sender_opt_out_and_headers(client, launch, mailoutbox):
    survey = survey_with_recipients(
        1,
        title="Bedarfsabfrage Sprachkurse & Beratung",
        closes_on=timezone.localdate() + timedelta(days=20),
        contact_name="Anna Koordination",
        contact_email="integration@wiesenbrueck.example",
        is_anonymous=True,
    )
    invitation = survey.invitations.get()

    launch(survey)

    [message] = mailoutbox
    body = message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject == "Umfrage: Bedarfsabfrage Sprachkurse & Beratung"
    assert message.to == [invitation.person.email]
    # One absolute link to the survey, and it is the invitation's.
    links = LINK.findall(body)
    assert len(links) == 1
    assert tokens.token_hash(links[0]) == invitation.token_hash
    assert LINK.findall(html) == links
    assert OPT_OUT.findall(body) == links
    # Who asks, why, until when, whether anonymous, how to reach them.
    assert "Anna Koordination" in body
    assert "Stadt Wiesenbrück" in body
    assert survey.introduction in body
    with translation.override("de"):
        assert formats.date_format(survey.closes_on, "DATE_FORMAT") in body
    assert "anonym" in body
    assert "integration@wiesenbrueck.example" in body
    assert "Sprachkurse &amp; Beratung" in html
    opt_out_url = f"https://integration.example.org/surveys/r/{links[0]}/opt-out/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{opt_out_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Reply-To"] == "integration@wiesenbrueck.example"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    # The link opens the survey without a login.
    response = client.get(f"/surveys/r/{links[0]}/")
    assert response.status_code == 200
    assert escape(survey.title) in response.content.decode()


def test_reminder_mail_repeats_the_same_link(launch, remind, mailoutbox):
    survey = survey_with_recipients(1)
    launch(survey)
    remind(survey, 0)

    invitation_mail, reminder_mail = mailoutbox
    assert LINK.findall(reminder_mail.body) == LINK.findall(invitation_mail.body)
    assert reminder_mail.subject == f"Erinnerung: {survey.title}"
    assert "List-Unsubscribe" in reminder_mail.extra_headers
