"""The Umsetzungsstand: status updates, "Meine Maßnahmen", stale measures and reminders."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from actors.forms import DateInput
from integration.core.mixins import ServiceFormMixin

from ..models import StatusUpdate
from ..selectors.catalogue import measures_visible_to
from ..selectors.updates import (
    can_update,
    coordinators_list,
    my_measures,
    responsible_organisation_ids,
    stale_cutoff,
    stale_groups,
)
from ..services import updates


class StatusUpdateForm(forms.ModelForm):
    class Meta:
        model = StatusUpdate
        fields = ["date", "status", "note"]
        widgets = {
            "date": DateInput,
            "note": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "status": gettext_lazy("The status the measure has reached with this update."),
            "note": gettext_lazy("What happened, what is next, what is in the way."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Progress"), "date", "status", "note"),
            Submit("submit", _("Save")),
        )


class StatusUpdateCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """A new status update of one measure: 403 unless ``can_update`` allows it."""

    permission_required = "measures.add_statusupdate"
    template_name = "measures/statusupdate_form.html"
    form_class = StatusUpdateForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.measure = get_object_or_404(
            measures_visible_to(user=request.user).select_related("lead"), pk=kwargs["pk"]
        )
        if not can_update(user=request.user, measure=self.measure):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"date": timezone.localdate(), "status": self.measure.status}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"measure": self.measure}

    def save(self, form):
        update = updates.statusupdate_record(
            by=self.request.user, measure=self.measure, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("The progress of “%(measure)s” was updated.") % {"measure": self.measure},
        )
        return update

    def get_success_url(self):
        return self.measure.get_absolute_url()


class MyMeasuresView(PermissionRequiredMixin, TemplateView):
    """ "Meine Maßnahmen": the measures the user's departments lead, to keep current."""

    permission_required = "measures.add_statusupdate"
    template_name = "measures/my_measures.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        has_responsibility = bool(responsible_organisation_ids(user=user))
        measures = list(my_measures(user=user)) if has_responsibility else []
        return super().get_context_data(**kwargs) | {
            "measures": measures,
            "departments": list(
                user.responsibilities.select_related("organisation").order_by("organisation__name")
            ),
            "has_responsibility": has_responsibility,
            "coordinators": [] if has_responsibility else coordinators_list(),
            "stale_cutoff": stale_cutoff(),
        }


class StaleMeasuresView(PermissionRequiredMixin, TemplateView):
    """Measures without an update for MEASURE_STALE_MONTHS months, by lead, and
    whom a reminder would reach."""

    permission_required = "measures.change_measure"
    template_name = "measures/stale_list.html"

    def get_context_data(self, **kwargs):
        groups = stale_groups(user=self.request.user)
        return super().get_context_data(**kwargs) | {
            "groups": groups,
            "measure_count": sum(len(group.measures) for group in groups),
            "stale_cutoff": stale_cutoff(),
            "can_remind_any": any(
                group.can_remind and not group.reminded_today for group in groups
            ),
        }


class StaleRemindForm(forms.Form):
    # Empty: every lead with stale measures; else just this one.
    lead = forms.IntegerField(required=False, min_value=1)


class StaleRemindView(PermissionRequiredMixin, View):
    """POST: remind the leads of stale measures by email, each at most once a day."""

    permission_required = "measures.change_measure"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = StaleRemindForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; please reload the page."))
            return redirect("measures:stale_list")
        lead = form.cleaned_data["lead"]
        result = updates.stale_remind(by=request.user, lead_ids=[lead] if lead else None)
        if result.queued:
            messages.success(
                request,
                _("Reminders are being sent to: %(leads)s.")
                % {"leads": ", ".join(str(lead) for lead in result.queued)},
            )
        if result.already_reminded:
            messages.info(
                request,
                _("Already reminded today, nothing sent again: %(leads)s.")
                % {"leads": ", ".join(str(lead) for lead in result.already_reminded)},
            )
        if result.unreachable:
            messages.warning(
                request,
                _("Nobody may be emailed about these measures, no reminder sent: %(leads)s.")
                % {"leads": ", ".join(str(lead) for lead in result.unreachable)},
            )
        if not (result.queued or result.already_reminded or result.unreachable):
            messages.info(request, _("There is no lead to remind."))
        return redirect("measures:stale_list")
