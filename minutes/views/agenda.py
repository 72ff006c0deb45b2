"""The agenda of a meeting: add, edit, move and delete items, and each item's minutes.

Items come from ``agenda_items_visible_to``; another item is a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from integration.core.mixins import add_service_error, service_errors_as_messages

from ..forms.agenda import AgendaItemForm, ItemMinutesForm
from ..selectors import meetings as selectors
from ..selectors.access import agenda_items_visible_to
from ..services import agenda as services
from ..services.meetings import FROZEN_MINUTES
from ..services.resolutions import item_minutes_record
from .meetings import MeetingScopedMixin, hub_response


def _agenda_url(meeting) -> str:
    return f"{meeting.get_absolute_url()}#agenda"


class ItemScopedMixin(PermissionRequiredMixin):
    """``self.item``: the URL's item among those the user may see, with its meeting."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        items = agenda_items_visible_to(request.user).select_related(
            "meeting__body", "meeting__location", "paper"
        )
        self.item = get_object_or_404(items, pk=kwargs["pk"])
        self.meeting = self.item.meeting
        return super().dispatch(request, *args, **kwargs)


class ItemCreateView(MeetingScopedMixin, View):
    """POST only, from the form below the agenda; errors re-show the hub with the input."""

    permission_required = "minutes.add_agendaitem"
    http_method_names = ["post"]

    def post(self, request, pk):
        form = AgendaItemForm(request.POST, user=request.user, auto_id="id_item_%s")
        if form.is_valid():
            try:
                item = services.item_create(by=request.user, meeting=self.meeting, **form.changes())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(number)s “%(title)s” was added.")
                    % {"number": item.printed_number, "title": item.title},
                )
                return redirect(f"{self.meeting.get_absolute_url()}#item-add")
        return hub_response(request, self.meeting, item_form=form, status=400)


class ItemUpdateView(ItemScopedMixin, View):
    permission_required = "minutes.change_agendaitem"
    template_name = "minutes/agenda/item_form.html"

    def render(self, form):
        context = {"item": self.item, "meeting": self.meeting, "form": form}
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render(AgendaItemForm(instance=self.item, user=request.user))

    def post(self, request, pk):
        stored = type(self.item).objects.get(pk=self.item.pk)
        form = AgendaItemForm(request.POST, instance=self.item, user=request.user)
        if form.is_valid():
            try:
                item = services.item_update(by=request.user, item=stored, **form.changes())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": item})
                return redirect(_agenda_url(self.meeting))
        return self.render(form)


class ItemMoveView(ItemScopedMixin, View):
    """POST only: ``direction`` up or down, one place; works without JavaScript."""

    permission_required = "minutes.change_agendaitem"
    http_method_names = ["post"]

    def post(self, request, pk):
        direction = request.POST.get("direction")
        if direction not in ("up", "down"):
            messages.error(request, _("Unknown direction."))
            return redirect(_agenda_url(self.meeting))
        try:
            services.item_move(by=request.user, item=self.item, direction=direction)
        except ValidationError as error:
            service_errors_as_messages(request, error)
        return redirect(f"{self.meeting.get_absolute_url()}#top-{self.item.pk}")


class ItemDeleteView(ItemScopedMixin, View):
    """GET asks, POST deletes; refused for items with a resolution or tasks."""

    permission_required = "minutes.delete_agendaitem"
    template_name = "minutes/agenda/item_confirm_delete.html"

    def get(self, request, pk):
        context = {
            "item": self.item,
            "meeting": self.meeting,
            "refusal": services.item_delete_refusal(self.item),
        }
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        try:
            services.item_delete(by=request.user, item=self.item)
        except ValidationError as error:
            service_errors_as_messages(request, error)
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": self.item})
        return redirect(_agenda_url(self.meeting))


class ItemMinutesView(ItemScopedMixin, View):
    """One page per item after the meeting: minutes text, speakers, resolution, vote.

    "Save" stays on the page; "Save and continue" goes to the next item's page."""

    permission_required = "minutes.change_agendaitem"
    template_name = "minutes/agenda/item_minutes.html"

    def form(self, data=None):
        return ItemMinutesForm(data, user=self.request.user, item=self.item, meeting=self.meeting)

    def render(self, form):
        previous, following = selectors.item_neighbours(user=self.request.user, item=self.item)
        context = {
            "item": self.item,
            "meeting": self.meeting,
            "form": form,
            "previous_item": previous,
            "next_item": following,
            "frozen": self.meeting.minutes_status in FROZEN_MINUTES,
            "resolution_possible": selectors.is_resolution_day(self.meeting),
            "voting_present": selectors.voting_present(meeting=self.meeting),
        }
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render(self.form())

    def post(self, request, pk):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                item_minutes_record(
                    by=request.user,
                    item=self.item,
                    minutes_text=form.cleaned_data["minutes_text"],
                    speakers=form.speakers_chosen(),
                    resolution=form.resolution(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The minutes of %(number)s were saved.")
                    % {"number": self.item.printed_number},
                )
                _previous, following = selectors.item_neighbours(user=request.user, item=self.item)
                if "continue" in request.POST and following is not None:
                    return redirect(reverse("minutes:item_minutes", args=[following.pk]))
                return redirect(reverse("minutes:item_minutes", args=[self.item.pk]))
        return self.render(form)
