"""Forms of meetings: the meeting itself, attendance, the minutes' status, files.

They parse input; ``minutes.services.meetings`` writes.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput

from ..models import Attendance, Location, Meeting
from ..selectors.access import bodies_visible_to
from ..selectors.meetings import MemberRow, people_choices
from ..services.meetings import ADDRESS_FIELDS


class TimeInput(forms.TimeInput):
    """The browser's time picker ("19:00")."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


class MeetingForm(forms.ModelForm):
    """Body, date, times and the place: an existing location, or room and address typed
    in (the service finds or creates the location)."""

    room = forms.CharField(label=_("room"), max_length=200, required=False)
    street_address = forms.CharField(label=_("street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("postal code"), max_length=10, required=False)
    locality = forms.CharField(label=_("town"), max_length=100, required=False)

    class Meta:
        model = Meeting
        fields = ["body", "name", "date", "start_time", "end_time", "location"]
        widgets = {"date": DateInput, "start_time": TimeInput, "end_time": TimeInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies_visible_to(user).order_by("name")
        self.fields["location"].queryset = Location.objects.order_by("room", "street_address", "pk")
        self.fields["location"].label = _("existing location")
        self.fields["location"].empty_label = _("– new location, typed below –")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Meeting"),
                _row("body", "name"),
                Div(
                    Div("date", css_class="col-md-4"),
                    Div("start_time", css_class="col-md-4"),
                    Div("end_time", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Location"),
                "location",
                HTML(
                    '<p class="form-text mt-0">'
                    + str(_("Or type a new one; an identical location is reused."))
                    + "</p>"
                ),
                _row("room", "street_address"),
                _row("postal_code", "locality"),
            ),
            Submit("submit", _("Save")),
        )

    def clean(self):
        data = super().clean()
        if data.get("location") and any(data.get(name) for name in ADDRESS_FIELDS):
            raise forms.ValidationError(
                _("Choose an existing location or type a new one, not both.")
            )
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (*self.Meta.fields, *ADDRESS_FIELDS)}


class AttendanceForm(forms.Form):
    """Each member's attendance (present, excused, absent) and vote, and the free-text
    guests; the network guests come in ``GuestFormSet`` beside it."""

    guests = forms.CharField(
        label=_("further guests (free text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “Herr Meyer, Caritas”, for guests who are not in the network."),
    )

    def __init__(self, *args, members: list[MemberRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for row in members:
            pk = row.person.pk
            recorded = row.attendance
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=str(row.person),
                choices=Attendance.Status.choices,
                initial=recorded.status if recorded else Attendance.Status.PRESENT,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"vote_{pk}"] = forms.BooleanField(
                label=_("voting"),
                required=False,
                initial=recorded.has_vote if recorded else row.membership.has_vote,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def member_rows(self):
        """(row, status field, vote field) per member, for the table."""
        return [
            (row, self[f"status_{row.person.pk}"], self[f"vote_{row.person.pk}"])
            for row in self.members
        ]

    def member_entries(self) -> list[dict]:
        return [
            {
                "person": row.person,
                "status": self.cleaned_data[f"status_{row.person.pk}"],
                "has_vote": self.cleaned_data[f"vote_{row.person.pk}"],
            }
            for row in self.members
        ]


class GuestForm(forms.Form):
    person = forms.ModelChoiceField(label=_("guest"), queryset=None, required=False)
    function = forms.CharField(label=_("function"), max_length=200, required=False)
    has_vote = forms.BooleanField(label=_("voting"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_choices()
        self.fields["person"].empty_label = _("– choose –")


GuestFormSet = forms.formset_factory(GuestForm, extra=2)


class MinutesStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Meeting.MinutesStatus.choices, widget=forms.HiddenInput)
    approved_in = forms.ModelChoiceField(
        label=_("approved in the meeting of"),
        queryset=Meeting.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, approval_meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if approval_meetings is not None:
            self.fields["approved_in"].queryset = approval_meetings
        self.fields["approved_in"].empty_label = _("– choose –")


class MeetingAttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
    name = forms.CharField(
        label=_("name"),
        max_length=300,
        required=False,
        help_text=_("Shown instead of the file name; optional."),
    )
    is_public = forms.BooleanField(label=_("public"), required=False)


class MeetingFilterForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("body"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.TypedChoiceField(
        label=_("year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies_visible_to(user).order_by("name")
        self.fields["body"].empty_label = _("all bodies")
        self.fields["year"].choices = [("", _("all years")), *((y, str(y)) for y in years)]
