"""Shared pieces of the delivery tests: surveys with recipients, the scripted mail
backend; the fixtures live in conftest.py."""

from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from actors.surveys.models import Survey
from actors.surveys.services.delivery.outbox import invitation_mails_create

from .factories import InvitationFactory, QuestionFactory, SurveyFactory, consenting_person


def survey_with_recipients(count: int = 3, **kwargs) -> Survey:
    survey = SurveyFactory(**kwargs)
    QuestionFactory(survey=survey)
    for _ in range(count):
        InvitationFactory(survey=survey, person=consenting_person())
    return survey


def running(survey: Survey) -> Survey:
    """Mark a survey running and make its outbox rows without sending them."""
    Survey.objects.filter(pk=survey.pk).update(
        status=Survey.Status.RUNNING, launched_at=timezone.now()
    )
    survey.refresh_from_db()
    invitation_mails_create(survey)
    return survey


class ScriptedBackend(EmailBackend):
    """The in-memory backend, but each message takes the next outcome of ``script``:
    None sends it, an exception is raised, a function is called (something that
    happens meanwhile) and the message sent. Counts how often connections are opened."""

    script: list = []
    opened = 0
    open_error: Exception | None = None

    def open(self):
        if ScriptedBackend.open_error is not None:
            raise ScriptedBackend.open_error
        ScriptedBackend.opened += 1
        return True

    def send_messages(self, messages):
        if ScriptedBackend.script:
            outcome = ScriptedBackend.script.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is not None:
                outcome()
        return super().send_messages(messages)


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)
