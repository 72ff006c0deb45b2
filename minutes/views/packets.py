"""Publishing the meeting packet (Sitzungsmappe) from the meeting page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from integration.core.mixins import service_errors_as_messages

from ..services import packets as services
from .meetings import MeetingScopedMixin


class PacketPublishView(MeetingScopedMixin, View):
    """POST: publish the meeting's packet (Koordination); back to the meeting page."""

    permission_required = "minutes.change_meeting"

    def post(self, request, pk):
        try:
            services.packet_publish(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            service_errors_as_messages(request, error)
        else:
            messages.success(
                request,
                _(
                    "The meeting packet is published. The members are sent the link by mail "
                    "as soon as it is ready."
                ),
            )
        return redirect(self.meeting)
