"""Forms of the network's screens. They parse input; the services in ``actors.services`` write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from integration.core.models import FieldOfAction

from .models import Affiliation, Circle, CircleMembership, Organisation, Person


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def person_label(person: Person) -> str:
    """ "Haddad, Amina – Integrationslotsen · amina@…": sorts by surname, tells namesakes apart."""
    name = person.sorted_name
    details = [a.organisation.name for a in getattr(person, "current_affiliations", [])][:2]
    if person.email:
        details.append(person.email)
    return f"{name} – {' · '.join(details)}" if details else name


class PersonChoiceField(forms.ModelChoiceField):
    """Validates against every allowed person, but offers only ``shown`` when set.

    A network of thousands cannot be one select: the view narrows what is offered
    with a search (``PersonSearchForm``); a chosen person is still checked against
    the whole queryset, so a search and a POST need not match exactly.
    """

    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)

    def offer(self, shown) -> None:
        self.choices = [("", self.empty_label), *((p.pk, person_label(p)) for p in shown)]


class PersonSearchForm(forms.Form):
    """The GET search that narrows a person select: words of the name or the email."""

    q = forms.CharField(
        label=_("Search for a person"),
        required=False,
        max_length=100,
        help_text=_("Part of the first name, last name or email address."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class OrganisationForm(forms.ModelForm):
    # Addresses typed without a scheme ("www.caritas-wiesenbrueck.de") are https.
    website = forms.URLField(
        label=capfirst(Organisation._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "staffing",
            "fields_of_action",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "notes",
        ]
        widgets = {
            "fields_of_action": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived fields of action are not offered, but one already set stays visible.
        offered = Q(is_active=True)
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.fields_of_action.values("pk"))
        self.fields["fields_of_action"].queryset = FieldOfAction.objects.filter(offered)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Organisation"),
                "name",
                Div(
                    Div("short_name", css_class="col-md-4"),
                    Div("kind", css_class="col-md-4"),
                    Div("staffing", css_class="col-md-4"),
                    css_class="row",
                ),
                "fields_of_action",
            ),
            Fieldset(
                _("Address and contact"),
                "street",
                Div(
                    Div("postal_code", css_class="col-md-4"),
                    Div("city", css_class="col-md-8"),
                    css_class="row",
                ),
                Div(
                    Div("phone", css_class="col-md-6"),
                    Div("email", css_class="col-md-6"),
                    css_class="row",
                ),
                "website",
            ),
            Fieldset(_("Notes"), "notes"),
            Submit("submit", _("Save")),
        )


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "salutation",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "languages",
            "is_volunteer",
            "notes",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Person"),
                Div(
                    Div("salutation", css_class="col-md-4"),
                    Div("title", css_class="col-md-2"),
                    Div("first_name", css_class="col-md-3"),
                    Div("last_name", css_class="col-md-3"),
                    css_class="row",
                ),
                "is_volunteer",
            ),
            Fieldset(
                _("Contact"),
                Div(
                    Div("email", css_class="col-md-6"),
                    Div("phone", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(_("Languages"), "languages"),
            Fieldset(_("Notes"), "notes"),
            Submit("submit", _("Save")),
        )


class CircleForm(forms.ModelForm):
    class Meta:
        model = Circle
        fields = ["name", "kind", "description", "is_archived"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["is_archived"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Circle"), *self.fields),
            Submit("submit", _("Save")),
        )


class AffiliationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.active()
    )
    function = forms.CharField(
        label=_("Function"),
        max_length=Affiliation._meta.get_field("function").max_length,
        required=False,
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Add affiliation"), "organisation", "function", "start_date"),
            Submit("submit", _("Save")),
        )


class EndDateForm(forms.Form):
    """The day an affiliation or a membership ends; today unless told otherwise."""

    end_date = forms.DateField(label=_("Until"), widget=DateInput)

    def __init__(self, *args, legend="", **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("end_date", timezone.localdate())
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(legend or _("End"), "end_date"), Submit("submit", _("Save"))
        )


class MembershipForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none(), required=False)
    organisation = forms.ModelChoiceField(
        label=_("or organisation"), queryset=Organisation.objects.active(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CircleMembership.Role.choices,
        initial=CircleMembership.Role.MEMBER,
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput)

    def __init__(self, *args, people, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        if shown is not None:
            self.fields["person"].offer(shown)
            # Screen readers hear how many people the search offered.
            self.fields["person"].widget.attrs["aria-describedby"] = "person-search-status"
        self.helper = FormHelper()
        self.helper.form_id = "membership-form"
        self.helper.layout = Layout(
            Fieldset(_("Add member"), "person", "organisation", "role", "start_date"),
            Submit("submit", _("Save")),
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("person")) == bool(cleaned.get("organisation")):
            raise forms.ValidationError(_("Choose either a person or an organisation."))
        return cleaned


class PersonMembershipForm(forms.Form):
    """Put the person of the page into a circle: the list of circles is short."""

    circle = forms.ModelChoiceField(
        label=_("Circle"), queryset=Circle.objects.filter(is_archived=False)
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CircleMembership.Role.choices,
        initial=CircleMembership.Role.MEMBER,
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Add to a circle"), "circle", "role", "start_date"),
            Submit("submit", _("Save")),
        )


class PersonMergeForm(forms.Form):
    duplicate = PersonChoiceField(
        label=_("Duplicate"),
        queryset=Person.objects.none(),
        help_text=_(
            "The duplicate is merged into the person above and then archived; "
            "its history stays readable there."
        ),
    )

    def __init__(self, *args, people, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = people
        if shown is not None:
            self.fields["duplicate"].offer(shown)
            self.fields["duplicate"].widget.attrs["aria-describedby"] = (
                "id_duplicate_helptext person-search-status"
            )
        self.helper = FormHelper()
        self.helper.form_id = "merge-form"
        self.helper.layout = Layout(
            Fieldset(_("Choose the duplicate"), "duplicate"),
            Submit("submit", _("Continue")),
        )
