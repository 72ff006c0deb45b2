"""The core app's figures on the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import FieldOfAction
from .selectors import DashboardFigure


def figures(*, user) -> list[DashboardFigure]:
    if not user.has_perm("core.view_fieldofaction"):
        return []
    active = FieldOfAction.objects.filter(is_active=True).count()
    return [DashboardFigure(_("Fields of action"), active, reverse("core:fieldofaction_list"))]
