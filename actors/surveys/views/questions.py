"""The questions of a draft survey: add, change, delete, reorder."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, UpdateView

from integration.core.mixins import ServiceFormMixin, service_errors_as_messages

from ..forms.builder import QuestionForm
from ..models import Question
from ..selectors.builder import surveys_visible_to
from ..services import builder as services
from .common import SurveyScopedMixin, draft_required

FROZEN = gettext_lazy("The questions can only be changed before the launch.")


def _questions_url(survey) -> str:
    return f"{survey.get_absolute_url()}#questions"


class QuestionScopedMixin(PermissionRequiredMixin):
    """Views of one question, among the questions of surveys the user may see."""

    permission_required = "surveys.change_survey"
    context_object_name = "question"

    def get_queryset(self):
        surveys = surveys_visible_to(user=self.request.user)
        return Question.objects.filter(survey__in=surveys).select_related("survey")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"survey": self.object.survey}

    def get_success_url(self):
        return _questions_url(self.object.survey)


class QuestionCreateView(SurveyScopedMixin, ServiceFormMixin, CreateView):
    permission_required = "surveys.change_survey"
    form_class = QuestionForm
    template_name = "surveys/question_form.html"
    success_message = gettext_lazy("Question “%(name)s” was added.")

    def get(self, request, *args, **kwargs):
        return draft_required(request, self.survey, FROZEN) or super().get(request, *args, **kwargs)

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in Question.Kind.values else {}

    def save(self, form):
        return services.question_create(
            by=self.request.user, survey=self.survey, **form.data_for_service()
        )

    def get_success_url(self):
        return _questions_url(self.survey)


class QuestionUpdateView(QuestionScopedMixin, ServiceFormMixin, UpdateView):
    form_class = QuestionForm
    template_name = "surveys/question_form.html"
    success_message = gettext_lazy("Question “%(name)s” was saved.")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return draft_required(request, self.object.survey, FROZEN) or super().get(
            request, *args, **kwargs
        )

    def save(self, form):
        return services.question_update(
            by=self.request.user, question=self.object, **form.data_for_service()
        )


class QuestionDeleteView(QuestionScopedMixin, DeleteView):
    template_name = "surveys/question_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return draft_required(request, self.object.survey, FROZEN) or super().get(
            request, *args, **kwargs
        )

    def form_valid(self, form):
        try:
            services.question_delete(by=self.request.user, question=self.object)
        except ValidationError as error:
            service_errors_as_messages(self.request, error)
        else:
            messages.success(
                self.request, _("Question “%(name)s” was deleted.") % {"name": self.object}
            )
        return redirect(self.get_success_url())


class QuestionMoveView(QuestionScopedMixin, View):
    """POST only: one place up or down."""

    http_method_names = ["post"]

    def post(self, request, pk, direction):
        if direction not in ("up", "down"):
            raise Http404
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.question_move(by=request.user, question=self.object, direction=direction)
        except ValidationError as error:
            service_errors_as_messages(request, error)
        return redirect(self.get_success_url())
