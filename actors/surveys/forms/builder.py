"""Forms of the builder: survey settings, questions, choosing recipients."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actors.forms import DateInput
from actors.models import Circle, Person
from measures.models import Measure
from measures.selectors.updates import current_measures

from ..models import Question, Survey

# A choice question offers at most this many answers, each at most this long.
MAX_OPTIONS = 50
OPTION_MAX_LENGTH = 200


class ReminderDaysField(forms.CharField):
    """Days after the launch as text, "7, 14" → ``[7, 14]`` (sorted, each once)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        text = super().to_python(value)
        days = set()
        for part in re.split(r"[,;\s]+", text.strip()):
            if not part:
                continue
            if not part.isdecimal():
                raise forms.ValidationError(
                    _("“%(value)s” is not a whole number of days. Enter the days like “7, 14”."),
                    code="invalid",
                    params={"value": part},
                )
            days.add(int(part))
        return sorted(days)


class SurveyForm(forms.ModelForm):
    """The settings of a survey; after the launch only what may still change is enabled."""

    reminder_days = ReminderDaysField(
        label=_("Reminder days"),
        required=False,
        help_text=_(
            "Days after the launch on which those who have not answered are reminded, "
            "separated by commas, e.g. “7, 14”. Empty: no automatic reminders."
        ),
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "introduction",
            "closing_text",
            "opens_on",
            "closes_on",
            "is_anonymous",
            "contact_name",
            "contact_email",
            "reminder_days",
            "max_reminders",
        ]
        widgets = {
            "opens_on": DateInput,
            "closes_on": DateInput,
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "closing_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.status != Survey.Status.DRAFT:
            for name in ("opens_on", "is_anonymous"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Cannot be changed after the launch.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Survey"), "title", "introduction", "closing_text"),
            Fieldset(
                _("Period and anonymity"),
                Div(
                    Div("opens_on", css_class="col-md-6"),
                    Div("closes_on", css_class="col-md-6"),
                    css_class="row",
                ),
                "is_anonymous",
            ),
            Fieldset(
                _("Who asks"),
                Div(
                    Div("contact_name", css_class="col-md-6"),
                    Div("contact_email", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Reminders"),
                Div(
                    Div("reminder_days", css_class="col-md-8"),
                    Div("max_reminders", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Submit("submit", _("Save")),
        )

    def changes(self) -> dict:
        """The values for the service: only the fields the coordinator may still change."""
        return {
            name: self.cleaned_data[name]
            for name, field in self.fields.items()
            if not field.disabled
        }


def _kinds(*kinds) -> str:
    return " ".join(str(kind) for kind in kinds)


class QuestionForm(forms.ModelForm):
    """A question; the fields of other kinds are hidden by ``question_form.js`` and
    ignored here, so what a hidden field still holds does not count."""

    options = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One answer per line."),
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "text",
            "help_text",
            "is_required",
            "options",
            "allows_other",
            "scale_low_label",
            "scale_high_label",
            "number_min",
            "number_max",
            "measures",
        ]
        help_texts = {
            "measures": _("The measures of the integration concept this question asks about."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every question has a kind: no empty choice.
        self.fields["kind"].choices = Question.Kind.choices
        # Measures of the current concept, and those linked already.
        offered = Q(pk__in=current_measures().values("pk"))
        if self.instance.pk:
            offered |= Q(pk__in=self.instance.measures.values("pk"))
        self.fields["measures"].queryset = (
            Measure.objects.filter(offered)
            .select_related("goal")
            .order_by("goal__number", "number")
        )
        self.fields["measures"].widget.attrs["size"] = 8
        if isinstance(self.initial.get("options"), list):
            self.initial["options"] = "\n".join(self.initial["options"])
        self.helper = FormHelper()
        self.helper.form_id = "question-form"
        self.helper.layout = Layout(
            "kind",
            Fieldset(_("Question"), "text", "help_text", "is_required"),
            Fieldset(
                _("Answers"),
                "options",
                "allows_other",
                data_kinds=_kinds(*Question.CHOICE_KINDS),
            ),
            Fieldset(
                _("Scale"),
                Div(
                    Div("scale_low_label", css_class="col-md-6"),
                    Div("scale_high_label", css_class="col-md-6"),
                    css_class="row",
                ),
                data_kinds=_kinds(Question.Kind.SCALE),
            ),
            Fieldset(
                _("Allowed numbers"),
                Div(
                    Div("number_min", css_class="col-md-6"),
                    Div("number_max", css_class="col-md-6"),
                    css_class="row",
                ),
                data_kinds=_kinds(Question.Kind.NUMBER),
            ),
            Fieldset(_("Integration concept"), "measures"),
            Submit("submit", _("Save")),
        )

    def _options_typed(self) -> list[str]:
        text = self.data.get(self.add_prefix("options"), "") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_options(self) -> list[str]:
        options = self._options_typed()
        if len(options) > MAX_OPTIONS:
            raise forms.ValidationError(
                _("Offer at most %(max)d answers."), params={"max": MAX_OPTIONS}
            )
        for option in options:
            if len(option) > OPTION_MAX_LENGTH:
                raise forms.ValidationError(
                    _("Each answer may be at most %(max)d characters long."),
                    params={"max": OPTION_MAX_LENGTH},
                )
        return options

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        # What the page hid for this kind is dropped, not validated.
        if kind not in Question.CHOICE_KINDS:
            cleaned["options"] = []
            cleaned["allows_other"] = False
            self.errors.pop("options", None)
        elif "options" not in cleaned:
            # Too many or too long: said once here, not again by the model's check.
            cleaned["options"] = self._options_typed()
        if kind != Question.Kind.SCALE:
            cleaned["scale_low_label"] = cleaned["scale_high_label"] = ""
        if kind != Question.Kind.NUMBER:
            cleaned["number_min"] = cleaned["number_max"] = None
            self.errors.pop("number_min", None)
            self.errors.pop("number_max", None)
        return cleaned

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QuestionKindForm(forms.Form):
    """The kind chosen before a new question's form opens (a GET form)."""

    kind = forms.ChoiceField(
        label=_("Kind of the new question"),
        choices=Question.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class RecipientAddForm(forms.Form):
    """Circles as a whole or chosen people; a filtered list comes as the filter's data."""

    SOURCES = ("circles", "people", "filter")

    source = forms.ChoiceField(choices=[(source, source) for source in SOURCES])
    circles = forms.ModelMultipleChoiceField(
        label=_("Circles"),
        queryset=Circle.objects.filter(is_archived=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["people"].queryset = people

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source == "circles" and not cleaned.get("circles"):
            raise forms.ValidationError(_("Choose at least one circle."))
        if source == "people" and not cleaned.get("people"):
            raise forms.ValidationError(_("Choose at least one person."))
        return cleaned
