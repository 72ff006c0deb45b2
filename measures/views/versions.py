"""Versions of the concept: the list, starting a revision, adopting it, comparing two."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from integration.core.mixins import add_service_error

from ..forms import VersionAdoptForm
from ..selectors import catalogue as selectors
from ..services import catalogue as services
from .common import VersionMixin


class VersionListView(PermissionRequiredMixin, ListView):
    permission_required = "measures.view_conceptversion"
    template_name = "measures/version_list.html"
    context_object_name = "versions"

    def get_queryset(self):
        return selectors.version_list(user=self.request.user).order_by(
            "concept__title", "concept_id", "-created_at", "-pk"
        )


class VersionReviseView(PermissionRequiredMixin, VersionMixin, View):
    """POST only: start a revision of an adopted version."""

    permission_required = "measures.change_conceptversion"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        try:
            revision = services.version_revise(by=request.user, version=version)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(version.get_absolute_url())
        messages.success(
            request,
            _("The revision “%(label)s” was started: a copy of the catalogue to work on.")
            % {"label": revision.label},
        )
        return redirect(revision.get_absolute_url())


class VersionAdoptView(PermissionRequiredMixin, VersionMixin, FormView):
    permission_required = "measures.change_conceptversion"
    form_class = VersionAdoptForm
    template_name = "measures/version_adopt.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        version = self.get_version()
        if not version.is_editable:
            messages.error(request, _("This version is adopted already."))
            return redirect(version.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"version": self.get_version()}

    def form_valid(self, form):
        try:
            version = services.version_adopt(
                by=self.request.user, version=self.get_version(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(label)s” was adopted.") % {"label": version.label})
        return redirect(version.get_absolute_url())


class VersionCompareView(PermissionRequiredMixin, VersionMixin, TemplateView):
    """What changed from version ``pk`` to version ``other``."""

    permission_required = "measures.view_conceptversion"
    template_name = "measures/version_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        old = self.get_version()
        new = get_object_or_404(
            selectors.versions_visible_to(user=self.request.user), pk=self.kwargs["other"]
        )
        context |= {
            "version": old,
            "other": new,
            "comparison": selectors.version_compare(old=old, new=new),
        }
        return context
