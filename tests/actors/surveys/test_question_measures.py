"""Survey questions name the measures of the integration concept they ask about."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.surveys.models import Survey
from actors.surveys.services import builder
from measures.models import ConceptVersion

from ...measures.factories import ConceptVersionFactory, GoalFactory, MeasureFactory
from .factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    """An adopted version (current) with measure 2.3 and an older one with its copy."""
    old = ConceptVersionFactory(adopted_on="2009-06-01")
    current = ConceptVersionFactory(concept=old.concept, adopted_on="2026-03-12")
    old_measure = MeasureFactory(goal=GoalFactory(version=old, number=2), number=3)
    measure = MeasureFactory(
        goal=GoalFactory(version=current, number=2),
        number=3,
        key=old_measure.key,
        title="Sprachcafés ausbauen",
    )
    return {"old": old_measure, "current": measure}


def test_question_form_links_measures_of_the_current_concept(django_app, coordinator, versions):
    survey = SurveyFactory()
    url = reverse("surveys:question_create", args=[survey.pk]) + "?kind=yes_no"
    form = django_app.get(url, user=coordinator).forms["question-form"]
    offered = [label for _, _, label in form["measures"].options]
    assert offered == ["2.3 Sprachcafés ausbauen"]  # not the copy in the old version
    form["text"] = "Brauchen Sie ein Sprachcafé?"
    form["measures"] = [str(versions["current"].pk)]
    form.submit().follow()
    assert list(survey.questions.get().measures.all()) == [versions["current"]]


def test_question_create_refuses_measures_of_an_old_version(coordinator, versions):
    with pytest.raises(ValidationError, match="aktuellen Integrationskonzepts"):
        builder.question_create(
            by=coordinator,
            survey=SurveyFactory(),
            kind="yes_no",
            text="Frage",
            measures=[versions["old"]],
        )


def test_survey_copy_links_the_current_copies_of_the_measures(coordinator, versions):
    question = QuestionFactory(survey=SurveyFactory())
    question.measures.set([versions["old"]])
    copy = builder.survey_copy(by=coordinator, survey=question.survey)
    assert list(copy.questions.get().measures.all()) == [versions["current"]]


def test_measure_detail_lists_the_questions_of_launched_surveys(
    django_app, committee_member, versions
):
    asked = QuestionFactory(
        survey=SurveyFactory(title="Bedarfsabfrage Runder Tisch", status=Survey.Status.CLOSED),
        text="Welche Sprachangebote fehlen?",
    )
    asked.measures.set([versions["old"]])  # a copy: found by the key
    draft = QuestionFactory(survey=SurveyFactory(title="Entwurf"), text="Noch nicht gestellt")
    draft.measures.set([versions["current"]])
    page = django_app.get(
        reverse("measures:measure_detail", args=[versions["current"].pk]), user=committee_member
    )
    section = page.html.select_one(".measure-surveys").get_text(" ", strip=True)
    assert "Bedarfsabfrage Runder Tisch" in section
    assert "Welche Sprachangebote fehlen?" in section
    assert "Noch nicht gestellt" not in page.text
    # Committee members read the question, not the results.
    assert reverse("surveys:survey_results", args=[asked.survey.pk]) not in page.text


def test_revision_is_no_current_version_for_links(coordinator, versions):
    revision = ConceptVersionFactory(
        concept=versions["current"].goal.version.concept,
        status=ConceptVersion.Status.REVISION,
        adopted_on=None,
    )
    draft_measure = MeasureFactory(goal=GoalFactory(version=revision, number=9))
    with pytest.raises(ValidationError):
        builder.question_create(
            by=coordinator,
            survey=SurveyFactory(),
            kind="yes_no",
            text="F",
            measures=[draft_measure],
        )
