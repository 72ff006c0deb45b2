"""The coordinator's survey screens: list, hub page, settings, copy and delete."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView

from integration.core.mixins import ServiceFormMixin, service_errors_as_messages

from ..forms.builder import QuestionKindForm, SurveyForm
from ..models import Survey
from ..selectors import builder as selectors
from ..services import builder as services
from .common import draft_required

LIST_PAGE_SIZE = 50


class SurveyListView(PermissionRequiredMixin, ListView):
    permission_required = "surveys.view_survey"
    template_name = "surveys/survey_list.html"
    context_object_name = "surveys"
    paginate_by = LIST_PAGE_SIZE

    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Survey.Status.values else ""

    def get_queryset(self):
        return selectors.survey_list(user=self.request.user, status=self.status())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "status": self.status(),
            "statuses": Survey.Status.choices,
        }


class SurveyDetailView(PermissionRequiredMixin, DetailView):
    """The hub of a survey: settings, questions, recipients, and once sent its delivery."""

    permission_required = "surveys.view_survey"
    template_name = "surveys/survey_detail.html"
    context_object_name = "survey"

    def get_queryset(self):
        return selectors.surveys_visible_to(user=self.request.user).select_related("copied_from")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= selectors.survey_overview(survey=self.object)
        context["kind_form"] = QuestionKindForm(auto_id="id_new_question_%s")
        if not self.object.is_editable:
            # Written by the delivery part; only sent surveys have a delivery.
            from ..selectors.delivery import delivery_progress

            context["progress"] = delivery_progress(survey=self.object)
        return context


class SurveyFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Survey
    form_class = SurveyForm
    template_name = "surveys/survey_form.html"


class SurveyCreateView(SurveyFormMixin, CreateView):
    permission_required = "surveys.add_survey"
    success_message = gettext_lazy("Survey “%(name)s” was created. Now add the questions.")

    def get_initial(self):
        user = self.request.user
        return super().get_initial() | {
            "contact_name": user.get_full_name() or user.username,
            "contact_email": user.email,
            "reminder_days": [7, 14],
        }

    def save(self, form):
        return services.survey_create(by=self.request.user, **form.changes())


class SurveyUpdateView(SurveyFormMixin, UpdateView):
    permission_required = "surveys.change_survey"
    success_message = gettext_lazy("Survey “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.surveys_visible_to(user=self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        survey = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if survey.status == Survey.Status.CLOSED:
            messages.error(request, _("A closed survey can no longer be changed."))
            return redirect(survey)
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        # The form changed self.object while validating; the service starts from the row.
        stored = self.get_queryset().get(pk=self.object.pk)
        return services.survey_update(by=self.request.user, survey=stored, **form.changes())


class SurveyDeleteView(PermissionRequiredMixin, DeleteView):
    permission_required = "surveys.delete_survey"
    template_name = "surveys/survey_confirm_delete.html"
    context_object_name = "survey"

    def get_queryset(self):
        return selectors.surveys_visible_to(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        refused = draft_required(request, self.object, _("Only drafts can be deleted."))
        return refused or super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.survey_delete(by=self.request.user, survey=self.object)
        except ValidationError as error:
            service_errors_as_messages(self.request, error)
            return redirect(self.object)
        messages.success(self.request, _("Survey “%(name)s” was deleted.") % {"name": self.object})
        return redirect("surveys:index")


class SurveyCopyView(PermissionRequiredMixin, View):
    """POST only: a new draft with the same settings and questions, a year later."""

    permission_required = "surveys.add_survey"
    http_method_names = ["post"]

    def post(self, request, pk):
        survey = get_object_or_404(selectors.surveys_visible_to(user=request.user), pk=pk)
        copy = services.survey_copy(by=request.user, survey=survey)
        messages.success(
            request,
            _(
                "“%(name)s” was copied with its questions, its dates moved by a year. "
                "Check the dates and choose the recipients."
            )
            % {"name": survey},
        )
        return redirect(reverse("surveys:survey_detail", args=[copy.pk]))
