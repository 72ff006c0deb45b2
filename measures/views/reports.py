"""The concept status report for the committee as PDF."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views import View

from integration.documents.rendering import pdf_render

from ..documents import concept_report_context, report_filename
from .common import VersionMixin


class ConceptReportView(PermissionRequiredMixin, VersionMixin, View):
    """The status report of a version as a PDF download.

    Rendered synchronously for now, like the survey report; the PDF issue moves
    it into a Celery task with stored documents and the letterhead.
    """

    permission_required = "measures.view_measure"

    def get(self, request, *args, **kwargs):
        version = self.get_version()
        # The report is German whatever the browser asks for, charts included.
        with translation.override("de"):
            context = concept_report_context(version=version, user=request.user)
            pdf = pdf_render(template="measures/documents/concept_report.html", context=context)
            filename = report_filename(version=version)
        response = HttpResponse(pdf, content_type="application/pdf")
        response.headers["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
