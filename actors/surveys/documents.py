"""The content of the survey results: shared by the results page and the committee report.

``survey_results_context`` gathers the figures, the response curve, the rates
per group and the answers per question, each with its chart as inline SVG;
``survey_report_context`` adds what the PDF for the committee shows besides.
A fixed number of queries, whatever the number of responses or questions.
``SurveyReport`` makes that report a stored document, compiled by a worker.
"""

import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from actors.models import Circle
from integration.core.models import FieldOfAction
from integration.documents.registry import DocumentKind, register, stamp
from integration.documents.rendering import pdf_render

from . import charts
from .models import Answer, Invitation, Question, Response, Survey
from .selectors.builder import surveys_visible_to
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


# ---------------------------------------------------------------------------
# The report as a stored document, compiled by the machinery (integration.documents)


def survey_report_filename(*, survey: Survey) -> str:
    """ "umfrage-bedarfsabfrage-runder-tisch-2026-bericht.pdf"."""
    slug = slugify(survey.title) or str(survey.pk)
    return gettext("survey-%(slug)s-report.pdf") % {"slug": slug}


def _answers_digest(survey: Survey) -> str:
    """SHA-256 of every answer's values, in one query: answers carry no ``updated_at``
    (no time of an answer is kept), and a recipient may change theirs by the link."""
    digest = hashlib.sha256()
    rows = (
        Answer.objects.filter(response__survey=survey)
        .order_by("pk")
        .values_list("pk", "question_id", "text", "number", "boolean", "choices", "other_text")
    )
    for row in rows:
        digest.update(repr(row).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@register
class SurveyReport(DocumentKind):
    """The results report of a survey for the committee (see ``survey_report_context``)."""

    key = "surveys.survey_report"
    title = gettext_lazy("Survey report")
    subject_model = Survey
    variants = ("standard",)
    version = "1"

    def subject_label(self, subject, variant):
        return gettext("Survey report: %(title)s") % {"title": subject.title}

    def fingerprint_inputs(self, subject, variant):
        # ``subject`` was just loaded (by the view or the compile task).
        survey = subject
        return "\n".join(
            [
                settings.MUNICIPALITY_NAME,
                str(MIN_GROUP_ANSWERS),
                survey.updated_at.isoformat(),
                stamp(Question.objects.filter(survey=survey)),
                stamp(Invitation.objects.filter(survey=survey)),
                str(Response.objects.filter(survey=survey).count()),
                repr(list(survey.response_days.order_by("day").values_list("day", "responses"))),
                _answers_digest(survey),
                # Names printed by the charts and the rates per group.
                stamp(FieldOfAction.objects.all()),
                stamp(Circle.objects.all()),
            ]
        )

    def render(self, subject, variant, progress):
        progress(10)
        context = survey_report_context(survey=subject)
        progress(40)
        return pdf_render(template="surveys/documents/survey_report.html", context=context)

    def filename(self, subject, variant):
        return survey_report_filename(survey=subject)

    def can_view(self, user, subject, variant):
        # Whoever may open the results page: the survey among those visible to the user.
        return surveys_visible_to(user=user).filter(pk=subject.pk).exists()
