"""Demo links of the concept to the needs surveys: the questions that asked about a
measure (the surveys' demo runs before the concept's)."""

from actors.surveys.demo import CLOSED_TITLE, RUNNING_TITLE
from actors.surveys.models import Question

from ..selectors.updates import current_measures

# survey title, question position → the title of the measure it asks about
QUESTION_MEASURES = (
    (CLOSED_TITLE, 2, "Zentrale Anlaufstelle Integration im Rathaus"),
    (CLOSED_TITLE, 4, "Runder Tisch Integration"),
    (RUNNING_TITLE, 1, "Integrationskurse mit Kinderbetreuung"),
    (RUNNING_TITLE, 2, "Integrationskurse mit Kinderbetreuung"),
)


def seed() -> dict:
    """Link the demo surveys' questions to measures of the current concept; idempotent."""
    linked = 0
    for survey_title, position, measure_title in QUESTION_MEASURES:
        question = Question.objects.filter(survey__title=survey_title, position=position).first()
        measure = current_measures().filter(title=measure_title).first()
        if question and measure:
            question.measures.add(measure)
            linked += 1
    return {"survey questions linked": linked}
