"""Fixtures of the survey tests: launching, planning and reminding with what the
commit triggers, and a mail backend whose outcomes a test scripts."""

import pytest

from actors.surveys.models import Survey
from actors.surveys.services import delivery

from .delivery_helpers import ScriptedBackend
from .factories import QuestionFactory
from .respond_helpers import Kind, invite, running_survey


@pytest.fixture
def launch(coordinator, django_capture_on_commit_callbacks):
    """Launch a survey and run what the commit triggers (dispatch, sending)."""

    def run(survey: Survey) -> Survey:
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.survey_launch(by=coordinator, survey=survey)

    return run


@pytest.fixture
def plan(django_capture_on_commit_callbacks):
    """The hourly reminder job, with what its commits trigger."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.reminders_plan()

    return run


@pytest.fixture
def remind(coordinator, django_capture_on_commit_callbacks):
    """The coordinator's "remind now", with what its commit triggers."""

    def run(survey: Survey, last_round_number: int):
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.survey_remind(
                by=coordinator, survey=survey, last_round_number=last_round_number
            )

    return run


@pytest.fixture
def scripted(settings):
    settings.EMAIL_BACKEND = "tests.actors.surveys.delivery_helpers.ScriptedBackend"
    ScriptedBackend.script = []
    ScriptedBackend.opened = 0
    ScriptedBackend.open_error = None
    yield ScriptedBackend
    ScriptedBackend.script = []
    ScriptedBackend.open_error = None


# The recipient pages' survey: running, one required question; and an invitation to it.
@pytest.fixture
def survey():
    survey = running_survey()
    QuestionFactory(survey=survey, kind=Kind.SHORT_TEXT, text="Ihre Funktion?", is_required=True)
    return survey


@pytest.fixture
def invitation(survey):
    return invite(survey)
