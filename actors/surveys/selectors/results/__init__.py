"""Results of a survey: headline figures, the response curve, rates per group, the
answers per question, and the rows of the export.

Every function runs a fixed number of queries, whatever the number of
invitations, responses or questions; the aggregates are computed in Python
from one ``values()`` query over the answers.

Anonymity (see the models' docstrings): nothing here reads a time or an order
of responses, and nothing ties a response to an invitation in an anonymous
survey. Groups (circles, kinds of organisation) with fewer than
``MIN_GROUP_ANSWERS`` answers show neither their count of answers nor their
rate, and an anonymous survey with fewer than that many responses shows no
per-question results at all: the free texts of one or two people would
otherwise be attributable by elimination. Free texts are listed sorted
alphabetically, never in the order they came in.
"""

from integration.core.numbers import decimal_display, number_display, percent_display

from .answers import OptionCount, QuestionResult, QuestionResults, question_results
from .export import ResponseTable, response_table
from .figures import (
    MIN_GROUP_ANSWERS,
    CurvePoint,
    GroupRate,
    ResponseBreakdown,
    ResponseCurve,
    SurveyFigures,
    alphabetical,
    response_breakdown,
    response_curve,
    survey_figures,
)

__all__ = [
    "MIN_GROUP_ANSWERS",
    "CurvePoint",
    "GroupRate",
    "OptionCount",
    "QuestionResult",
    "QuestionResults",
    "ResponseBreakdown",
    "ResponseCurve",
    "ResponseTable",
    "SurveyFigures",
    "alphabetical",
    "decimal_display",
    "number_display",
    "percent_display",
    "question_results",
    "response_breakdown",
    "response_curve",
    "response_table",
    "survey_figures",
]
