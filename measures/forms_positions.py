"""Forms of the positions (Stellen). They parse input; ``measures.services.positions`` writes."""

from operator import attrgetter

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.filters import FilterForm
from actors.forms import DateInput
from actors.models import Organisation, Person

from .models import Grant, Position


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


def _grant_label(grant: Grant) -> str:
    return f"{grant.title} ({grant.starts_on.year}–{grant.ends_on.year})"


class PositionForm(forms.ModelForm):
    """A position; employer and holder from the active network, funding from the grants."""

    class Meta:
        model = Position
        fields = [
            "title",
            "fte",
            "hours_per_week",
            "employment",
            "department",
            "provider",
            "status",
            "holder",
            "starts_on",
            "ends_on",
            "cost_per_year",
            "grant",
            "funding_note",
            "job_profile",
        ]
        # German decimals ("19,5") in and out; the browser's number input knows only points.
        localized_fields = ["fte", "hours_per_week", "cost_per_year"]
        widgets = {
            "job_profile": forms.Textarea(attrs={"rows": 10}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # Archived organisations and persons are not offered, but one already set stays.
        for name in ("department", "provider"):
            offered = Q(is_archived=False)
            if getattr(instance, f"{name}_id"):
                offered |= Q(pk=getattr(instance, f"{name}_id"))
            self.fields[name].queryset = Organisation.objects.filter(offered).order_by("name")
        holder = Q(is_archived=False, anonymised_at__isnull=True, merged_into__isnull=True)
        if instance.holder_id:
            holder |= Q(pk=instance.holder_id)
        self.fields["holder"].queryset = Person.objects.filter(holder).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["holder"].label_from_instance = attrgetter("sorted_name")
        self.fields["holder"].help_text = _("Only for a filled position.")
        self.fields["grant"].queryset = Grant.objects.order_by("-starts_on", "title")
        self.fields["grant"].label_from_instance = _grant_label
        self.fields["funding_note"].help_text = _(
            "Where no grant applies, e.g. “Eigenmittel” or “Landesmittel beantragt”."
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Position"), "title", _row("fte", "hours_per_week")),
            Fieldset(_("Employment"), "employment", _row("department", "provider")),
            Fieldset(
                _("Status and holder"),
                _row("status", "holder"),
                _row("starts_on", "ends_on"),
            ),
            Fieldset(_("Cost and funding"), "cost_per_year", _row("grant", "funding_note")),
            Fieldset(_("Job profile"), "job_profile"),
            Submit("submit", _("Save")),
        )


class PositionFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *Position.Status.choices],
        required=False,
    )
