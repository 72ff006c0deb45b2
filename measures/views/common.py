"""Shared pieces of the concept's screens: looking up a version, goal or measure within
what the user may read. Other view modules of ``measures`` import these mixins."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from ..models import ConceptVersion, Goal, Measure
from ..selectors import catalogue as selectors
from ..services import catalogue as services


class VersionMixin:
    """``self.version``: the readable version named by ``pk`` in the URL."""

    version_url_kwarg = "pk"

    def get_version(self) -> ConceptVersion:
        if not hasattr(self, "_version"):
            self._version = get_object_or_404(
                selectors.versions_visible_to(user=self.request.user),
                pk=self.kwargs[self.version_url_kwarg],
            )
        return self._version

    @property
    def version(self) -> ConceptVersion:
        return self.get_version()


class GoalMixin:
    """``self.goal``: the readable goal named by ``pk``, with its version."""

    def get_goal(self) -> Goal:
        if not hasattr(self, "_goal"):
            self._goal = get_object_or_404(
                selectors.goals_visible_to(user=self.request.user), pk=self.kwargs["pk"]
            )
        return self._goal


class MeasureMixin:
    """``self.get_measure()``: the readable measure named by ``pk``, with goal and version."""

    def get_measure(self) -> Measure:
        if not hasattr(self, "_measure"):
            self._measure = get_object_or_404(
                selectors.measures_visible_to(user=self.request.user), pk=self.kwargs["pk"]
            )
        return self._measure


class EditableVersionMixin:
    """A form view that writes into a version: an adopted one sends the user back with a
    message instead of a form (the services refuse the write anyway)."""

    def edited_version(self) -> ConceptVersion:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        version = self.edited_version()
        try:
            services.version_check_editable(version)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(version.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)
