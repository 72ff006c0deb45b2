"""Results of a survey: the page, the CSV/XLSX export of the answers and the committee report."""

from decimal import Decimal

import tablib
from django.http import Http404, HttpResponse
from django.utils import formats, timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from integration.core import tabular
from integration.documents.rendering import pdf_render

from ..documents import survey_report_context, survey_results_context
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


class SurveyReportView(SurveyScopedMixin, View):
    """The results report for the committee as PDF, shown in the browser.

    Rendered synchronously for now; the PDF issue moves this into a Celery task
    with stored documents (status, fingerprint), and this view will then serve
    the stored file or the progress page.
    """

    permission_required = "surveys.view_survey"

    def get(self, request, *args, **kwargs):
        # The report is German whatever the browser asks for, charts included.
        with translation.override("de"):
            context = survey_report_context(survey=self.survey)
            pdf = pdf_render(template="surveys/documents/survey_report.html", context=context)
            filename = _("survey-%(slug)s-report.pdf") % {"slug": _slug(self.survey)}
        response = HttpResponse(pdf, content_type="application/pdf")
        response.headers["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=filename
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
