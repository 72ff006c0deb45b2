"""Forms of the catalogue. They parse input; ``measures.services.catalogue`` writes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput, person_label
from actors.models import Organisation, Person
from integration.core.models import FieldOfAction
from minutes.selectors.concept import adopting_resolutions

from .models import ConceptVersion, Goal, Measure


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["number", "title", "description", "field_of_action"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived fields of action are not offered, but one already set stays.
        offered = Q(is_active=True)
        if self.instance.field_of_action_id:
            offered |= Q(pk=self.instance.field_of_action_id)
        self.fields["field_of_action"].queryset = FieldOfAction.objects.filter(offered)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Goal"), _row("number", "field_of_action"), "title", "description"),
            Submit("submit", _("Save")),
        )


class MeasureForm(forms.ModelForm):
    """A measure; lead, partners and contact are chosen from the active network."""

    class Meta:
        model = Measure
        fields = [
            "goal",
            "number",
            "title",
            "description",
            "target_group",
            "lead",
            "partners",
            "contact",
            "status",
            "priority",
            "start_on",
            "end_on",
            "estimated_cost",
            "funding_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.SelectMultiple(attrs={"size": 8}),
            "start_on": DateInput(),
            "end_on": DateInput(),
        }

    def __init__(self, *args, version: ConceptVersion, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["goal"].queryset = Goal.objects.filter(version=version)
        lead = Q(is_archived=False)
        if instance.lead_id:
            lead |= Q(pk=instance.lead_id)
        self.fields["lead"].queryset = Organisation.objects.filter(lead)
        partners = Q(is_archived=False)
        if instance.pk:
            partners |= Q(pk__in=instance.partners.values("pk"))
        self.fields["partners"].queryset = Organisation.objects.filter(partners)
        contact = Q(is_archived=False, anonymised_at__isnull=True, merged_into__isnull=True)
        if instance.contact_id:
            contact |= Q(pk=instance.contact_id)
        self.fields["contact"].queryset = Person.objects.filter(contact).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["contact"].label_from_instance = person_label
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Measure"),
                _row("goal", "number", width=6),
                "title",
                "description",
                "target_group",
            ),
            Fieldset(_("Responsibility"), _row("lead", "contact"), "partners"),
            Fieldset(
                _("Status and schedule"),
                _row("status", "priority"),
                _row("start_on", "end_on"),
            ),
            Fieldset(_("Cost and funding"), _row("estimated_cost", "funding_note")),
            Submit("submit", _("Save")),
        )


def resolution_label(resolution) -> str:
    return f"{resolution.citation}: {resolution.agenda_item.title}"


class VersionAdoptForm(forms.Form):
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())
    adopted_by = forms.CharField(
        label=_("Adopted by"),
        max_length=200,
        required=False,
        help_text=_("The body and resolution, e.g. “Rat, Beschluss 2009/114”."),
    )
    resolution = forms.ModelChoiceField(
        label=_("Resolution"),
        queryset=None,
        required=False,
        help_text=_("The resolution recorded in the committee work, if it is there."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = adopting_resolutions(user=user)
        self.fields["resolution"].label_from_instance = resolution_label
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Adoption"), "adopted_on", "resolution", "adopted_by"),
            Submit("submit", _("Adopt")),
        )
