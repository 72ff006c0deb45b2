"""Monitoring: the overview per field of action, indicators with their chart, observations."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from integration.core.mixins import ServiceFormMixin
from integration.core.models import FieldOfAction

from ..charts import indicator_chart_svg, indicator_sparkline_svg, period_display, value_display
from ..forms_monitoring import IndicatorForm, ObservationForm
from ..models import Indicator, Observation
from ..selectors import monitoring as selectors
from ..services import monitoring as services


def _figures(status: selectors.IndicatorStatus) -> dict:
    """What a row of the overview writes: latest value, its period, the target, with units."""
    indicator, latest = status.indicator, status.latest
    return {
        "status": status,
        "latest_display": value_display(latest.value, indicator.unit) if latest else "",
        "latest_period": period_display(latest) if latest else "",
        "previous_display": value_display(status.previous.value, indicator.unit)
        if status.previous
        else "",
        "target_display": value_display(indicator.target_value, indicator.unit),
    }


class MonitoringOverviewView(PermissionRequiredMixin, TemplateView):
    """Per field of action its indicators: latest value against the target, trend, sparkline."""

    permission_required = "measures.view_indicator"
    template_name = "measures/monitoring/overview.html"

    def get_context_data(self, **kwargs):
        fields = []
        for entry in selectors.monitoring_overview():
            rows = []
            for status in entry.indicators:
                indicator = status.indicator
                rows.append(
                    _figures(status)
                    | {
                        "sparkline": indicator_sparkline_svg(
                            indicator=indicator,
                            observations=status.observations,
                            id_prefix=f"spark-{indicator.pk}",
                        )
                    }
                )
            fields.append({"field_of_action": entry.field_of_action, "rows": rows})
        return super().get_context_data(**kwargs) | {"fields": fields}


class IndicatorDetailView(PermissionRequiredMixin, DetailView):
    """The chart, the table of observations (newest first), the target and the source."""

    permission_required = "measures.view_indicator"
    template_name = "measures/monitoring/indicator_detail.html"
    context_object_name = "indicator"

    def get_queryset(self):
        return selectors.indicators_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        indicator = self.object
        observations = list(
            selectors.observations_visible_to(user=self.request.user).filter(indicator=indicator)
        )
        status = selectors.indicator_status(indicator, observations)
        rows = [
            {
                "observation": observation,
                "period": period_display(observation),
                "value": value_display(observation.value, indicator.unit),
            }
            for observation in reversed(status.observations)
        ]
        return (
            super().get_context_data(**kwargs)
            | _figures(status)
            | {
                "chart": indicator_chart_svg(
                    indicator=indicator,
                    observations=status.observations,
                    id_prefix=f"indicator-{indicator.pk}",
                ),
                "rows": rows,
            }
        )


class IndicatorFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    form_class = IndicatorForm
    template_name = "measures/monitoring/indicator_form.html"

    def _data(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class IndicatorCreateView(IndicatorFormMixin, CreateView):
    permission_required = "measures.add_indicator"
    success_message = gettext_lazy("Indicator “%(name)s” was added.")

    def get_initial(self):
        # The overview's "add" link per field of action names it.
        field = FieldOfAction.objects.filter(pk=self.request.GET.get("field") or None).first()
        return {"field_of_action": field} if field else {}

    def save(self, form):
        return services.indicator_create(by=self.request.user, **self._data(form))


class IndicatorUpdateView(IndicatorFormMixin, UpdateView):
    permission_required = "measures.change_indicator"
    success_message = gettext_lazy("Indicator “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.indicators_visible_to(user=self.request.user)

    def save(self, form):
        stored = Indicator.objects.get(pk=self.object.pk)
        return services.indicator_update(by=self.request.user, indicator=stored, **self._data(form))


class ObservationFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    form_class = ObservationForm
    template_name = "measures/monitoring/observation_form.html"

    def get_success_url(self):
        return self.object.indicator.get_absolute_url()

    def _data(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class ObservationCreateView(ObservationFormMixin, CreateView):
    permission_required = "measures.add_observation"
    success_message = gettext_lazy("The value was recorded.")

    def get_indicator(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            self._indicator = get_object_or_404(
                selectors.indicators_visible_to(user=self.request.user), pk=self.kwargs["pk"]
            )
        return self._indicator

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"indicator": self.get_indicator()}

    def save(self, form):
        return services.observation_create(
            by=self.request.user, indicator=self.get_indicator(), **self._data(form)
        )


class ObservationUpdateView(ObservationFormMixin, UpdateView):
    permission_required = "measures.change_observation"
    success_message = gettext_lazy("The value was saved.")

    def get_queryset(self):
        return selectors.observations_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"indicator": self.object.indicator}

    def save(self, form):
        stored = Observation.objects.get(pk=self.object.pk)
        return services.observation_update(
            by=self.request.user, observation=stored, **self._data(form)
        )


class ObservationDeleteView(PermissionRequiredMixin, DetailView):
    """GET asks for confirmation; POST deletes and returns to the indicator."""

    permission_required = "measures.delete_observation"
    template_name = "measures/monitoring/observation_confirm_delete.html"
    context_object_name = "observation"

    def get_queryset(self):
        return selectors.observations_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        observation = self.object
        return super().get_context_data(**kwargs) | {
            "indicator": observation.indicator,
            "period": period_display(observation),
            "value": value_display(observation.value, observation.indicator.unit),
        }

    def post(self, request, *args, **kwargs):
        observation = self.get_object()
        services.observation_delete(by=request.user, observation=observation)
        messages.success(request, gettext("The value was deleted."))
        return redirect(observation.indicator.get_absolute_url())
