"""Screens of the network: the overview and the organisations."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView
from django_filters.views import FilterView

from integration.core.mixins import ServiceFormMixin

from .. import selectors
from ..filters import OrganisationFilterSet
from ..forms import OrganisationForm
from ..models import Organisation
from ..services import network
from .common import (
    LIST_PAGE_SIZE,
    ArchiveMixin,
    ConfirmActionView,
    history_context,
)


class NetworkIndexView(PermissionRequiredMixin, TemplateView):
    permission_required = "actors.view_organisation"
    template_name = "actors/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.network_figures(user=self.request.user)
        context["circles"] = selectors.circle_list(user=self.request.user).filter(is_archived=False)
        return context


# Organisations


class OrganisationListView(PermissionRequiredMixin, FilterView):
    permission_required = "actors.view_organisation"
    filterset_class = OrganisationFilterSet
    template_name = "actors/organisation_list.html"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.organisation_list(user=self.request.user)


class OrganisationDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "actors.view_organisation"
    template_name = "actors/organisation_detail.html"

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user).prefetch_related(
            "fields_of_action"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        affiliations = selectors.organisation_affiliations(organisation=organisation)
        memberships = list(organisation.circle_memberships.select_related("circle"))
        context |= {
            "current_affiliations": [a for a in affiliations if selectors.is_current(a)],
            "former_affiliations": [a for a in affiliations if not selectors.is_current(a)],
            "current_memberships": [m for m in memberships if selectors.is_current(m)],
            "former_memberships": [m for m in memberships if not selectors.is_current(m)],
        }
        context |= history_context(
            self.request, selectors.organisation_history(organisation=organisation)
        )
        return context


class OrganisationFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Organisation
    form_class = OrganisationForm
    template_name = "actors/organisation_form.html"

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data.pop("fields_of_action")
        return data


class OrganisationCreateView(OrganisationFormMixin, CreateView):
    permission_required = "actors.add_organisation"
    success_message = gettext_lazy("Organisation “%(name)s” was created.")

    def save(self, form):
        return network.organisation_create(
            by=self.request.user,
            fields_of_action=list(form.cleaned_data["fields_of_action"]),
            **self._data(form),
        )


class OrganisationUpdateView(OrganisationFormMixin, UpdateView):
    permission_required = "actors.change_organisation"
    success_message = gettext_lazy("Organisation “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def save(self, form):
        # The form already applied the values to its instance; the service gets
        # the stored row and applies the change itself.
        stored = self.get_queryset().get(pk=self.object.pk)
        return network.organisation_update(
            by=self.request.user,
            organisation=stored,
            fields_of_action=list(form.cleaned_data["fields_of_action"]),
            **self._data(form),
        )


class OrganisationArchiveView(ArchiveMixin, ConfirmActionView):
    permission_required = "actors.change_organisation"

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def act(self):
        network.organisation_update(
            by=self.request.user, organisation=self.object, is_archived=self.archive
        )
