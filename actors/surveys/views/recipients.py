"""Choosing who is asked: whole circles, a filtered list, single people."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from actors import selectors as network
from actors.filters import PersonFilterSet
from actors.forms import PersonSearchForm
from integration.core.mixins import service_errors_as_messages

from ..forms.builder import RecipientAddForm
from ..models import Invitation
from ..selectors import builder as selectors
from ..services import builder as services
from .common import SurveyScopedMixin

PAGE_SIZE = 50
# The filter's fields carry this prefix, so that its search and the single search differ.
FILTER_PREFIX = "f"
# A filtered list shows this many matches; the button adds all of them.
FILTER_PREVIEW = 20
# The result of adding is shown once on the recipient page; it keeps this many left-out people.
RESULT_SESSION_KEY = "surveys:recipients_added"
LEFT_OUT_KEPT = 500
# Filters that only sort or show archived rows do not choose anybody.
NOT_CHOOSING = {"sort", "archived"}


def _recipients_url(survey) -> str:
    return reverse("surveys:recipient_list", args=[survey.pk])


def _person_filter(data, user) -> PersonFilterSet:
    return PersonFilterSet(
        data, prefix=FILTER_PREFIX, queryset=network.people_visible_to(user=user)
    )


def _filter_chooses(person_filter: PersonFilterSet) -> bool:
    """Whether the filter was used with a criterion, so that "add all" means a choice."""
    return person_filter.is_valid() and any(
        value not in (None, "")
        for name, value in person_filter.form.cleaned_data.items()
        if name not in NOT_CHOOSING
    )


class RecipientListView(SurveyScopedMixin, ListView):
    """The recipients of a survey, and (while a draft) the three ways to add some."""

    permission_required = "surveys.view_survey"
    template_name = "surveys/recipient_list.html"
    context_object_name = "invitations"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.invitation_list(survey=self.survey)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["result"] = self._result()
        if not self.survey.is_editable:
            return context
        user = self.request.user
        person_filter = _person_filter(self.request.GET, user)
        context |= {
            "circle_choices": selectors.recipient_circles(survey=self.survey),
            "person_filter": person_filter,
            "filter_used": _filter_chooses(person_filter),
        }
        if context["filter_used"]:
            matches = selectors.with_current_organisations(person_filter.qs)
            context["filter_count"] = matches.count()
            context["filter_preview"] = list(matches[:FILTER_PREVIEW])
        search_form = PersonSearchForm(self.request.GET)
        context["search_form"] = search_form
        if search_form.query:
            limit = network.PERSON_CHOICE_LIMIT
            found = network.person_search(
                people=network.person_choices(user=user), q=search_form.query
            )
            found = list(found[: limit + 1])
            invited = set(
                self.survey.invitations.filter(person__in=[p.pk for p in found]).values_list(
                    "person_id", flat=True
                )
            )
            context |= {
                "search_results": [(person, person.pk in invited) for person in found[:limit]],
                "search_too_many": len(found) > limit,
            }
        return context

    def _result(self) -> dict | None:
        """What the last adding did (kept in the session for one showing)."""
        result = self.request.session.get(RESULT_SESSION_KEY)
        if not result or result.get("survey") != self.survey.pk:
            return None
        del self.request.session[RESULT_SESSION_KEY]
        return result | {"left_out": selectors.left_out_people(entries=result["left_out"])}


class RecipientAddView(SurveyScopedMixin, View):
    """POST only: add circles, the people of a filtered list, or chosen people."""

    permission_required = "surveys.change_survey"
    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        form = RecipientAddForm(request.POST, people=network.person_choices(user=user))
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, text)
            return redirect(_recipients_url(self.survey))
        source = form.cleaned_data["source"]
        people, circles = None, None
        if source == "circles":
            circles = list(form.cleaned_data["circles"])
        elif source == "people":
            people = list(form.cleaned_data["people"])
        else:
            person_filter = _person_filter(request.POST, user)
            if not _filter_chooses(person_filter):
                messages.error(request, _("Filter the list first; then add its matches."))
                return redirect(_recipients_url(self.survey))
            people = person_filter.qs
        try:
            summary = services.recipients_add(
                by=user, survey=self.survey, people=people, circles=circles
            )
        except ValidationError as error:
            service_errors_as_messages(request, error)
            return redirect(_recipients_url(self.survey))
        request.session[RESULT_SESSION_KEY] = {
            "survey": self.survey.pk,
            "added": summary.added,
            "already": summary.already,
            "left_out_total": len(summary.left_out),
            "left_out": [[person.pk, reason] for person, reason in summary.left_out][
                :LEFT_OUT_KEPT
            ],
        }
        messages.success(
            request,
            _(
                "Recipients added: %(added)d. Already chosen before: %(already)d. "
                "Left out: %(left_out)d."
            )
            % {
                "added": summary.added,
                "already": summary.already,
                "left_out": len(summary.left_out),
            },
        )
        return redirect(_recipients_url(self.survey))


class InvitationRemoveView(PermissionRequiredMixin, View):
    """POST only: take one person off a draft's recipients."""

    permission_required = "surveys.change_survey"
    http_method_names = ["post"]

    def post(self, request, pk):
        surveys = selectors.surveys_visible_to(user=request.user)
        invitation = get_object_or_404(
            Invitation.objects.filter(survey__in=surveys).select_related("survey", "person"),
            pk=pk,
        )
        try:
            services.invitation_remove(by=request.user, invitation=invitation)
        except ValidationError as error:
            service_errors_as_messages(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is no longer among the recipients.") % {"name": invitation.person},
            )
        return redirect(_recipients_url(invitation.survey))
