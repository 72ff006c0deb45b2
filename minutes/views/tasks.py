"""The Beschlusskontrolle: the overview of tasks per body, a new task from an
agenda item, editing and closing a task. Every task comes from ``tasks_visible_to``."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from integration.core.mixins import ServiceFormMixin

from ..forms.tasks import TaskFilterSet, TaskForm, TaskUpdateForm
from ..selectors.access import agenda_items_visible_to, tasks_visible_to
from ..selectors.tasks import reminder_days, tasks_by_body, tasks_list, traffic_light
from ..services import tasks as services


class TaskListView(PermissionRequiredMixin, TemplateView):
    """Open and overdue tasks grouped by body, with traffic lights and counts; filters."""

    permission_required = "minutes.view_followuptask"
    template_name = "minutes/tasks/task_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filterset = TaskFilterSet(
            self.request.GET,
            queryset=tasks_list(user=self.request.user),
            request=self.request,
            today=today,
        )
        groups = tasks_by_body(filterset.qs, user=self.request.user, today=today)
        return super().get_context_data(**kwargs) | {
            "filter": filterset,
            "groups": groups,
            "total": sum(group.count for group in groups),
            "overdue": sum(group.overdue for group in groups),
            "due_soon": sum(group.due_soon for group in groups),
            "days": reminder_days(),
            "filtered": bool(self.request.GET),
        }


class TaskCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """A new task from an agenda item (linked to its resolution if there is one)."""

    permission_required = "minutes.add_followuptask"
    template_name = "minutes/tasks/task_form.html"
    form_class = TaskForm
    success_message = gettext_lazy("The task “%(name)s” was created.")

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.item = get_object_or_404(
            agenda_items_visible_to(request.user).select_related("meeting__body", "resolution"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"item": self.item, "task": None}

    def save(self, form):
        return services.task_create(
            by=self.request.user, agenda_item=self.item, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("minutes:item_minutes", args=[self.item.pk])


class TaskUpdateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """Edit a task: owner, due date, status with closing note, measure to move when done."""

    permission_required = "minutes.change_followuptask"
    template_name = "minutes/tasks/task_form.html"
    form_class = TaskUpdateForm
    success_message = gettext_lazy("The task “%(name)s” was saved.")

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.task = get_object_or_404(
            tasks_visible_to(request.user).select_related(
                "agenda_item__meeting__body", "resolution", "measure__goal"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.task}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "item": self.task.agenda_item,
            "task": self.task,
            "light": traffic_light(self.task),
        }

    def save(self, form):
        return services.task_update(by=self.request.user, task=self.task, **form.cleaned_data)

    def get_success_url(self):
        return reverse("minutes:task_list")
