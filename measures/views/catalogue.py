"""The catalogue of goals and measures: the grouped list, goal and measure forms, detail."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from integration.core.mixins import ServiceFormMixin

from ..filters import MeasureFilterSet
from ..forms import GoalForm, MeasureForm
from ..models import ConceptVersion, Goal, Measure
from ..selectors import catalogue as selectors
from ..services import catalogue as services
from .common import EditableVersionMixin, GoalMixin, MeasureMixin, VersionMixin


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
        revision = (
            version
            if version.is_editable
            else selectors.concept_revision(concept_id=version.concept_id)
        )
        context |= {
            # One reverse() instead of two per row: at 1,000 measures they cost
            # more than the rest of the page (the routes are fixed in urls.py).
            "measure_url": reverse("measures:measure_detail", args=[0]).removesuffix("0/"),
            # Resolved once: looking the format up per date is slow at 1,000 rows.
            "short_date": get_format("SHORT_DATE_FORMAT"),
            "filter": filterset,
            "catalogue": selectors.catalogue_data(
                version=version, measures=filterset.qs, filtered=filtered
            ),
            "filtered": filtered,
            "versions": selectors.concept_versions(version=version),
            "revision": revision,
            "can_edit": version.is_editable,
            "can_edit_measures": version.is_editable and user.has_perm("measures.change_measure"),
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


def _can_update(user, measure: Measure) -> bool:
    # The status updates are another module's rule; until it exists the
    # permission alone decides whether the button shows.
    try:
        from ..selectors.updates import can_update
    except ImportError:
        return user.has_perm("measures.add_statusupdate")
    return can_update(user=user, measure=measure)


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
            "can_update": _can_update(user, measure),
            "can_edit": measure.goal.version.is_editable
            and user.has_perm("measures.change_measure"),
        }
        return context
