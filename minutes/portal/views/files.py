"""The portal's file download: the same response as the staff download, for
whoever ``attachments_visible_to`` lets see the file (404 otherwise, alike for an
unknown id)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View

from ...selectors.access import attachments_visible_to
from ...views.papers import attachment_response


@method_decorator(login_not_required, name="dispatch")
class FileDownloadView(View):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            attachments_visible_to(request.user).defer("text"), pk=kwargs["pk"]
        )
        return attachment_response(attachment)
