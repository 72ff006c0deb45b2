"""Shared pieces of the coordinator's survey screens."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect

from ..selectors.builder import surveys_visible_to


class SurveyScopedMixin(PermissionRequiredMixin):
    """A view below one survey: ``self.survey`` is the survey of the URL's ``pk`` among
    those the user may see; another pk is a 404. The permission is checked first."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.survey = get_object_or_404(surveys_visible_to(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"survey": self.survey}


def draft_required(request, survey, message: str):
    """A redirect to the survey's page with ``message`` when it is no draft any more,
    else ``None``: pages that only make sense before the launch say so at once."""
    if survey.is_editable:
        return None
    messages.error(request, message)
    return redirect(survey)
