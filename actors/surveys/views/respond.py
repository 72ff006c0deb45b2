"""The recipient's pages, reached only through the personal link, and the staff preview.

No login: the 256-bit token in the URL is the authorisation. Every token page
is rate-limited per client address, kept out of search engines, caches and
referrers, and shows one friendly page for an unknown link that says nothing
about any survey or person.

The token pages are exempt from CSRF checks, on purpose. CSRF protects ambient
credentials (a session cookie) that a forged request would borrow; these pages
use none: whoever can build the request already holds the token and could
send it themselves. And the check cannot work here: under
``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` with a form
POST and no ``Referer``, which Django's check refuses. So recipients' pages
set no cookie at all.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from actors.models import Person
from integration.core.client_ip import client_ip
from integration.core.services import rate_limit_hit, rate_limit_reached

from ..forms.answer import AnswerForm, fields_of_action_for
from ..models import Survey
from ..services import responses
from ..services.responses import InvitationState
from .common import SurveyScopedMixin

TOKEN_PAGE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
}
STATE_STATUS = {
    InvitationState.INVALID: 404,
    InvitationState.CLOSED: 410,
    InvitationState.NOT_OPEN: 200,
    InvitationState.WITHDRAWN: 200,
}


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class TokenPageMixin:
    """Rate limit, headers and the friendly pages shared by every page behind a link."""

    # Failed lookups per client address: a mistyped link now and then is fine,
    # guessing 256-bit tokens is hopeless. Once over the limit, every link
    # answers 429 for the window, so a valid one cannot be told from the others;
    # links that work do not count, so a household behind one address is not
    # stopped while answering.
    lookup_limit = 30
    lookup_window_seconds = 600

    def dispatch(self, request, *args, **kwargs):
        # Recipients' pages are German, whatever the browser asks for.
        with translation.override("de"):
            response = self._dispatch(request, *args, **kwargs)
        for header, value in TOKEN_PAGE_HEADERS.items():
            response[header] = value
        return response

    def _dispatch(self, request, *args, **kwargs):
        key = f"survey-link:{client_ip(request)}"
        if rate_limit_reached(key=key, limit=self.lookup_limit):
            return self._limited()
        self.token = kwargs["token"]
        self.invitation = responses.invitation_for_token(self.token)
        if self.invitation is None and rate_limit_hit(
            key=key, limit=self.lookup_limit, window_seconds=self.lookup_window_seconds
        ):
            return self._limited()
        self.state = responses.invitation_state(self.invitation)
        return super().dispatch(request, *args, **kwargs)

    def _limited(self):
        response = render(self.request, "surveys/respond_unavailable.html", {"state": "limited"})
        response.status_code = 429
        response["Retry-After"] = str(self.lookup_window_seconds)
        return response

    def unavailable(self):
        """The friendly page for every state but OPEN; only the survey's title, if anything."""
        survey = self.invitation.survey if self.state != InvitationState.INVALID else None
        context = {"state": self.state, "survey": survey}
        return render(
            self.request,
            "surveys/respond_unavailable.html",
            context,
            status=STATE_STATUS[self.state],
        )

    def survey_context(self, form) -> dict:
        invitation = self.invitation
        return {
            "survey": invitation.survey,
            "form": form,
            "salutation": invitation.person.letter_salutation,
            "form_action": reverse("surveys:respond", args=[self.token]),
            "opt_out_url": reverse("surveys:opt_out", args=[self.token]),
            "preview": False,
        }


def _answer_form(survey: Survey, data=None, answers=None) -> AnswerForm:
    questions = list(survey.questions.all())
    return AnswerForm(
        data,
        questions=questions,
        fields_of_action=fields_of_action_for(questions),
        answers=answers,
    )


# An error report must not carry the answers.
@method_decorator(sensitive_post_parameters(), name="dispatch")
class RespondView(TokenPageMixin, View):
    """The survey behind a personal link: the form, filled with earlier answers."""

    template_name = "surveys/respond_form.html"

    def get(self, request, token):
        if self.state != InvitationState.OPEN:
            return self.unavailable()
        answers = responses.response_answers(responses.response_for_token(token))
        if request.method == "GET":  # link checkers often only ask for the head
            responses.invitation_open(self.invitation)
        form = _answer_form(self.invitation.survey, answers=answers)
        return render(request, self.template_name, self.survey_context(form))

    def post(self, request, token):
        if self.state != InvitationState.OPEN:
            return self.unavailable()
        form = _answer_form(self.invitation.survey, data=request.POST)
        if form.is_valid():
            try:
                responses.response_submit(token=token, data=form.answer_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return HttpResponseRedirect(reverse("surveys:respond_done", args=[token]))
        return render(request, self.template_name, self.survey_context(form))


class RespondDoneView(TokenPageMixin, View):
    """After sending: the closing text and the way back to change the answers."""

    def get(self, request, token):
        if self.state != InvitationState.OPEN:
            return self.unavailable()
        if responses.response_for_token(token) is None:
            # Nothing was sent yet: the form, not a confirmation.
            return HttpResponseRedirect(reverse("surveys:respond", args=[token]))
        context = {
            "survey": self.invitation.survey,
            "respond_url": reverse("surveys:respond", args=[token]),
            "opt_out_url": reverse("surveys:opt_out", args=[token]),
        }
        return render(request, "surveys/respond_done.html", context)


class OptOutView(TokenPageMixin, View):
    """Opt out of all surveys: GET asks (mail scanners open links), POST does it.

    Also takes the RFC 8058 one-click POST (``List-Unsubscribe=One-Click``) a
    mail client sends without any CSRF token (the token pages are exempt).
    """

    def get(self, request, token):
        if self.state == InvitationState.INVALID:
            return self.unavailable()
        template = "surveys/opt_out_confirm.html"
        if self.invitation.opted_out_at is not None:
            template = "surveys/opt_out_done.html"
        return render(request, template, self.opt_out_context())

    def post(self, request, token):
        if self.state == InvitationState.INVALID:
            return self.unavailable()
        self.invitation = responses.invitation_opt_out(token=token)
        return render(request, "surveys/opt_out_done.html", self.opt_out_context())

    def opt_out_context(self) -> dict:
        is_open = self.state == InvitationState.OPEN
        return {
            "survey": self.invitation.survey,
            "opt_out_url": reverse("surveys:opt_out", args=[self.token]),
            "respond_url": reverse("surveys:respond", args=[self.token]) if is_open else "",
        }


class SurveyPreviewView(SurveyScopedMixin, View):
    """The recipient's page of any survey, for the coordinator; nothing is stored.

    Sending the preview checks the answers against the rules (required
    questions, "Other" needs text, number bounds) and shows the errors.
    """

    permission_required = "surveys.view_survey"
    template_name = "surveys/survey_preview.html"

    def get(self, request, pk):
        return self.render_preview(_answer_form(self.survey))

    def post(self, request, pk):
        form = _answer_form(self.survey, data=request.POST)
        return self.render_preview(form, checked=form.is_valid())

    def render_preview(self, form: AnswerForm, *, checked: bool = False):
        sample = Person(salutation=Person.Salutation.MS, title="Dr.", last_name="Muster")
        preview_url = reverse("surveys:survey_preview", args=[self.survey.pk])
        context = {
            "survey": self.survey,
            "form": form,
            "salutation": sample.letter_salutation,
            "form_action": preview_url,
            "opt_out_url": f"{preview_url}#opt-out",
            "preview": True,
            "checked": checked,
        }
        return render(self.request, self.template_name, context)
