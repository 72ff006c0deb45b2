"""The portal's search form: the query and its filters, parsed from the URL."""

from django import forms
from django.utils.translation import gettext_lazy as _

from actors.filters import FilterForm

from ..models import Body, Paper
from ..selectors.access import bodies_visible_to
from ..selectors.search import ResultKind, SearchFilters, search_years

# Longer queries are refused before any search runs.
MAX_QUERY_LENGTH = 200


class SearchForm(FilterForm):
    """Bound to ``request.GET``; the bodies and years offered are those ``user`` sees."""

    q = forms.CharField(
        label=_("Search term"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "The search term is too long: please use at most %(limit_value)d characters."
            )
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    body = forms.ModelChoiceField(
        label=_("Body"), queryset=Body.objects.none(), required=False, empty_label=_("All")
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    paper_kind = forms.ChoiceField(
        label=_("Kind of paper"), choices=[("", _("All")), *Paper.Kind.choices], required=False
    )
    # Set by the facet links, kept by the form; an unknown kind means all kinds.
    kind = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies_visible_to(user).order_by("name")
        self.fields["year"].choices = [
            ("", _("All")),
            *((str(year), str(year)) for year in search_years(user=user)),
        ]

    def clean_page(self) -> int:
        # A broken page number shows the first page rather than an error.
        value = self.cleaned_data.get("page") or ""
        if value.isascii() and value.isdigit() and len(value) <= 9:
            return max(int(value), 1)
        return 1

    def clean_kind(self) -> str:
        kind = self.cleaned_data.get("kind") or ""
        return kind if kind in ResultKind.order else ""

    def search_filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            body_id=data["body"].pk if data.get("body") else None,
            year=data.get("year"),
            paper_kind=data.get("paper_kind") or "",
            kind=data.get("kind") or "",
        )
