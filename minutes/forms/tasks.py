"""Forms of the Beschlusskontrolle: a new task, editing and closing it, the
overview's filters."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actors.filters import FilterForm
from actors.forms import DateInput, person_label
from actors.models import Organisation, Person
from measures.models import Measure
from measures.selectors.updates import current_measures

from ..models import FollowUpTask
from ..selectors.access import bodies_visible_to
from ..selectors.tasks import ACTIVE


def _row(*names) -> Div:
    return Div(*(Div(name, css_class="col-md-6") for name in names), css_class="row")


class TaskForm(forms.ModelForm):
    """A new task: what, who (a person OR an organisation of the network), by when."""

    class Meta:
        model = FollowUpTask
        fields = ["title", "description", "owner_person", "owner_organisation", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "due_on": DateInput}
        help_texts = {
            "title": gettext_lazy("e.g. “Konkrete Stellenbeschreibung erstellen”"),
            "owner_person": gettext_lazy("A person of the network, or …"),
            "owner_organisation": gettext_lazy("… an organisation of the network."),
        }

    legend = gettext_lazy("Follow-up task")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        people = Q(is_archived=False, anonymised_at__isnull=True, merged_into__isnull=True)
        if instance.owner_person_id:
            people |= Q(pk=instance.owner_person_id)
        self.fields["owner_person"].queryset = Person.objects.filter(people).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["owner_person"].label_from_instance = person_label
        organisations = Q(is_archived=False)
        if instance.owner_organisation_id:
            organisations |= Q(pk=instance.owner_organisation_id)
        self.fields["owner_organisation"].queryset = Organisation.objects.filter(
            organisations
        ).order_by("name")
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.fieldsets(), Submit("submit", _("Save")))

    def fieldsets(self) -> list:
        return [
            Fieldset(self.legend, "title", "description"),
            Fieldset(
                _("Responsibility"), _row("owner_person", "owner_organisation"), _row("due_on")
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        person, organisation = cleaned.get("owner_person"), cleaned.get("owner_organisation")
        if person and organisation:
            message = _("Please choose either a person or an organisation as owner, not both.")
        elif not person and not organisation and "owner_person" not in self.errors:
            message = _("Please choose a person or an organisation as owner.")
        else:
            return cleaned
        self.add_error("owner_person", message)
        self.add_error("owner_organisation", message)
        return cleaned

    def _post_clean(self):
        # The model's constraints are the service's job (its German messages).
        pass


class TaskUpdateForm(TaskForm):
    """Everything of a task, plus its state: status, closing note, the measure."""

    class Meta(TaskForm.Meta):
        fields = [*TaskForm.Meta.fields, "status", "closing_note", "measure", "measure_status"]
        widgets = TaskForm.Meta.widgets | {"closing_note": forms.Textarea(attrs={"rows": 3})}
        help_texts = TaskForm.Meta.help_texts | {
            "closing_note": gettext_lazy("Required when the task is done or cancelled."),
            "measure": gettext_lazy("A measure of the current integration concept."),
            "measure_status": gettext_lazy(
                "When the task is done, the measure gets this status (a status update)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        measures = Q(pk__in=current_measures().values("pk"))
        if self.instance.measure_id:
            measures |= Q(pk=self.instance.measure_id)
        self.fields["measure"].queryset = (
            Measure.objects.filter(measures)
            .select_related("goal")
            .order_by("goal__number", "number")
        )

    def fieldsets(self) -> list:
        return [
            *super().fieldsets(),
            Fieldset(_("State"), _row("status"), "closing_note"),
            Fieldset(_("Measure of the concept"), _row("measure", "measure_status")),
        ]


ACTIVE_STATUS = "active"
ALL_STATUS = "all"


class TaskFilterSet(django_filters.FilterSet):
    """The overview's filters: text, body, status (open and in progress by default),
    overdue only. Pass ``request`` so that only visible bodies are offered."""

    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_search")
    body = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Body"),
        field_name="agenda_item__meeting__body",
        queryset=None,
        empty_label=gettext_lazy("All"),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[*FollowUpTask.Status.choices, (ALL_STATUS, gettext_lazy("All"))],
        empty_label=gettext_lazy("Open and in progress"),
        method="filter_status",
    )
    overdue = django_filters.ChoiceFilter(
        label=gettext_lazy("Schedule"),
        choices=[("yes", gettext_lazy("Overdue only"))],
        empty_label=gettext_lazy("All"),
        method="filter_overdue",
    )

    class Meta:
        form = FilterForm
        model = FollowUpTask
        fields = ["q", "body", "status", "overdue"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["body"].queryset = bodies_visible_to(self.request.user).order_by("name")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=ACTIVE)
        return queryset

    def filter_search(self, queryset, name, value):
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(owner_person__last_name__icontains=term)
                | Q(owner_organisation__name__icontains=term)
            )
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUS else queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(status__in=ACTIVE, due_on__lt=self.today)
