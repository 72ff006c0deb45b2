"""The start page of the committee work."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from ..selectors.access import can_edit_paper
from ..selectors.bodies import overview


class IndexView(PermissionRequiredMixin, TemplateView):
    """Meetings of the next weeks, minutes still in draft, open follow-up tasks per body."""

    permission_required = "minutes.view_meeting"
    template_name = "minutes/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "overview": overview(user=user),
            "can_add_paper": can_edit_paper(user),
        }
