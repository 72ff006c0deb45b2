"""Forms of funding: programmes, grants and a grant's money per year.

They parse input; ``measures.services.funding`` checks the rules and writes.
"""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput
from actors.models import Organisation
from integration.core.models import User

from .models import FundingProgramme, Grant, Measure
from .selectors.updates import current_measures
from .services.funding import YearAmounts


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


class ProgrammeForm(forms.ModelForm):
    # Addresses typed without a scheme ("www.mkjfgfi.nrw") are https.
    url = forms.URLField(
        label=capfirst(FundingProgramme._meta.get_field("url").verbose_name),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = FundingProgramme
        fields = [
            "name",
            "short_name",
            "provider",
            "level",
            "description",
            "url",
            "application_deadline",
            "deadline_note",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "application_deadline": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Funding programme"),
                _row("name", "short_name"),
                _row("provider", "level"),
                "description",
                "url",
            ),
            Fieldset(_("Deadlines"), _row("application_deadline", "deadline_note"), "is_active"),
            Submit("submit", _("Save")),
        )


class GrantForm(forms.ModelForm):
    """A grant; its years come in ``GrantYearFormSet`` on the same page."""

    measures = forms.ModelMultipleChoiceField(
        label=_("Measures it pays for"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Measures of the current version of the concept."),
    )

    class Meta:
        model = Grant
        fields = [
            "programme",
            "title",
            "reference",
            "recipient",
            "status",
            "purpose",
            "measures",
            "starts_on",
            "ends_on",
            "applied_on",
            "decided_on",
            "report_due_on",
            "report_submitted_on",
            "responsible",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "applied_on": DateInput(),
            "decided_on": DateInput(),
            "report_due_on": DateInput(),
            "report_submitted_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # Closed programmes take no new grants, but a grant keeps its own.
        programmes = Q(is_active=True)
        if instance.programme_id:
            programmes |= Q(pk=instance.programme_id)
        self.fields["programme"].queryset = FundingProgramme.objects.filter(programmes)
        recipients = Q(is_archived=False)
        if instance.recipient_id:
            recipients |= Q(pk=instance.recipient_id)
        self.fields["recipient"].queryset = Organisation.objects.filter(recipients).order_by("name")
        responsible = Q(is_active=True)
        if instance.responsible_id:
            responsible |= Q(pk=instance.responsible_id)
        self.fields["responsible"].queryset = User.objects.filter(responsible)
        # Links to an older version's copy stay (they were made while it was current).
        measures = Q(pk__in=current_measures().values("pk"))
        if instance.pk:
            measures |= Q(pk__in=instance.measures.values("pk"))
        self.fields["measures"].queryset = (
            Measure.objects.filter(measures)
            .select_related("goal")
            .order_by("goal__version_id", "goal__number", "number")
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Grant"),
                _row("programme", "status"),
                "title",
                _row("reference", "recipient"),
                "purpose",
                "measures",
            ),
            Fieldset(
                _("Period and dates"),
                _row("starts_on", "ends_on"),
                _row("applied_on", "decided_on"),
            ),
            Fieldset(
                _("Report"),
                _row("report_due_on", "report_submitted_on"),
                "responsible",
            ),
        )


THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class MoneyField(forms.DecimalField):
    """An amount in euros as Germans type it: "32.000,50", "32000,50", "33.000 €"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("€", "").replace(" ", "").replace("\xa0", "").strip()
            if "," in value or THOUSANDS.match(value):
                value = value.replace(".", "")
        return super().to_python(value)


def _money_field(label) -> MoneyField:
    # Localised, so values are shown with a decimal comma too.
    return MoneyField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class GrantYearForm(forms.Form):
    """One calendar year of a grant's money; a row without amounts is not stored."""

    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    applied = _money_field(_("Applied for (€)"))
    granted = _money_field(_("Granted (€)"))
    spent = _money_field(_("Spent (€)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class BaseGrantYearFormSet(forms.BaseFormSet):
    def amounts(self) -> list[YearAmounts]:
        """The rows to store: with a year and an amount, not marked for removal."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("year") is None:
                continue
            if all(data.get(name) is None for name in ("applied", "granted", "spent")):
                continue
            rows.append(
                YearAmounts(
                    year=data["year"],
                    applied=data.get("applied"),
                    granted=data.get("granted"),
                    spent=data.get("spent"),
                )
            )
        return rows


GrantYearFormSet = forms.formset_factory(
    GrantYearForm, formset=BaseGrantYearFormSet, extra=1, can_delete=True, max_num=40
)
