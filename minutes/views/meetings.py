"""Meetings: list, the preparation hub, create/edit, status, attendance, minutes status,
and the meeting's files. Every meeting comes from ``meetings_visible_to``."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, ListView, UpdateView

from integration.core.mixins import (
    ServiceFormMixin,
    add_service_error,
    service_errors_as_messages,
)
from integration.documents.selectors import document_states

from ..documents.common import MEMBERS, PUBLIC
from ..documents.kinds import INVITATION, MINUTES, PACKET
from ..forms.agenda import AgendaItemForm
from ..forms.meetings import (
    AttendanceForm,
    GuestFormSet,
    MeetingAttachmentForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesStatusForm,
)
from ..models import Meeting
from ..selectors import meetings as selectors
from ..services import meetings as services
from ..services.attachments import attachment_add
from ..services.packets import packet_mails_of

PAST_PAGE_SIZE = 25


class MeetingScopedMixin(PermissionRequiredMixin):
    """``self.meeting``: the URL's meeting among those the user may see (404 otherwise),
    looked up after the permission check."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.meeting = get_object_or_404(
            selectors.meeting_get_queryset(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)


def meeting_documents(*, user, meeting) -> dict:
    """The PDF buttons of the meeting's documents section (``document_states``)."""
    members, public = gettext("version for the members"), gettext("public version")
    return document_states(
        user=user,
        specs={
            "invitation_members": (INVITATION, meeting, MEMBERS),
            "packet_members": (PACKET, meeting, MEMBERS, members),
            "packet_public": (PACKET, meeting, PUBLIC, public),
            "minutes_members": (MINUTES, meeting, MEMBERS),
        },
    )


def hub_response(request, meeting, *, item_form=None, attachment_form=None, status=200):
    """The meeting's preparation hub, also re-shown with a failed inline form."""
    user = request.user
    context = {
        "meeting": meeting,
        "frozen": meeting.minutes_status in services.FROZEN_MINUTES,
        "can_change_items": user.has_perm("minutes.change_agendaitem"),
        "documents": meeting_documents(user=user, meeting=meeting),
        **selectors.meeting_detail(user=user, meeting=meeting),
    }
    if user.has_perm("minutes.view_packetmail"):
        # The addresses and consent reasons: Koordination only, as the invitations.
        context["packet_mails"] = packet_mails_of(meeting=meeting)
    if user.has_perm("minutes.add_agendaitem"):
        context["item_form"] = item_form or AgendaItemForm(user=user, auto_id="id_item_%s")
    if user.has_perm("minutes.change_meeting"):
        context["attachment_form"] = attachment_form or MeetingAttachmentForm(auto_id="id_file_%s")
        context["approval_form"] = MinutesStatusForm(
            approval_meetings=selectors.approval_meetings(user=user, meeting=meeting),
            auto_id="id_minutes_%s",
        )
    return TemplateResponse(request, "minutes/meetings/meeting_detail.html", context, status=status)


class MeetingListView(PermissionRequiredMixin, ListView):
    """Upcoming meetings (all) and past ones (paginated), filtered by body and year."""

    permission_required = "minutes.view_meeting"
    template_name = "minutes/meetings/meeting_list.html"
    context_object_name = "past_meetings"
    paginate_by = PAST_PAGE_SIZE

    def get_filters(self) -> MeetingFilterForm:
        if not hasattr(self, "_filters"):
            self._filters = MeetingFilterForm(
                self.request.GET or None,
                user=self.request.user,
                years=selectors.meeting_years(user=self.request.user),
            )
            self._filters.is_valid()
        return self._filters

    def filter_values(self) -> dict:
        data = getattr(self.get_filters(), "cleaned_data", {})
        body = data.get("body")
        return {"body_id": body.pk if body else None, "year": data.get("year") or None}

    def get_queryset(self):
        return selectors.meeting_list(
            user=self.request.user, upcoming=False, **self.filter_values()
        )

    def get_context_data(self, **kwargs):
        upcoming = selectors.meeting_list(
            user=self.request.user, upcoming=True, **self.filter_values()
        )
        return super().get_context_data(**kwargs) | {
            "upcoming_meetings": list(upcoming),
            "filter_form": self.get_filters(),
        }


class MeetingDetailView(MeetingScopedMixin, View):
    """The preparation hub: header, agenda in its two parts, files, attendance, minutes."""

    permission_required = "minutes.view_meeting"

    def get(self, request, pk):
        return hub_response(request, self.meeting)


class MeetingFormMixin(PermissionRequiredMixin, ServiceFormMixin):
    model = Meeting
    form_class = MeetingForm
    template_name = "minutes/meetings/meeting_form.html"
    context_object_name = "meeting"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}


class MeetingCreateView(MeetingFormMixin, CreateView):
    permission_required = "minutes.add_meeting"
    success_message = gettext_lazy("Meeting “%(name)s” was created. Now prepare the agenda.")

    def get_initial(self):
        body = self.request.GET.get("body", "")
        return {"body": body} if body.isdecimal() else {}

    def save(self, form):
        return services.meeting_create(by=self.request.user, **form.changes())


