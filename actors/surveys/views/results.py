"""Results of a survey: the page, the CSV/XLSX export of the answers and the committee report."""

from decimal import Decimal

import tablib
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import RedirectView, TemplateView

from integration.core import tabular
from integration.documents.selectors import document_states

from ..documents import SurveyReport, survey_results_context
from ..selectors.results import response_table
from .common import SurveyScopedMixin


class SurveyResultsView(SurveyScopedMixin, TemplateView):
    """Figures, response curve, rates per group and the answers per question.

    "Live" in the simple way: the page says when it was made and offers a
    refresh link; a constant number of queries however many answers came in.
    """

    permission_required = "surveys.view_survey"
    template_name = "surveys/survey_results.html"

    def get_context_data(self, **kwargs):
        return (
            super().get_context_data(**kwargs)
            | survey_results_context(survey=self.survey)
            | {"now": timezone.localtime()}
            | document_states(
                user=self.request.user,
                specs={"report_document": (SurveyReport.key, self.survey, "standard")},
            )
        )


def _slug(survey) -> str:
    return slugify(survey.title) or str(survey.pk)


def _csv_cell(value):
    # German spreadsheets read "3.5" as a date; decimals get a comma in CSV.
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True)
    return value


class SurveyExportView(SurveyScopedMixin, View):
    """The answers as CSV or XLSX: one row per response, one column per question.

    Anonymous surveys hold no person, id or time and are sorted by the answers;
    named ones add the person's name, email and organisations. Cells are
    protected against formula injection by ``tabular.dataset_response``.
    """

    permission_required = "surveys.view_survey"

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in tabular.FORMATS:
            raise Http404
        table = response_table(survey=self.survey)
        dataset = tablib.Dataset(title=_("Answers")[:31])
        dataset.headers = table.headers
        for row in table.rows:
            dataset.append([_csv_cell(value) for value in row] if fmt == "csv" else row)
        filename = _("survey-%(slug)s-results") % {"slug": _slug(self.survey)}
        return tabular.dataset_response(dataset, fmt, filename)


class SurveyReportView(SurveyScopedMixin, RedirectView):
    """The old address of the committee report: to the report's document page, where it
    is compiled in the background (progress, then the download); nothing waits here."""

    permission_required = "surveys.view_survey"

    def get_redirect_url(self, *args, **kwargs):
        return reverse(
            "documents:document_detail",
            kwargs={"kind": SurveyReport.key, "subject": self.survey.pk, "variant": "standard"},
        )
