"""Invitations to a meeting: the rounds sent with each mail's state, who would be
left out and why, "send" (a new round) and "send again" (a failed mail).
Koordination only: the list shows the members' addresses and consent reasons."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from ..models import Meeting, MeetingMail
from ..selectors.access import meetings_visible_to
from ..selectors.invitations import invitation_recipients, invitation_rounds
from ..services import invitations as services


class MeetingInvitationMixin(PermissionRequiredMixin):
    """``self.meeting``: the URL's meeting among those the user may see (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.meeting = get_object_or_404(
            meetings_visible_to(request.user).select_related("body", "location"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


class InvitationListView(MeetingInvitationMixin, TemplateView):
    """The meeting's invitation rounds and mails (status, failures with the reason,
    "erneut senden"), and who the next invitation goes to and who is left out."""

    permission_required = "minutes.view_meetingmail"
    template_name = "minutes/invitations/invitation_list.html"

    def get_context_data(self, **kwargs):
        meeting = self.meeting
        rounds = list(invitation_rounds(meeting=meeting))
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "meeting": meeting,
            "rounds": rounds,
            "last_round": rounds[0].number if rounds else 0,
            "recipients": invitation_recipients(meeting=meeting),
            "can_send": user.has_perm("minutes.add_invitationround")
            and meeting.status != Meeting.Status.CANCELLED,
        }


class InvitationSendForm(forms.Form):
    # The newest round the coordinator saw: a second click finds a newer one.
    last_round = forms.IntegerField(min_value=0)
    # "Send again": only this failed mail, no new round.
    mail = forms.IntegerField(required=False)


class InvitationSendView(MeetingInvitationMixin, View):
    """POST: send the invitation (a new round), or one failed mail again."""

    permission_required = "minutes.add_invitationround"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = InvitationSendForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("The form was incomplete; please reload the page."))
        try:
            if form.cleaned_data["mail"]:
                self._retry(form.cleaned_data["mail"])
            else:
                self._send(form.cleaned_data["last_round"])
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return redirect("minutes:invitation_list", pk=self.meeting.pk)

    def _send(self, last_round: int) -> None:
        result = services.invitation_send(
            by=self.request.user, meeting=self.meeting, last_round_number=last_round
        )
        if result is None:
            messages.info(
                self.request,
                _(
                    "Meanwhile the invitation was already sent (a second click or another "
                    "window); nothing more was sent."
                ),
            )
            return
        count = len(result.recipients.allowed)
        messages.success(
            self.request,
            ngettext(
                "The invitation is being sent to %(count)d member.",
                "The invitation is being sent to %(count)d members.",
                count,
            )
            % {"count": count},
        )
        left_out = len(result.recipients.left_out)
        if left_out:
            messages.warning(
                self.request,
                ngettext(
                    "%(count)d member was left out; the list below says why.",
                    "%(count)d members were left out; the list below says why.",
                    left_out,
                )
                % {"count": left_out},
            )

    def _retry(self, mail_id: int) -> None:
        mail = get_object_or_404(
            MeetingMail.objects.select_related("person"), pk=mail_id, round__meeting=self.meeting
        )
        services.invitation_mail_retry(by=self.request.user, mail=mail)
        messages.success(
            self.request,
            _("The mail to %(name)s is being sent again.") % {"name": mail.person.full_name},
        )
