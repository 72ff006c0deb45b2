"""The content of the survey results: shared by the results page and the committee report.

``survey_results_context`` gathers the figures, the response curve, the rates
per group and the answers per question, each with its chart as inline SVG;
``survey_report_context`` adds what the PDF for the committee shows besides.
A fixed number of queries, whatever the number of responses or questions.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import charts
from .models import Survey
from .selectors.results import (
    MIN_GROUP_ANSWERS,
    question_results,
    response_breakdown,
    response_curve,
    survey_figures,
)


def survey_results_context(*, survey: Survey) -> dict:
    """The results of ``survey`` as template context (see the module docstring)."""
    curve = response_curve(survey=survey)
    results = question_results(survey=survey)
    return {
        "survey": survey,
        "figures": survey_figures(survey=survey),
        "curve": curve,
        # ElementTree escapes every label and answer it writes into the charts.
        "curve_chart": mark_safe(charts.response_curve_chart(curve)),  # noqa: S308
        "breakdown": response_breakdown(survey=survey),
        "results": results,
        "questions": [
            {
                "result": result,
                "chart": mark_safe(  # noqa: S308
                    charts.question_chart(result, id_prefix=f"question-{result.number}")
                ),
            }
            for result in results.questions
        ],
        "min_group_answers": MIN_GROUP_ANSWERS,
    }


def survey_report_context(*, survey: Survey) -> dict:
    """The committee report: the results plus municipality, period and the report's date."""
    return survey_results_context(survey=survey) | {
        "title": survey.title,
        "municipality": settings.MUNICIPALITY_NAME,
        "period": (survey.opens_on, survey.closes_on),
        "is_anonymous": survey.is_anonymous,
        "generated_at": timezone.localtime(),
    }
