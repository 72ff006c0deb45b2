"""Forms of the data-protection screens: record and withdraw consent, erase a person."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Consent

ALL_PURPOSES = "all"


class ConsentForm(forms.Form):
    """One legal basis for one or several purposes; the service creates one Consent each."""

    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=Consent.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One record is stored per purpose, each can be withdrawn on its own."),
    )
    basis = forms.ChoiceField(
        label=_("Legal basis"), choices=Consent.Basis.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label=_("How given"), choices=Consent.Method.choices)
    given_on = forms.DateField(
        label=_("Given on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("e.g. “form signed at the round table, filed in folder 3”"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Legal basis"), "purposes", "basis", "method", "given_on", "note"),
            Submit("submit", _("Save")),
        )

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("The date must not be in the future."))
        return given_on


class ConsentWithdrawForm(forms.Form):
    """Withdraw the valid basis for one purpose, or for all of them."""

    purpose = forms.ChoiceField(label=_("Withdraw for"))
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("e.g. “by phone on 3 May”. Do not repeat the person's name."),
    )

    def __init__(self, *args, valid_purposes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Consent.Purpose.choices)
        self.fields["purpose"].choices = [
            (ALL_PURPOSES, _("All purposes")),
            *((purpose, labels[purpose]) for purpose in valid_purposes),
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Withdrawal"), "purpose", "note"),
            Submit("submit", _("Withdraw"), css_class="btn-danger"),
        )


class PersonEraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_(
            "e.g. “request for erasure by letter of 3 May”. Do not name the person: "
            "the privacy log is kept."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the erasure cannot be undone."), required=True
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The confirmation page holds a second form, the data export.
        self.helper.form_id = "erase-form"
        self.helper.layout = Layout(
            "reason",
            "confirm",
            Submit("submit", _("Erase irrevocably"), css_class="btn-danger"),
            HTML(format_html('<a class="btn btn-link" href="{}">{}</a>', cancel_url, _("Cancel"))),
        )
