"""The catalogue's filters: status, lead, field of action, funding, overdue, free text;
the grants' filters: status, programme, year."""

import re

import django_filters
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actors.filters import FilterForm
from actors.models import Organisation
from integration.core.models import FieldOfAction

from .models import FundingProgramme, Grant, Measure
from .selectors.catalogue import overdue_q

CODE = re.compile(r"^(\d+)\.(\d+)$")
NO_FUNDING = "none"


def _funding_choices():
    """The programmes with grants, and "without funding". One query when the form renders."""
    programmes = FundingProgramme.objects.filter(grants__isnull=False).distinct()
    return [(str(p.pk), str(p)) for p in programmes.order_by("name")] + [
        (NO_FUNDING, _("Without funding"))
    ]


class MeasureFilterSet(django_filters.FilterSet):
    """Filters the measures of one version; the catalogue groups what is left."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Measure.Status.choices, empty_label=_("All")
    )
    lead = django_filters.ModelChoiceFilter(
        label=_("Lead"),
        queryset=Organisation.objects.filter(led_measures__isnull=False)
        .distinct()
        .order_by("name"),
        empty_label=_("All"),
    )
    field_of_action = django_filters.ModelChoiceFilter(
        label=_("Field of action"),
        field_name="goal__field_of_action",
        queryset=FieldOfAction.objects.all(),
        empty_label=_("All"),
    )
    funding = django_filters.ChoiceFilter(
        label=pgettext_lazy("concept area", "Funding"),
        choices=lambda: _funding_choices(),
        empty_label=_("All"),
        method="filter_funding",
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Schedule"),
        choices=[("yes", _("Overdue only"))],
        empty_label=_("All"),
        method="filter_overdue",
    )

    class Meta:
        form = FilterForm
        model = Measure
        fields = ["q", "status", "lead", "field_of_action", "funding", "overdue"]

    def filter_search(self, queryset, name, value):
        # "3.2" finds the measure by its code; words search title, description,
        # target group and the lead.
        for term in value.split()[:5]:
            code = CODE.match(term)
            if code:
                queryset = queryset.filter(goal__number=code[1], number=code[2])
                continue
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(description__icontains=term)
                | Q(target_group__icontains=term)
                | Q(lead__name__icontains=term)
                | Q(lead__short_name__icontains=term)
            )
        return queryset

    def filter_funding(self, queryset, name, value):
        # A grant counts for every copy of the measure it pays for (same key), as on
        # the measure's page; one subquery, so the catalogue's query count stays.
        links = Grant.measures.through.objects.filter(measure__key=OuterRef("key"))
        if value == NO_FUNDING:
            return queryset.exclude(Exists(links))
        if value.isdigit():
            return queryset.filter(Exists(links.filter(grant__programme_id=int(value))))
        return queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value == "yes" else queryset

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(name) for name in self.filters)


def _year_choices():
    """The calendar years grants cover, newest first. One query."""
    span = Grant.objects.aggregate(first=Min("starts_on__year"), last=Max("ends_on__year"))
    if span["first"] is None:
        return []
    return [(str(year), str(year)) for year in range(span["last"], span["first"] - 1, -1)]


class GrantFilterSet(django_filters.FilterSet):
    """Filters the list of grants: by status, programme, and a year their period covers."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Grant.Status.choices, empty_label=_("All")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Funding programme"),
        queryset=FundingProgramme.objects.order_by("name"),
        empty_label=_("All"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=lambda: _year_choices(), empty_label=_("All"), method="filter_year"
    )

    class Meta:
        form = FilterForm
        model = Grant
        fields = ["q", "status", "programme", "year"]

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(reference__icontains=term)
                | Q(purpose__icontains=term)
                | Q(recipient__name__icontains=term)
            )
        return queryset

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(starts_on__year__lte=year, ends_on__year__gte=year)
