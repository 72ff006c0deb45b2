"""Read queries of the core app."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import FieldOfAction, User


def fieldofaction_list(*, include_archived: bool = False) -> QuerySet[FieldOfAction]:
    """Fields of action in their order; archived ones only when asked for."""
    qs = FieldOfAction.objects.all()
    if not include_archived:
        qs = qs.filter(is_active=True)
    return qs


@dataclass(frozen=True)
class DashboardFigure:
    label: str
    value: int
    url: str = ""


def dashboard_figures(*, user: User) -> list[DashboardFigure]:
    """The figures of the dashboard that ``user`` may see, in a constant number of queries."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    figures = []
    if user.has_perm("core.view_fieldofaction"):
        counts = FieldOfAction.objects.aggregate(
            active=Count("pk", filter=Q(is_active=True)),
        )
        figures.append(
            DashboardFigure(
                _("Fields of action"), counts["active"], reverse("core:fieldofaction_list")
            )
        )
    return figures
