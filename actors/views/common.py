"""Shared pieces of the network's screens: confirm and end views, the search that
narrows a person select, the history shown on detail pages."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from integration.core.mixins import add_service_error

from .. import selectors
from ..forms import EndDateForm, PersonSearchForm

LIST_PAGE_SIZE = 50


class ConfirmActionView(PermissionRequiredMixin, SingleObjectMixin, TemplateView):
    """GET asks, POST does: archive, unarchive. Subclasses implement ``act()``."""

    template_name = "actors/object_confirm.html"
    question = ""
    button = ""
    done_message = ""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= {
            "question": self.question % {"name": self.object},
            "button": self.button,
            "cancel_url": self.get_success_url(),
        }
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.act()
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, self.done_message % {"name": self.object})
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


class ArchiveMixin:
    archive = True

    @property
    def question(self):
        if self.archive:
            return _("Archive “%(name)s”? It stays in the network's history but leaves the lists.")
        return _("Bring “%(name)s” back from the archive?")

    @property
    def button(self):
        return _("Archive") if self.archive else _("Unarchive")

    @property
    def done_message(self):
        return _("“%(name)s” was archived.") if self.archive else _("“%(name)s” is active again.")


class EndView(PermissionRequiredMixin, SingleObjectMixin, FormView):
    """Ends an affiliation or a membership on a date; the row stays as history."""

    form_class = EndDateForm
    template_name = "actors/end_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"legend": self.legend()}

    def form_valid(self, form):
        try:
            self.end(form.cleaned_data["end_date"])
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message())
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": self.legend(),
            "cancel_url": self.get_success_url(),
        }


class PersonSearchMixin:
    """A form view whose person select offers only what the GET search ``q`` finds.

    At most ``selectors.PERSON_CHOICE_LIMIT`` people are offered; when more match,
    the page asks for a finer search. The form still validates the chosen person
    against every allowed one (``person_queryset``). Works without JavaScript: the
    search is a plain GET form, and the POST goes to the same address, query included.
    """

    def person_queryset(self):
        return selectors.person_choices(user=self.request.user)

    def person_search(self) -> dict:
        if not hasattr(self, "_person_search"):
            search_form = PersonSearchForm(self.request.GET)
            limit = selectors.PERSON_CHOICE_LIMIT
            found = selectors.person_search(people=self.person_queryset(), q=search_form.query)
            found = list(found[: limit + 1])
            self._person_search = {
                "search_form": search_form,
                "shown_people": found[:limit],
                "too_many_people": len(found) > limit,
                "person_limit": limit,
            }
        return self._person_search

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "people": self.person_queryset(),
            "shown": self.person_search()["shown_people"],
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | self.person_search()


# Detail pages show the newest changes; the whole history on request.
HISTORY_SHOWN = 30


def history_context(request, entries: list) -> dict:
    """The history entries a detail page shows, newest first, and how many there are."""
    show_all = request.GET.get("history") == "all"
    return {
        "history": entries if show_all else entries[:HISTORY_SHOWN],
        "history_total": len(entries),
    }
