"""The catalogue of goals and measures: the grouped list, goal and measure forms, detail."""

import functools
from collections.abc import Callable
from datetime import date

import jinja2
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.template.backends.jinja2 import Jinja2
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from actors.surveys.selectors.builder import questions_for_measure
from integration.core.mixins import ServiceFormMixin
from minutes.selectors.concept import resolutions_for_measure, tasks_for_measure

from ..filters import MeasureFilterSet
from ..forms import GoalForm, MeasureForm
from ..models import ConceptVersion, Goal, Measure
from ..selectors import catalogue as selectors
from ..selectors.funding import grants_for_measure
from ..selectors.updates import can_update
from ..services import catalogue as services
from .common import EditableVersionMixin, GoalMixin, MeasureMixin, VersionMixin

# Catalogues above this many measures open with their goals collapsed (<details>,
# no script): the page then reads as an overview of the goals.
COLLAPSE_ABOVE = 150

# Django's format characters that map one-to-one onto strftime's.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


def date_formatter(fmt: str) -> Callable[[date | None], str]:
    """A fast formatter for dates in Django's ``fmt`` ("d.m.Y"), "" for None.

    Django's ``date`` filter costs about 20 µs a call, 40 ms for the two dates of
    1,000 rows; strftime a tenth of that. Formats with other characters (names of
    months, escapes) go through Django's formatter."""
    if all(char in _STRFTIME or not char.isalpha() for char in fmt) and "\\" not in fmt:
        pattern = "".join(_STRFTIME.get(char, char.replace("%", "%%")) for char in fmt)
        return lambda value: value.strftime(pattern) if value else ""
    return lambda value: dateformat.format(value, fmt) if value else ""


@functools.cache
def _jinja() -> Jinja2:
    # Django's Jinja2 backend on the apps' jinja2/ folders, for the catalogue's rows
    # only: Django's engine needs about 0.2 ms a row, Jinja2 a twentieth of that.
    engine = Jinja2(
        {
            "NAME": "measures-catalogue",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {
                "undefined": jinja2.StrictUndefined,
                "trim_blocks": True,
                "lstrip_blocks": True,
            },
        }
    )
    engine.env.filters["linebreaksbr"] = linebreaksbr
    return engine


def catalogue_goals_render(
    *,
    catalogue: selectors.Catalogue,
    filtered: bool,
    can_edit_goals: bool,
    can_add_measures: bool,
    can_edit_measures: bool,
) -> SafeString:
    """The fields of action, goals and measure rows of the catalogue page as HTML."""
    measure_url = reverse("measures:measure_detail", args=[0]).removesuffix("0/")
    context = {
        "fields": catalogue.fields,
        "filtered": filtered,
        "open": filtered or catalogue.total <= COLLAPSE_ABOVE,
        "can_edit_goals": can_edit_goals,
        "can_add_measures": can_add_measures,
        "can_edit_measures": can_edit_measures,
        # One reverse() for the rows instead of two per row (the routes are fixed).
        "measure_url": measure_url,
        "goal_url": lambda pk: reverse("measures:goal_update", args=[pk]),
        "measure_create_url": lambda pk: reverse("measures:measure_create", args=[pk]),
        "short_date": date_formatter(get_format("SHORT_DATE_FORMAT")),
        "goal_title": lambda goal: (
            gettext("Goal %(number)s: %(title)s") % {"number": goal.number, "title": goal.title}
        ),
        "measure_count": lambda count: (
            ngettext("%(total)s measure", "%(total)s measures", count) % {"total": count}
        ),
        "t": {
            "without_field": gettext("Without field of action"),
            "edit_goal": gettext("Edit goal"),
            "new_measure": gettext("New measure"),
            "number": gettext("No."),
            "measure": pgettext("concept", "Measure"),
            "lead": gettext("Lead"),
            "end": capfirst(gettext("end")),
            "last_update": gettext("Last update"),
            "status": gettext("Status"),
            "actions": gettext("Actions"),
            "edit": gettext("Edit"),
            "no_measures": gettext("No measures for this goal yet."),
            "none_match": gettext("No measures match."),
            "no_goals": gettext("This version has no goals yet."),
        },
    }
    html = _jinja().get_template("measures/catalogue_goals.html").render(context)
    # Jinja2 escaped every value (autoescape on).
    return mark_safe(html)  # noqa: S308


