"""Forms of the monitoring. They parse input; ``measures.services.monitoring`` writes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput
from integration.core.models import FieldOfAction

from .models import Indicator, Observation


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "field_of_action",
            "name",
            "description",
            "unit",
            "source",
            "target_value",
            "higher_is_better",
            "position",
        ]
        # German decimals ("12,5") in and out; the browser's number input knows only points.
        localized_fields = ["target_value"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived fields of action are not offered, but one already set stays.
        offered = Q(is_active=True)
        if self.instance.field_of_action_id:
            offered |= Q(pk=self.instance.field_of_action_id)
        self.fields["field_of_action"].queryset = FieldOfAction.objects.filter(offered)
        self.fields["position"].help_text = _("Order within the field of action.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Indicator"),
                _row("field_of_action", "position"),
                "name",
                "description",
                _row("unit", "source"),
            ),
            Fieldset(_("Target"), _row("target_value", "higher_is_better")),
            Submit("submit", _("Save")),
        )


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["period_end", "period_label", "value", "note"]
        localized_fields = ["value"]
        widgets = {"period_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Value"),
                _row("period_end", "period_label"),
                "value",
                "note",
            ),
            Submit("submit", _("Save")),
        )
