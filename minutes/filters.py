"""Filters of the committee work's lists: papers by year, kind, body, lead, reference or title."""

import re

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actors.filters import FilterForm
from actors.models import Organisation

from .models import Body, Consultation, Paper
from .selectors.access import bodies_visible_to
from .selectors.papers import REFERENCE, paper_years

YEAR = re.compile(r"^(\d{4})/?$")


def _visible_bodies(request):
    return bodies_visible_to(request.user).order_by("name") if request else Body.objects.none()


class PaperFilterSet(django_filters.FilterSet):
    """Filters the papers a user may see; the queryset comes from ``papers_visible_to``."""

    q = django_filters.CharFilter(
        label=_("Reference or title"), method="filter_search", max_length=200
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=[], empty_label=_("All"), method="filter_year"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Paper.Kind.choices, empty_label=_("All")
    )
    body = django_filters.ModelChoiceFilter(
        label=_("Consulted by"),
        queryset=_visible_bodies,
        empty_label=_("All"),
        method="filter_body",
    )
    lead_department = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("paper", "Lead department"),
        queryset=Organisation.objects.filter(papers__isnull=False).distinct().order_by("name"),
        empty_label=_("All"),
    )

    class Meta:
        form = FilterForm
        model = Paper
        fields = ["q", "year", "kind", "body", "lead_department"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        if request is not None:
            years = paper_years(user=request.user)
            self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def filter_search(self, queryset, name, value):
        # "2020/031" or "2020/031-1" finds that paper, "2020/" the year; other words
        # search the title.
        for term in value.split()[:5]:
            reference = REFERENCE.match(term)
            year = YEAR.match(term)
            if reference:
                queryset = queryset.filter(
                    year=int(reference[1]),
                    serial=int(reference[2]),
                    supplement=int(reference[3] or 0),
                )
            elif year and "/" in term:
                queryset = queryset.filter(year=int(year[1]))
            else:
                queryset = queryset.filter(Q(title__icontains=term))
        return queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(year=int(value)) if value.isdigit() else queryset

    def filter_body(self, queryset, name, value):
        # One subquery, no join: a paper consulted twice by the body is listed once.
        consulted = Consultation.objects.filter(paper=OuterRef("pk"), body=value)
        return queryset.filter(Exists(consulted))
