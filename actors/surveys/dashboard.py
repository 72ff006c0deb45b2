"""The surveys' figures on the dashboard: one query, whatever the number of surveys."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from integration.core.selectors import DashboardFigure

from .models import Survey


def figures(*, user) -> list[DashboardFigure]:
    if not user.has_perm("surveys.view_survey"):
        return []
    counts = Survey.objects.aggregate(
        running=Count("pk", filter=Q(status=Survey.Status.RUNNING)),
        drafts=Count("pk", filter=Q(status=Survey.Status.DRAFT)),
    )
    url = reverse("surveys:index")
    return [
        DashboardFigure(_("Running surveys"), counts["running"], url),
        DashboardFigure(_("Survey drafts"), counts["drafts"], url),
    ]