class CatalogueView(PermissionRequiredMixin, VersionMixin, TemplateView):
    """A version's catalogue; without ``pk`` the current version of the concept."""

    permission_required = "measures.view_measure"
    template_name = "measures/catalogue.html"

    def get_version(self) -> ConceptVersion | None:
        if self.version_url_kwarg in self.kwargs:
            return super().get_version()
        if not hasattr(self, "_version"):
            self._version = selectors.concept_current_version(user=self.request.user)
        return self._version

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.get_version()
        context["version"] = version
        if version is None:
            return context
        user = self.request.user
        filterset = MeasureFilterSet(
            self.request.GET or None, queryset=selectors.measures_visible_to(user=user)
        )
        filtered = filterset.is_bound and filterset.is_valid() and filterset.is_filtered
        catalogue = selectors.catalogue_rows(
            version=version, measures=filterset.qs, filtered=filtered
        )
        revision = (
            version
            if version.is_editable
            else selectors.concept_revision(concept_id=version.concept_id)
        )
        context |= {
            "filter": filterset,
            "catalogue": catalogue,
            "catalogue_goals": catalogue_goals_render(
                catalogue=catalogue,
                filtered=filtered,
                can_edit_goals=version.is_editable and user.has_perm("measures.change_goal"),
                can_add_measures=version.is_editable and user.has_perm("measures.add_measure"),
                can_edit_measures=version.is_editable and user.has_perm("measures.change_measure"),
            ),
            "filtered": filtered,
            "versions": selectors.concept_versions(version=version),
            "revision": revision,
            "can_edit": version.is_editable,
            # Only the current version may be revised (the service says so too).
            "can_revise": not version.is_editable
            and revision is None
            and user.has_perm("measures.change_conceptversion")
            and selectors.version_is_current(version=version),
            "can_adopt": version.is_editable and user.has_perm("measures.change_conceptversion"),
        }
        return context


class GoalFormMixin(PermissionRequiredMixin, EditableVersionMixin, ServiceFormMixin):
    form_class = GoalForm
    template_name = "measures/goal_form.html"

    def get_success_url(self):
        return f"{self.object.version.get_absolute_url()}#goal-{self.object.pk}"

    def _data(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class GoalCreateView(VersionMixin, GoalFormMixin, CreateView):
    permission_required = "measures.add_goal"
    success_message = gettext_lazy("Goal “%(name)s” was added.")

    def edited_version(self):
        return self.get_version()

    def get_initial(self):
        numbers = [goal.number for goal in self.get_version().goals.all()]
        return {"number": max(numbers, default=0) + 1}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"version": self.get_version()}

    def save(self, form):
        return services.goal_create(
            by=self.request.user, version=self.get_version(), **self._data(form)
        )


class GoalUpdateView(GoalMixin, GoalFormMixin, UpdateView):
    permission_required = "measures.change_goal"
    success_message = gettext_lazy("Goal “%(name)s” was saved.")

    def edited_version(self):
        return self.get_goal().version

    def get_object(self, queryset=None):
        return self.get_goal()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"version": self.object.version}

    def save(self, form):
        # The form applied the input to its instance already; the service gets the
        # stored row and applies the change itself.
        stored = Goal.objects.select_related("version").get(pk=self.object.pk)
        return services.goal_update(by=self.request.user, goal=stored, **self._data(form))


class MeasureFormMixin(PermissionRequiredMixin, EditableVersionMixin, ServiceFormMixin):
    form_class = MeasureForm
    template_name = "measures/measure_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"version": self.edited_version()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"version": self.edited_version()}

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data.pop("partners")
        return data


class MeasureCreateView(GoalMixin, MeasureFormMixin, CreateView):
    permission_required = "measures.add_measure"
    success_message = gettext_lazy("Measure “%(name)s” was added.")

    def edited_version(self):
        return self.get_goal().version

    def get_initial(self):
        goal = self.get_goal()
        numbers = [measure.number for measure in goal.measures.all()]
        return {"goal": goal, "number": max(numbers, default=0) + 1}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"goal": self.get_goal()}

    def save(self, form):
        data = self._data(form)
        goal = data.pop("goal")
        return services.measure_create(
            by=self.request.user,
            goal=goal,
            partners=list(form.cleaned_data["partners"]),
            **data,
        )


class MeasureUpdateView(MeasureMixin, MeasureFormMixin, UpdateView):
    permission_required = "measures.change_measure"
    success_message = gettext_lazy("Measure “%(name)s” was saved.")

    def edited_version(self):
        return self.get_measure().goal.version

    def get_object(self, queryset=None):
        return self.get_measure()

    def save(self, form):
        stored = Measure.objects.select_related("goal__version").get(pk=self.object.pk)
        return services.measure_update(
            by=self.request.user,
            measure=stored,
            partners=list(form.cleaned_data["partners"]),
            **self._data(form),
        )


class MeasureDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "measures.view_measure"
    template_name = "measures/measure_detail.html"
    context_object_name = "measure"

    def get_queryset(self):
        return selectors.measure_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        measure = self.object
        user = self.request.user
        context |= {
            "version": measure.goal.version,
            "timeline": selectors.measure_timeline(measure=measure),
            "can_update": can_update(user=user, measure=measure),
            "can_edit": measure.goal.version.is_editable
            and user.has_perm("measures.change_measure"),
            # The grants paying for any copy of the measure (only for who may read grants).
            "grants": list(grants_for_measure(measure=measure))
            if user.has_perm("measures.view_grant")
            else None,
            # The committee work on it, as far as the user may see it.
            "resolutions": resolutions_for_measure(user=user, measure=measure)
            if user.has_perm("minutes.view_resolution")
            else [],
            "followup_tasks": tasks_for_measure(user=user, measure=measure)
            if user.has_perm("minutes.view_followuptask")
            else [],
            # What needs surveys asked about it (the questions, not the answers).
            "survey_questions": questions_for_measure(measure=measure),
        }
        return context
