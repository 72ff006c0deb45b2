"""Positions (Stellen): the list with totals, a position's detail with its job profile, forms."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from integration.core.mixins import ServiceFormMixin

from ..forms_positions import PositionFilterForm, PositionForm
from ..models import Position
from ..selectors import positions as selectors
from ..services import positions as services


class PositionListView(PermissionRequiredMixin, TemplateView):
    permission_required = "measures.view_position"
    template_name = "measures/positions/position_list.html"

    def get_context_data(self, **kwargs):
        form = PositionFilterForm(self.request.GET or None)
        status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
        positions, totals = selectors.positions_list(user=self.request.user, status=status)
        return super().get_context_data(**kwargs) | {
            "filter_form": form,
            "filtered": bool(status),
            "positions": positions,
            "totals": totals,
        }


class PositionDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "measures.view_position"
    template_name = "measures/positions/position_detail.html"
    context_object_name = "position"

    def get_queryset(self):
        return selectors.positions_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        position = self.object
        return super().get_context_data(**kwargs) | {
            "size_display": selectors.position_size_display(position),
            "status_badge": selectors.STATUS_BADGES.get(position.status, "text-bg-secondary"),
        }


class PositionFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    form_class = PositionForm
    template_name = "measures/positions/position_form.html"

    def _data(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class PositionCreateView(PositionFormMixin, CreateView):
    permission_required = "measures.add_position"
    success_message = gettext_lazy("Position “%(name)s” was added.")

    def save(self, form):
        return services.position_create(by=self.request.user, **self._data(form))


class PositionUpdateView(PositionFormMixin, UpdateView):
    permission_required = "measures.change_position"
    success_message = gettext_lazy("Position “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.positions_visible_to(user=self.request.user)

    def save(self, form):
        # The form applied the input to its instance; the service loads the stored row.
        stored = Position.objects.get(pk=self.object.pk)
        return services.position_update(by=self.request.user, position=stored, **self._data(form))
