"""The catalogue's filters: status, lead, field of action, overdue, free text."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.filters import FilterForm
from actors.models import Organisation
from integration.core.models import FieldOfAction

from .models import Measure
from .selectors.catalogue import overdue_q

CODE = re.compile(r"^(\d+)\.(\d+)$")


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
    overdue = django_filters.ChoiceFilter(
        label=_("Schedule"),
        choices=[("yes", _("Overdue only"))],
        empty_label=_("All"),
        method="filter_overdue",
    )

    class Meta:
        form = FilterForm
        model = Measure
        fields = ["q", "status", "lead", "field_of_action", "overdue"]

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

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value == "yes" else queryset

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(name) for name in self.filters)