class MeetingUpdateView(MeetingFormMixin, UpdateView):
    permission_required = "minutes.change_meeting"
    success_message = gettext_lazy("Meeting “%(name)s” was saved.")

    def get_queryset(self):
        return selectors.meeting_get_queryset(user=self.request.user)

    def save(self, form):
        stored = self.get_queryset().get(pk=self.object.pk)
        return services.meeting_update(by=self.request.user, meeting=stored, **form.changes())


class MeetingStatusView(MeetingScopedMixin, View):
    """POST ``status`` = held | cancelled | planned. Cancelling asks first: a GET with
    ``?status=cancelled`` shows the confirmation, its form posts ``confirmed``."""

    permission_required = "minutes.change_meeting"

    def get(self, request, pk):
        return TemplateResponse(
            request, "minutes/meetings/meeting_confirm_cancel.html", {"meeting": self.meeting}
        )

    def post(self, request, pk):
        status = request.POST.get("status", "")
        if status == Meeting.Status.CANCELLED and not request.POST.get("confirmed"):
            return redirect("minutes:meeting_status", pk=pk)
        if status not in Meeting.Status.values:
            messages.error(request, _("Unknown status."))
            return redirect(self.meeting)
        try:
            meeting = services.meeting_status_set(
                by=request.user, meeting=self.meeting, status=status
            )
        except ValidationError as error:
            service_errors_as_messages(request, error)
        else:
            messages.success(
                request,
                _("The meeting is now “%(status)s”.") % {"status": meeting.get_status_display()},
            )
        return redirect(self.meeting)


class AttendanceView(MeetingScopedMixin, View):
    """Members present, excused or absent with their vote, guests from the network, and
    free-text guests: one form, saved at once."""

    permission_required = "minutes.change_meeting"
    template_name = "minutes/meetings/attendance_form.html"

    def forms(self, data=None):
        members = selectors.attendance_members(meeting=self.meeting)
        guests = selectors.attendance_guests(meeting=self.meeting)
        form = AttendanceForm(data, members=members, initial={"guests": self.meeting.guests})
        formset = GuestFormSet(
            data,
            prefix="guest",
            initial=[
                {"person": row.person, "function": row.function, "has_vote": row.has_vote}
                for row in guests
            ],
        )
        return form, formset

    def render(self, form, formset):
        context = {"meeting": self.meeting, "form": form, "formset": formset}
        return TemplateResponse(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render(*self.forms())

    def post(self, request, pk):
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render(form, formset)
        entries = [services.AttendanceEntry(**entry) for entry in form.member_entries()]
        entries += [
            services.AttendanceEntry(
                person=guest["person"],
                is_guest=True,
                has_vote=guest["has_vote"],
                function=guest["function"],
            )
            for guest in formset.cleaned_data
            if guest.get("person")
        ]
        try:
            services.attendance_replace(
                by=request.user,
                meeting=self.meeting,
                entries=entries,
                guests=form.cleaned_data["guests"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.render(form, formset)
        messages.success(request, _("The attendance was saved."))
        return redirect(f"{self.meeting.get_absolute_url()}#attendance")


class MinutesStatusView(MeetingScopedMixin, View):
    """POST only: draft, approve (with the approving meeting), publish, or reopen."""

    permission_required = "minutes.change_meeting"
    http_method_names = ["post"]

    def post(self, request, pk):
        form = MinutesStatusForm(
            request.POST,
            approval_meetings=selectors.approval_meetings(user=request.user, meeting=self.meeting),
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, text)
            return redirect(f"{self.meeting.get_absolute_url()}#minutes")
        try:
            meeting = services.minutes_status_set(
                by=request.user,
                meeting=self.meeting,
                status=form.cleaned_data["status"],
                approved_in=form.cleaned_data["approved_in"],
            )
        except ValidationError as error:
            service_errors_as_messages(request, error)
        else:
            messages.success(
                request,
                _("The minutes are now “%(status)s”.")
                % {"status": meeting.get_minutes_status_display()},
            )
        return redirect(f"{self.meeting.get_absolute_url()}#minutes")


class MeetingAttachmentUploadView(MeetingScopedMixin, View):
    """POST only: a file for the meeting (minutes.services.attachments validates it);
    errors are shown on the hub with the typed name kept."""

    permission_required = ("minutes.change_meeting", "minutes.add_attachment")
    http_method_names = ["post"]

    def post(self, request, pk):
        form = MeetingAttachmentForm(request.POST, request.FILES, auto_id="id_file_%s")
        if form.is_valid():
            try:
                attachment = attachment_add(
                    by=request.user,
                    upload=form.cleaned_data["file"],
                    meeting=self.meeting,
                    name=form.cleaned_data["name"],
                    is_public=form.cleaned_data["is_public"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The file “%(name)s” was added.") % {"name": attachment}
                )
                return redirect(f"{self.meeting.get_absolute_url()}#files")
        return hub_response(request, self.meeting, attachment_form=form, status=400)
