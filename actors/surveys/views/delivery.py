"""Sending a survey: launch, reminders, closing, the mail list and the live progress."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from ..models import Mail, Survey
from ..selectors.builder import surveys_visible_to
from ..selectors.delivery import delivery_progress, launch_check, mail_list
from ..services import delivery

MAIL_PAGE_SIZE = 50


def _messages_error(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


class SurveyObjectMixin(PermissionRequiredMixin, SingleObjectMixin):
    """A view of one survey the user may see (404 otherwise), behind a permission."""

    permission_required = "surveys.change_survey"

    def get_queryset(self):
        return surveys_visible_to(user=self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


class SurveyLaunchView(SurveyObjectMixin, TemplateView):
    """GET: what the launch will do (recipients, who is left out now, dates, reminders);
    POST: launch. A second POST (double click) sends nothing more."""

    template_name = "surveys/survey_launch.html"

    def get_context_data(self, **kwargs):
        check = launch_check(survey=self.object)
        return super().get_context_data(**kwargs) | {"survey": self.object, "check": check}

    def post(self, request, *args, **kwargs):
        survey = self.object
        if survey.status == Survey.Status.RUNNING:
            messages.info(request, _("The survey is already running."))
            return redirect(survey)
        try:
            survey = delivery.survey_launch(by=request.user, survey=survey)
        except ValidationError as error:
            _messages_error(request, error)
            return redirect("surveys:survey_launch", pk=survey.pk)
        start = delivery.sending_start(survey)
        if start > survey.launched_at:
            messages.success(
                request,
                _("The survey was launched. The invitations will be sent on %(date)s.")
                % {"date": formats.date_format(survey.opens_on, "DATE_FORMAT")},
            )
        else:
            messages.success(
                request, _("The survey was launched. The invitations are being sent now.")
            )
        return redirect(survey)


class ReminderForm(forms.Form):
    # The newest round the coordinator saw: a second click finds a newer one.
    last_round_number = forms.IntegerField(min_value=0)


class SurveyRemindView(SurveyObjectMixin, View):
    """POST: remind those who have not answered now ("Jetzt erinnern")."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        survey = self.object
        form = ReminderForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("The form was incomplete; please reload the page."))
        try:
            round_ = delivery.survey_remind(
                by=request.user,
                survey=survey,
                last_round_number=form.cleaned_data["last_round_number"],
            )
        except ValidationError as error:
            _messages_error(request, error)
        else:
            if round_ is None:
                messages.info(
                    request,
                    _(
                        "Meanwhile reminders were already sent (a second click or another "
                        "window); no further reminder was sent."
                    ),
                )
            else:
                messages.success(
                    request, _("Reminders are being sent to those who have not answered yet.")
                )
        return redirect(survey)


class SurveyCloseView(SurveyObjectMixin, TemplateView):
    """GET asks, POST closes the survey: no more answers, queued mails are not sent."""

    template_name = "surveys/survey_close.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "survey": self.object,
            "progress": delivery_progress(survey=self.object),
        }

    def post(self, request, *args, **kwargs):
        try:
            delivery.survey_close(by=request.user, survey=self.object)
        except ValidationError as error:
            _messages_error(request, error)
        else:
            messages.success(request, _("The survey was closed. It takes no more answers."))
        return redirect(self.object)


class MailListView(PermissionRequiredMixin, ListView):
    """The survey's mails by person: status, attempts, the reason of failed ones, retry."""

    permission_required = "surveys.view_survey"
    template_name = "surveys/mail_list.html"
    paginate_by = MAIL_PAGE_SIZE
    context_object_name = "mails"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.survey = get_object_or_404(surveys_visible_to(user=request.user), pk=kwargs["pk"])
        self.status = request.GET.get("status", "")
        if self.status not in Mail.Status.values:
            self.status = ""
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return mail_list(survey=self.survey, status=self.status)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "survey": self.survey,
            "statuses": Mail.Status.choices,
            "selected_status": self.status,
            "can_retry": (
                self.request.user.has_perm("surveys.change_survey")
                and self.survey.status == Survey.Status.RUNNING
            ),
        }


@method_decorator(never_cache, name="dispatch")
class SurveyProgressView(SurveyObjectMixin, View):
    """The delivery figures as JSON, polled by ``static/js/survey_progress.js``."""

    permission_required = "surveys.view_survey"

    def get(self, request, *args, **kwargs):
        return JsonResponse(delivery_progress(survey=self.object).as_json())


class MailRetryView(PermissionRequiredMixin, SingleObjectMixin, View):
    """POST: send a failed mail again (the mail list's "erneut senden")."""

    permission_required = "surveys.change_survey"
    http_method_names = ["post"]

    def get_queryset(self):
        surveys = surveys_visible_to(user=self.request.user)
        return Mail.objects.filter(invitation__survey__in=surveys).select_related(
            "invitation__person"
        )

    def post(self, request, *args, **kwargs):
        mail = self.get_object()
        try:
            delivery.mail_retry(by=request.user, mail=mail)
        except ValidationError as error:
            _messages_error(request, error)
        else:
            messages.success(
                request,
                _("The mail to %(name)s is being sent again.")
                % {"name": mail.invitation.person.full_name},
            )
        url = reverse("surveys:mail_list", args=[mail.invitation.survey_id])
        return redirect(f"{url}?status={Mail.Status.FAILED}")
