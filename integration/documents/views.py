"""Progress page, JSON status, request, retry and download of stored documents.

Every view is open to anonymous visitors (the public meeting packet is for
citizens) and asks the kind's ``can_view`` instead: when it says no, the answer
is the same 404 as for an unknown kind, subject or variant, so nothing tells a
non-public document apart from none. Anonymous visitors asking for a variant no
anonymous visitor may ever see (``public_variants``) go to the login, decided on
the kind and variant alone, before any subject is looked up.
"""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.cache import parse_etags, quote_etag
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import services
from .registry import kind_get
from .selectors import DocumentState, document_state


def state_text(state: DocumentState) -> str:
    """The sentence the page and its JSON say about the document (German)."""
    if state.status == "queued":
        text = _("The PDF is waiting to be created …")
    elif state.status == "rendering":
        text = _("The PDF is being created …")
    elif state.status == "ready":
        text = _("The PDF is ready.")
    elif state.status == "failed":
        text = _("The PDF could not be created.")
    else:
        text = _("The PDF has not been created yet.")
    if state.is_outdated:
        text = " ".join([text, _("An earlier version can be downloaded meanwhile.")])
    return text


@method_decorator(login_not_required, name="dispatch")
class DocumentMixin:
    """Finds the kind, variant and subject of the URL; 404 unless ``can_view``."""

    def dispatch(self, request, *args, **kwargs):
        self.kind = kind_get(kwargs["kind"])
        self.variant = kwargs["variant"]
        if self.kind is None or self.variant not in self.kind.variants:
            raise Http404
        if not request.user.is_authenticated and self.variant not in self.kind.public_variants:
            return redirect_to_login(request.get_full_path())
        self.subject = self.kind.get_subject(kwargs["subject"])
        if self.subject is None or not self.kind.can_view(request.user, self.subject, self.variant):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_state(self) -> DocumentState:
        return document_state(
            user=self.request.user, kind=self.kind, subject=self.subject, variant=self.variant
        )

    def state_context(self, state: DocumentState) -> dict:
        return {"state": state, "text": state_text(state)}

    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def json_state(self, state: DocumentState) -> JsonResponse:
        data = {
            "status": state.status,
            "progress": state.current.progress if state.current is not None else 0,
            "finished": state.finished,
            "text": state_text(state),
        }
        if state.finished:
            data["html"] = render_to_string(
                "documents/fragments/document_state.html",
                self.state_context(state),
                request=self.request,
            )
        response = JsonResponse(data)
        response.headers["X-Robots-Tag"] = "noindex"
        return response


class DocumentDetailView(DocumentMixin, TemplateView):
    """The document's page: how far the compile is (polled), the download, or the reason."""

    template_name = "documents/document_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | self.state_context(self.get_state())


@method_decorator(never_cache, name="dispatch")
class DocumentStatusView(DocumentMixin, View):
    """The progress page's JSON: status, percentage and, once finished, the fragment."""

    def get(self, request, *args, **kwargs):
        return self.json_state(self.get_state())


class DocumentRequestView(DocumentMixin, View):
    """POST: compile the current content unless stored; to the page, or the state as JSON."""

    def post(self, request, *args, **kwargs):
        try:
            services.document_request(
                kind=self.kind.key, subject=self.subject, variant=self.variant, by=request.user
            )
        except PermissionDenied:
            raise Http404 from None
        if self.wants_json():
            return self.json_state(self.get_state())
        return redirect(self.get_state().detail_url)


class DocumentRetryView(DocumentMixin, View):
    """POST: try the failed compile of the current content again."""

    def post(self, request, *args, **kwargs):
        state = self.get_state()
        if state.current is None or not state.can_retry:
            raise PermissionDenied
        try:
            services.document_retry(document=state.current, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if self.wants_json():
            return self.json_state(self.get_state())
        return redirect(state.detail_url)


class DocumentDownloadView(DocumentMixin, View):
    """The ready PDF as an attachment; ``If-None-Match`` with its fingerprint answers 304."""

    def get(self, request, *args, **kwargs):
        state = self.get_state()
        document = state.servable
        path = services.document_path(document) if document is not None else None
        if path is None or not Path(path).is_file():
            raise Http404
        etag = quote_etag(document.fingerprint)
        if (
            etag in parse_etags(request.headers.get("If-None-Match", ""))
            or request.headers.get("If-None-Match", "").strip() == "*"
        ):
            response = HttpResponseNotModified()
        else:
            services.document_download_record(user=request.user, document=document)
            response = FileResponse(
                path.open("rb"),
                as_attachment=True,
                filename=self.kind.filename(self.subject, self.variant),
                content_type="application/pdf",
            )
        response.headers["ETag"] = etag
        # Private: whoever may see it, nobody in between; revalidated by ETag.
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Robots-Tag"] = "noindex"
        return response
