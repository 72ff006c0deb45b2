"""Funding: the overview per year, programmes, grants with their money per year."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView
from django_filters.views import FilterView

from actors.views.common import LIST_PAGE_SIZE
from integration.core.mixins import ServiceFormMixin, add_service_error

from ..filters import GrantFilterSet
from ..forms_funding import GrantForm, GrantYearFormSet, ProgrammeForm
from ..models import FundingProgramme
from ..selectors import funding as selectors
from ..services import funding as services


class FundingOverviewView(PermissionRequiredMixin, TemplateView):
    """Applied, granted and spent per year with totals; report deadlines; programmes."""

    permission_required = "measures.view_grant"
    template_name = "measures/funding/funding_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years = selectors.funding_years()
        context |= {
            "years": years,
            "totals": selectors.funding_totals(years),
            "deadlines": selectors.report_deadlines_upcoming(user=user),
            "programmes": list(selectors.programme_list(user=user)),
        }
        return context


class ProgrammeDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "measures.view_fundingprogramme"
    template_name = "measures/funding/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):
        return selectors.programmes_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grants = selectors.grant_list(user=self.request.user).filter(programme=self.object)
        return context | {"grants": list(grants.order_by("-starts_on", "title"))}


class ProgrammeFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    form_class = ProgrammeForm
    template_name = "measures/funding/programme_form.html"

    def _data(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class ProgrammeCreateView(ProgrammeFormMixin, CreateView):
    permission_required = "measures.add_fundingprogramme"
    success_message = gettext_lazy("Funding programme “%(name)s” was added.")

    def save(self, form):
        return services.programme_create(by=self.request.user, **self._data(form))


class ProgrammeUpdateView(ProgrammeFormMixin, UpdateView):
    permission_required = "measures.change_fundingprogramme"
    success_message = gettext_lazy("Funding programme “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.programmes_visible_to(user=self.request.user)

    def save(self, form):
        stored = FundingProgramme.objects.get(pk=self.object.pk)
        return services.programme_update(by=self.request.user, programme=stored, **self._data(form))


class GrantListView(PermissionRequiredMixin, FilterView):
    permission_required = "measures.view_grant"
    filterset_class = GrantFilterSet
    template_name = "measures/funding/grant_list.html"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.grant_list(user=self.request.user)


class GrantDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "measures.view_grant"
    template_name = "measures/funding/grant_detail.html"
    context_object_name = "grant"

    def get_queryset(self):
        return selectors.grant_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.object
        years = selectors.grant_years(grant=grant)
        user = self.request.user
        context |= {
            "years": years,
            "measures": selectors.grant_measures(grant=grant),
            "positions": list(grant.positions.order_by("title"))
            if user.has_perm("measures.view_position")
            else None,
            "deadline": selectors.report_deadline_state(grant, today=timezone.localdate()),
        }
        return context


class GrantFormMixin(PermissionRequiredMixin):
    """A grant and its years on one page; the service checks both together, and on an
    error the page comes back with everything as typed."""

    form_class = GrantForm
    template_name = "measures/funding/grant_form.html"

    def get_formset(self):
        if self.request.method == "POST":
            return GrantYearFormSet(self.request.POST, prefix="years")
        formset = GrantYearFormSet(initial=self.initial_years(), prefix="years")
        formset.extra = 3 if self.object is None else 1
        return formset

    def initial_years(self) -> list[dict]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object_or_none()
        form = self.get_form()
        formset = self.get_formset()
        # Both checked, so that the page shows every error at once.
        valid = [form.is_valid(), formset.is_valid()]
        if all(valid):
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            measures = list(data.pop("measures"))
            try:
                self.object = self.save(data, measures, formset.amounts())
            except ValidationError as error:
                self._show_errors(form, formset, error)
            else:
                messages.success(request, self.success_message % {"name": self.object})
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def _show_errors(self, form, formset, error: ValidationError) -> None:
        # The years' messages name their year and stand above the table of years.
        if hasattr(error, "error_dict") and "years" in error.error_dict:
            years = error.error_dict.pop("years")
            formset._non_form_errors = formset.error_class(
                [message for item in years for message in item.messages],
                error_class="nonform",
                renderer=formset.renderer,
            )
            if not error.error_dict:
                return
        add_service_error(form, error)


class GrantCreateView(GrantFormMixin, CreateView):
    permission_required = "measures.add_grant"
    success_message = gettext_lazy("Grant “%(name)s” was added.")

    def get_initial(self):
        # "New grant" on a programme's page preselects it.
        programme = self.request.GET.get("programme", "")
        return {"programme": programme} if programme.isdigit() else {}

    def get_object_or_none(self):
        return None

    def save(self, data, measures, years):
        return services.grant_create(by=self.request.user, measures=measures, years=years, **data)


class GrantUpdateView(GrantFormMixin, UpdateView):
    permission_required = "measures.change_grant"
    success_message = gettext_lazy("Grant “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.grants_visible_to(user=self.request.user)

    def get_object_or_none(self):
        return self.get_object()

    def initial_years(self) -> list[dict]:
        """The stored years, and a row for each other year of the period to fill in."""
        rows = {
            row.year: {
                "year": row.year,
                "applied": row.applied,
                "granted": row.granted,
                "spent": row.spent,
            }
            for row in selectors.grant_years(grant=self.object)
        }
        for year in range(self.object.starts_on.year, self.object.ends_on.year + 1):
            rows.setdefault(year, {"year": year})
        return [rows[year] for year in sorted(rows)]

    def save(self, data, measures, years):
        return services.grant_update(
            by=self.request.user, grant=self.object, measures=measures, years=years, **data
        )
