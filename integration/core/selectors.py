"""Read queries of the core app."""

from dataclasses import dataclass

from django.db.models import QuerySet

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
    """The figures of the dashboard that ``user`` may see, in a constant number of queries.

    Each app contributes through a ``dashboard`` module with ``figures(user=…)``.
    """
    from .discovery import app_modules

    figures = []
    for _config, module in app_modules("dashboard"):
        figures.extend(module.figures(user=user))
    return figures
