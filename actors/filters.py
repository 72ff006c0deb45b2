"""Filters of the network's lists, shared by the list pages and the export of a filtered list.

A filterset works without a view: ``PersonFilterSet(request.GET, queryset=…).qs``.
Without data it still applies its defaults (archived rows hidden, sorted by name).
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from integration.core.models import FieldOfAction

from .models import (
    Affiliation,
    Circle,
    CircleMembership,
    Consent,
    Language,
    Organisation,
    Person,
)
from .selectors import current_q


def _current_members_of(circle: Circle, **member) -> Exists:
    return Exists(
        CircleMembership.objects.filter(current_q(), circle=circle, **member),
    )


class FilterForm(forms.Form):
    """The filter form with Bootstrap classes on its widgets.

    List pages render it field by field with plain markup rather than through
    crispy: it stands above every list, and crispy's field templates cost more
    than the rest of the form (see bench/README.md).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class NetworkFilterSet(django_filters.FilterSet):
    """Search, archived switch and sorting that every list of the network shares."""

    # sort key → order_by arguments; the first key is the default.
    SORTS: dict[str, tuple[str, ...]] = {}

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    archived = django_filters.ChoiceFilter(
        label=_("Archived"),
        choices=[("only", _("Archived only")), ("all", _("Active and archived"))],
        empty_label=_("Active only"),
        method="filter_archived",
    )

    def __init__(self, data=None, *args, **kwargs):
        # An unbound filterset skips filter_queryset and would list archived rows;
        # empty data binds it so the defaults apply in every caller.
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def filter_archived(self, queryset, name, value):
        if value == "only":
            return queryset.filter(is_archived=True)
        return queryset

    def filter_sort(self, queryset, name, value):
        return queryset  # applied in filter_queryset, also when empty

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("archived"):
            queryset = queryset.filter(is_archived=False)
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or next(iter(self.SORTS))
        return queryset.order_by(*self.SORTS[sort])

    @staticmethod
    def search_terms(value: str) -> list[str]:
        return value.split()[:5]


class OrganisationFilterSet(NetworkFilterSet):
    SORTS = {
        "name": ("name", "pk"),
        "-name": ("-name", "-pk"),
        "kind": ("kind", "name", "pk"),
        "-updated": ("-updated_at", "-pk"),
        "updated": ("updated_at", "pk"),
    }

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Organisation.Kind.choices, empty_label=_("All")
    )
    staffing = django_filters.ChoiceFilter(
        label=_("Professional or volunteer"),
        choices=Organisation.Staffing.choices,
        empty_label=_("All"),
    )
    field_of_action = django_filters.ModelChoiceFilter(
        label=_("Field of action"),
        field_name="fields_of_action",
        queryset=FieldOfAction.objects.filter(is_active=True),
        empty_label=_("All"),
    )
    circle = django_filters.ModelChoiceFilter(
        label=_("Circle"),
        queryset=Circle.objects.filter(is_archived=False),
        empty_label=_("All"),
        method="filter_circle",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("-name", _("Name (Z–A)")),
            ("kind", _("Kind")),
            ("-updated", _("Recently changed")),
            ("updated", _("Longest unchanged")),
        ],
        empty_label=_("Name (A–Z)"),
        method="filter_sort",
    )

    class Meta:
        form = FilterForm
        model = Organisation
        fields = ["q", "kind", "staffing", "field_of_action", "circle", "archived", "sort"]

    def filter_search(self, queryset, name, value):
        for term in self.search_terms(value):
            queryset = queryset.filter(
                Q(name__icontains=term) | Q(short_name__icontains=term) | Q(email__icontains=term)
            )
        return queryset

    def filter_circle(self, queryset, name, value):
        return queryset.filter(_current_members_of(value, organisation=OuterRef("pk")))


class PersonFilterSet(NetworkFilterSet):
    SORTS = {
        "name": ("last_name", "first_name", "pk"),
        "-name": ("-last_name", "-first_name", "-pk"),
        "-updated": ("-updated_at", "-pk"),
        "updated": ("updated_at", "pk"),
        "-created": ("-created_at", "-pk"),
    }

    is_volunteer = django_filters.ChoiceFilter(
        label=_("Volunteer or professional"),
        choices=[("yes", _("Volunteers")), ("no", _("Professionals"))],
        empty_label=_("All"),
        method="filter_volunteer",
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        field_name="languages",
        queryset=Language.objects.all(),
        empty_label=_("All"),
    )
    circle = django_filters.ModelChoiceFilter(
        label=_("Circle"),
        queryset=Circle.objects.filter(is_archived=False),
        empty_label=_("All"),
        method="filter_circle",
    )
    organisation_kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"),
        choices=Organisation.Kind.choices,
        empty_label=_("All"),
        method="filter_organisation_kind",
    )
    field_of_action = django_filters.ModelChoiceFilter(
        label=_("Field of action of the organisation"),
        queryset=FieldOfAction.objects.filter(is_active=True),
        empty_label=_("All"),
        method="filter_field_of_action",
    )
    consent = django_filters.ChoiceFilter(
        label=_("Valid basis for"),
        choices=Consent.Purpose.choices,
        empty_label=_("Any or none"),
        method="filter_consent",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("-name", _("Name (Z–A)")),
            ("-updated", _("Recently changed")),
            ("updated", _("Longest unchanged")),
            ("-created", _("Recently added")),
        ],
        empty_label=_("Name (A–Z)"),
        method="filter_sort",
    )

    class Meta:
        form = FilterForm
        model = Person
        fields = [
            "q",
            "is_volunteer",
            "language",
            "circle",
            "organisation_kind",
            "field_of_action",
            "consent",
            "archived",
            "sort",
        ]

    def filter_search(self, queryset, name, value):
        for term in self.search_terms(value):
            in_organisation = Exists(
                Affiliation.objects.filter(
                    person=OuterRef("pk"), organisation__name__icontains=term
                )
            )
            queryset = queryset.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
                | in_organisation
            )
        return queryset

    def filter_volunteer(self, queryset, name, value):
        return queryset.filter(is_volunteer=value == "yes")

    def filter_circle(self, queryset, name, value):
        return queryset.filter(_current_members_of(value, person=OuterRef("pk")))

    def _works_for(self, queryset, **organisation):
        # Only current affiliations: a former employer says nothing about today.
        return queryset.filter(
            Exists(
                Affiliation.objects.filter(
                    current_q(), person=OuterRef("pk"), **organisation
                ).values("pk")
            )
        )

    def filter_organisation_kind(self, queryset, name, value):
        return self._works_for(queryset, organisation__kind=value)

    def filter_field_of_action(self, queryset, name, value):
        return self._works_for(queryset, organisation__fields_of_action=value)

    def filter_consent(self, queryset, name, value):
        valid = Consent.objects.filter(
            person=OuterRef("pk"), purpose=value, withdrawn_at__isnull=True
        )
        return queryset.filter(Exists(valid))
