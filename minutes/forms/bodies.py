"""Forms of bodies and memberships; ``minutes.services.bodies`` writes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput, PersonChoiceField
from actors.models import Circle, Person

from ..models import Body, Membership


class BodyForm(forms.ModelForm):
    take_over_circle_members = forms.BooleanField(
        label=_("Take over the members of the circle"),
        required=False,
        help_text=_(
            "The circle's current people become members of this body (role “Member”, "
            "from today); people already seated are skipped."
        ),
    )

    class Meta:
        model = Body
        fields = [
            "name",
            "short_name",
            "kind",
            "description",
            "circle",
            "is_public",
            "start_date",
            "end_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput,
            "end_date": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived circles are not offered, but one already linked stays visible.
        offered = Q(is_archived=False)
        if self.instance.circle_id:
            offered |= Q(pk=self.instance.circle_id)
        self.fields["circle"].queryset = Circle.objects.filter(offered)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Body"),
                "name",
                Div(
                    Div("short_name", css_class="col-md-4"),
                    Div("kind", css_class="col-md-8"),
                    css_class="row",
                ),
                "description",
                "is_public",
                Div(
                    Div("start_date", css_class="col-md-6"),
                    Div("end_date", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Circle of the network (informal bodies)"),
                "circle",
                "take_over_circle_members",
            ),
            Submit("submit", _("Save")),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("take_over_circle_members") and not cleaned.get("circle"):
            self.add_error(
                "take_over_circle_members", _("Please choose the circle whose members join.")
            )
        return cleaned


class MembershipForm(forms.Form):
    """A seat in a body; the person is chosen on creation and fixed afterwards."""

    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
    on_behalf_of = forms.CharField(
        label=capfirst(Membership._meta.get_field("on_behalf_of").verbose_name),
        max_length=Membership._meta.get_field("on_behalf_of").max_length,
        required=False,
        help_text=Membership._meta.get_field("on_behalf_of").help_text,
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DateInput,
        help_text=_("Ends the membership: the last day of the seat."),
    )

    def __init__(self, *args, people=None, shown=None, legend="", **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            if shown is not None:
                self.fields["person"].offer(shown)
                self.fields["person"].widget.attrs["aria-describedby"] = "person-search-status"
        self.helper = FormHelper()
        self.helper.form_id = "membership-form"
        self.helper.layout = Layout(
            Fieldset(
                legend or _("Membership"),
                *(["person"] if people is not None else []),
                Div(
                    Div("role", css_class="col-md-6"),
                    Div("on_behalf_of", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("start_date", css_class="col-md-6"),
                    Div("end_date", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Submit("submit", _("Save")),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot lie before the start."))
        return cleaned
