"""The concept's figures on the dashboard: two queries, whatever the number of measures."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from integration.core.selectors import DashboardFigure

from .models import Measure
from .selectors.updates import current_version_ids


def figures(*, user) -> list[DashboardFigure]:
    """Measures of the current versions, and how many are implemented or in progress."""
    if not user.has_perm("measures.view_measure"):
        return []
    counts = Measure.objects.filter(goal__version_id__in=current_version_ids()).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Measure.Status.DONE)),
        in_progress=Count("pk", filter=Q(status=Measure.Status.IN_PROGRESS)),
    )
    url = reverse("measures:index")
    return [
        DashboardFigure(_("Measures of the concept"), counts["total"], url),
        DashboardFigure(
            _("of them implemented"), counts["done"], f"{url}?status={Measure.Status.DONE}"
        ),
        DashboardFigure(
            _("of them in progress"),
            counts["in_progress"],
            f"{url}?status={Measure.Status.IN_PROGRESS}",
        ),
    ]
