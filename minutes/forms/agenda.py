"""Forms of the agenda: an item, and an item's minutes with its resolution and vote."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from measures.selectors.updates import current_measures

from ..models import AgendaItem, Meeting, Resolution
from ..selectors.access import bodies_visible_to
from ..selectors.meetings import agenda_papers, attendee_ids, people_choices


class PaperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, paper):
        return f"{paper.reference} {paper.title}"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return person.sorted_name


VISIBILITY_CHOICES = [
    ("public", _("public (Ö)")),
    ("nonpublic", _("non-public (N)")),
]


class AgendaItemForm(forms.ModelForm):
    """Title, part of the agenda and the paper treated (chosen among visible papers)."""

    visibility = forms.TypedChoiceField(
        label=_("part"),
        choices=VISIBILITY_CHOICES,
        coerce=lambda value: value == "public",
        initial="public",
    )
    paper = PaperChoiceField(label=_("paper"), queryset=None, required=False)

    class Meta:
        model = AgendaItem
        fields = ["title", "paper"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = agenda_papers(user=user)
        self.fields["paper"].empty_label = _("– no paper –")
        if self.instance.pk:
            self.initial["visibility"] = "public" if self.instance.is_public else "nonpublic"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "title",
            Div(
                Div("visibility", css_class="col-md-4"),
                Div("paper", css_class="col-md-8"),
                css_class="row",
            ),
            Submit("submit", _("Save")),
        )

    def changes(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "is_public": data["visibility"], "paper": data["paper"]}


NO_RESOLUTION = ("", _("– no resolution –"))
COUNTS = ("yes", "no", "abstentions", "biased")


class ItemMinutesForm(forms.Form):
    """The Wortprotokoll, the speakers and the resolution with its vote."""

    minutes_text = forms.CharField(
        label=_("minutes (Wortprotokoll)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    speakers = PersonChoiceField(
        label=_("speakers present"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_speakers = PersonChoiceField(
        label=_("other speakers from the network"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    kind = forms.ChoiceField(
        label=_("kind of resolution"),
        choices=[NO_RESOLUTION, *Resolution.Kind.choices],
        required=False,
    )
    text = forms.CharField(
        label=_("text of the resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    referred_to = forms.ModelChoiceField(label=_("referred to"), queryset=None, required=False)
    vote = forms.ChoiceField(
        label=_("vote"),
        choices=Resolution.Vote.choices,
        initial=Resolution.Vote.NONE,
        widget=forms.RadioSelect,
    )
    yes = forms.IntegerField(label=_("yes"), min_value=0, required=False)
    no = forms.IntegerField(label=_("no"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("abstentions"), min_value=0, required=False)
    biased = forms.IntegerField(label=_("biased (befangen)"), min_value=0, required=False)
    measures = forms.ModelMultipleChoiceField(
        label=_("measures concerned"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, item: AgendaItem, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        present = attendee_ids(meeting=meeting)
        people = people_choices()
        self.fields["speakers"].queryset = people.filter(pk__in=present)
        self.fields["other_speakers"].queryset = people.exclude(pk__in=present)
        self.fields["referred_to"].queryset = (
            bodies_visible_to(user).exclude(pk=meeting.body_id).order_by("name")
        )
        self.fields["referred_to"].empty_label = "–"
        self.fields["measures"].queryset = current_measures()
        if not self.is_bound:
            self.initial |= self._initial_from(item, set(present))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Minutes"), "minutes_text", "speakers", "other_speakers"),
            Fieldset(
                _("Resolution"),
                Div(
                    Div("kind", css_class="col-md-6"),
                    Div("referred_to", css_class="col-md-6"),
                    css_class="row",
                ),
                "text",
                "vote",
                Div(
                    *(Div(name, css_class="col-6 col-md-3") for name in COUNTS),
                    css_class="row vote-counts",
                ),
                "measures",
            ),
        )

    @staticmethod
    def _initial_from(item: AgendaItem, present: set[int]) -> dict:
        speakers = list(item.speakers.all())
        initial = {
            "minutes_text": item.minutes_text,
            "speakers": [person for person in speakers if person.pk in present],
            "other_speakers": [person for person in speakers if person.pk not in present],
        }
        resolution = getattr(item, "resolution", None)
        if resolution is not None:
            initial |= {
                "kind": resolution.kind,
                "text": resolution.text,
                "referred_to": resolution.referred_to,
                "vote": resolution.vote,
                "measures": list(resolution.measures.all()),
                **{name: getattr(resolution, name) for name in COUNTS},
            }
        return initial

    def clean(self):
        data = super().clean()
        described = data.get("text") or data.get("referred_to") or data.get("measures")
        counted = any(data.get(name) is not None for name in COUNTS)
        voted = data.get("vote") not in (None, Resolution.Vote.NONE)
        if not data.get("kind") and (described or counted or voted):
            self.add_error("kind", _("Please choose the kind of resolution."))
        return data

    def speakers_chosen(self) -> list:
        data = self.cleaned_data
        return [*data["speakers"], *data["other_speakers"]]

    def resolution(self) -> dict | None:
        data = self.cleaned_data
        if not data["kind"]:
            return None
        return {
            "kind": data["kind"],
            "text": data["text"],
            "referred_to": data["referred_to"],
            "vote": data["vote"],
            "measures": data["measures"],
            **{name: data[name] for name in COUNTS},
        }
