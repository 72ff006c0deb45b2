"""The portal's filter forms (GET). Their choices come from the access selectors,
so a body the visitor may not see is neither offered nor accepted: such a value
simply leaves the filter unset."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Paper
from .selectors import body_get_queryset, paper_years


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _VisitorForm(forms.Form):
    """A filter form over what ``user`` may see; ``value(name)`` is the cleaned
    value, or the empty value when the input was invalid."""

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["body"] = BodyChoiceField(
            label=_("Body"),
            queryset=body_get_queryset(user=user).order_by("name"),
            required=False,
            empty_label=_("All bodies"),
        )

    def value(self, name: str):
        if not self.is_bound:
            return None
        # Keep what is valid: one wrong parameter should not drop the others.
        self.is_valid()
        return self.cleaned_data.get(name)


class MeetingFilterForm(_VisitorForm):
    """The meeting calendar's body filter (the month travels in its own parameter)."""


class TaskFilterForm(_VisitorForm):
    """The Beschlusskontrolle's body filter."""


class PaperFilterForm(_VisitorForm):
    """The paper list's filters: body (Beratungsfolge or agenda), year, kind."""

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year"),
            choices=[("", _("All years"))] + [(year, year) for year in paper_years(user=user)],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["kind"] = forms.ChoiceField(
            label=_("Kind of paper"),
            choices=[("", _("All kinds")), *Paper.Kind.choices],
            required=False,
        )
