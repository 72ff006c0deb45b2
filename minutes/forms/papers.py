"""Forms of papers, their Beratungsfolge and files. They parse input;
``minutes.services.papers`` and ``minutes.services.attachments`` write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actors.forms import DateInput

from ..models import Consultation, Paper
from ..selectors.access import bodies_visible_to, papers_visible_to, scope_for
from ..selectors.papers import (
    authors_for,
    lead_departments_for,
    person_name,
    references_resolve,
    references_text,
)
from ..services.attachments import allowed_extensions


def _row(*names, width: int = 6) -> Div:
    return Div(*(Div(name, css_class=f"col-md-{width}") for name in names), css_class="row")


class PaperForm(forms.ModelForm):
    """A paper's fields; related papers are typed as references ("2020/031, 2019/114")."""

    related = forms.CharField(
        label=pgettext_lazy("paper", "Related papers"),
        required=False,
        max_length=500,
        help_text=_("References separated by commas, e.g. “2020/031, 2019/114-1”."),
    )

    class Meta:
        model = Paper
        fields = ["kind", "title", "date", "lead_department", "author", "is_public"]
        fields += ["text", "proposal"]
        labels = {
            "lead_department": pgettext_lazy("paper", "Lead department"),
            "author": pgettext_lazy("paper", "Author"),
            "is_public": _("Public"),
        }
        help_texts = {
            "is_public": _(
                "Non-public papers are seen by the lead and the consulting bodies only."
            ),
            "date": _("The year of the date is the year of the reference."),
            # The model's help text only repeats the German label.
            "proposal": "",
        }
        widgets = {
            "date": DateInput(),
            "text": forms.Textarea(attrs={"rows": 8}),
            "proposal": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance
        lead = self.fields["lead_department"]
        lead.queryset = lead_departments_for(user=user, current=instance.lead_department)
        # A Verwaltung login must name one of its departments (the service insists too).
        lead.required = not scope_for(user).everything
        author = self.fields["author"]
        author.queryset = authors_for(current=instance.author)
        author.label_from_instance = person_name
        if instance.pk:
            self.fields["date"].help_text = _("The reference %(reference)s stays.") % {
                "reference": instance.reference
            }
            if "related" not in self.initial:
                # Only what the user may see; the others stay linked (paper_update).
                self.initial["related"] = references_text(
                    instance.related_papers.filter(
                        pk__in=papers_visible_to(user).values("pk")
                    ).order_by("year", "serial", "supplement")
                )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Paper"),
                _row("kind", "date"),
                "title",
                _row("lead_department", "author"),
                _row("related", "is_public"),
            ),
            Fieldset(_("Content"), "text", "proposal"),
            Submit("submit", _("Save")),
        )

    def clean_related(self) -> list[Paper]:
        text = self.cleaned_data["related"]
        return references_resolve(user=self.user, text=text) if text.strip() else []


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["body", "role"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Editors of papers (Koordination, Verwaltung) see every body.
        self.fields["body"].queryset = bodies_visible_to(user).order_by("name")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class BaseConsultationFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"user": self.user}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = pgettext_lazy("consultation", "Position")
        # A narrow text box: a number input would stretch over the column.
        form.fields["ORDER"].widget = forms.TextInput(
            attrs={"class": "form-control w-auto", "size": 3, "inputmode": "numeric"}
        )
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


ConsultationFormSet = forms.modelformset_factory(
    Consultation,
    form=ConsultationForm,
    formset=BaseConsultationFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
)


class AttachmentUploadForm(forms.Form):
    """A file for a paper; the checks of type and content are the service's."""

    upload = forms.FileField(label=_("File"))
    name = forms.CharField(
        label=_("Name shown"),
        required=False,
        max_length=300,
        help_text=_("Optional; otherwise the file name is shown."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        extensions = allowed_extensions()
        self.fields["upload"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in extensions)
        self.fields["upload"].help_text = _("%(types)s, at most %(size)s.") % {
            "types": ", ".join(ext.upper() for ext in extensions),
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        }
