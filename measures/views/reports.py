"""The old address of the concept status report: now a stored document."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.views.generic import RedirectView

from ..documents import ConceptReport, concept_report_variant
from .common import VersionMixin


class ConceptReportView(PermissionRequiredMixin, VersionMixin, RedirectView):
    """To the report's document page, in the variant the user may read; it is compiled
    there in the background (progress, then the download), so nothing waits here."""

    permission_required = "measures.view_measure"

    def get_redirect_url(self, *args, **kwargs):
        version = self.get_version()
        return reverse(
            "documents:document_detail",
            kwargs={
                "kind": ConceptReport.key,
                "subject": version.pk,
                "variant": concept_report_variant(user=self.request.user),
            },
        )
