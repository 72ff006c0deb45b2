"""Papers (Vorlagen): list, page, forms, supplements, Beratungsfolge and files.

Every paper and file is looked up in ``papers_visible_to`` / ``attachments_visible_to``
(404 otherwise); writes need the permission and ``can_edit_paper`` (403 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from actors.views.common import LIST_PAGE_SIZE
from integration.core.mixins import ServiceFormMixin, add_service_error

from ..filters import PaperFilterSet
from ..forms.papers import AttachmentUploadForm, ConsultationFormSet, PaperForm
from ..models import Attachment, Paper
from ..selectors import papers as selectors
from ..selectors.access import attachments_visible_to, can_edit_paper
from ..services import attachments as attachment_services
from ..services import papers as services

DETAIL_TEMPLATE = "minutes/papers/paper_detail.html"


def paper_page_context(request, paper: Paper, *, upload_form=None) -> dict:
    """What a paper's page shows, scoped to ``request.user``; shared by the upload
    view, which shows its errors on the paper's page."""
    user = request.user
    can_edit = can_edit_paper(user, paper)
    can_upload = can_edit and user.has_perm("minutes.add_attachment")
    return {
        "paper": paper,
        # A supplement may be public while its main paper is not.
        "main_paper": selectors.paper_main_visible(user=user, paper=paper),
        "author_name": selectors.person_name(paper.author),
        "related": selectors.paper_related(user=user, paper=paper),
        "referenced_by": selectors.paper_referenced_by(user=user, paper=paper),
        "supplements": selectors.paper_supplements(user=user, paper=paper),
        "consultations": selectors.paper_consultations(user=user, paper=paper),
        "attachments": selectors.paper_attachments(user=user, paper=paper),
        "can_edit": can_edit and user.has_perm("minutes.change_paper"),
        "can_add_supplement": can_edit and user.has_perm("minutes.add_paper"),
        "can_upload": can_upload,
        "upload_form": upload_form if upload_form is not None else AttachmentUploadForm(),
    }


class PaperLookupMixin:
    """``self.paper``: the paper named by ``pk`` among those the user may see (404)."""

    def get_paper(self) -> Paper:
        if not hasattr(self, "_paper"):
            self._paper = get_object_or_404(
                selectors.paper_get_queryset(user=self.request.user), pk=self.kwargs["pk"]
            )
        return self._paper


class PaperEditMixin(PermissionRequiredMixin, PaperLookupMixin):
    """A write on one paper: permission first, then visibility (404), then
    ``can_edit_paper`` (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if not can_edit_paper(request.user, self.get_paper()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PaperListView(PermissionRequiredMixin, FilterView):
    permission_required = "minutes.view_paper"
    filterset_class = PaperFilterSet
    template_name = "minutes/papers/paper_list.html"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return selectors.paper_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_create": self.request.user.has_perm("minutes.add_paper")
            and can_edit_paper(self.request.user)
        }


class PaperDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "minutes.view_paper"
    template_name = DETAIL_TEMPLATE
    context_object_name = "paper"

    def get_queryset(self):
        return selectors.paper_get_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | paper_page_context(self.request, self.object)


class PaperFormMixin(ServiceFormMixin):
    form_class = PaperForm
    template_name = "minutes/papers/paper_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def _data(self, form) -> dict:
        data = {name: form.cleaned_data[name] for name in PaperForm.Meta.fields}
        return data | {"related_papers": form.cleaned_data["related"]}


class PaperCreateView(PermissionRequiredMixin, PaperFormMixin, FormView):
    """A new paper; its reference is assigned on saving."""

    permission_required = "minutes.add_paper"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        # A Verwaltung login without a department cannot create any paper.
        if not can_edit_paper(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"date": timezone.localdate()}

    def save(self, form):
        paper = services.paper_create(by=self.request.user, **self._data(form))
        messages.success(
            self.request,
            _("Paper %(reference)s was created.") % {"reference": paper.reference},
        )
        return paper


class PaperUpdateView(PaperEditMixin, PaperFormMixin, FormView):
    permission_required = "minutes.change_paper"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.get_paper()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"paper": self.get_paper()}

    def save(self, form):
        data = self._data(form)
        related = data.pop("related_papers")
        paper = services.paper_update(
            by=self.request.user, paper=self.get_paper(), related_papers=related, **data
        )
        messages.success(
            self.request, _("Paper %(reference)s was saved.") % {"reference": paper.reference}
        )
        return paper


class PaperSupplementView(PaperEditMixin, PaperFormMixin, FormView):
    """A supplement ("Ergänzung") of the paper: "2020/031-1", prefilled from the main paper."""

    permission_required = "minutes.add_paper"

    def get_main_paper(self) -> Paper:
        paper = self.get_paper()
        return paper.main_paper if paper.main_paper_id else paper

    def get_initial(self):
        main = self.get_main_paper()
        return {
            "kind": main.kind,
            "lead_department": main.lead_department_id,
            "author": main.author_id,
            "is_public": main.is_public,
            "related": main.reference,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"main_paper": self.get_main_paper()}

    def save(self, form):
        paper = services.paper_supplement_create(
            by=self.request.user, main_paper=self.get_main_paper(), **self._data(form)
        )
        messages.success(
            self.request,
            _("Supplement %(reference)s was created.") % {"reference": paper.reference},
        )
        return paper


class ConsultationEditView(PaperEditMixin, TemplateView):
    """The Beratungsfolge: which bodies consult the paper, in which order, in which role."""

    permission_required = "minutes.change_paper"
    template_name = "minutes/papers/consultation_form.html"

    def get_formset(self, data=None):
        return ConsultationFormSet(
            data,
            queryset=self.get_paper().consultations.select_related("agenda_item__meeting"),
            user=self.request.user,
            prefix="consultations",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        return context | {"paper": self.get_paper()}

    def post(self, request, *args, **kwargs):
        formset = self.get_formset(request.POST)
        if formset.is_valid():
            deleted = [
                services.ConsultationEntry(
                    body=form.instance.body,
                    role=form.instance.role,
                    consultation=form.instance,
                    delete=True,
                )
                for form in formset.deleted_forms
                if form.instance.pk
            ]
            kept = [
                services.ConsultationEntry(
                    body=form.cleaned_data["body"],
                    role=form.cleaned_data["role"],
                    consultation=form.instance if form.instance.pk else None,
                )
                for form in formset.ordered_forms
            ]
            try:
                services.consultations_save(
                    by=request.user, paper=self.get_paper(), entries=deleted + kept
                )
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, _("The order of consultation was saved."))
                return redirect(f"{self.get_paper().get_absolute_url()}#consultations")
        return self.render_to_response(self.get_context_data(formset=formset))


class AttachmentUploadView(PaperEditMixin, View):
    """POST from the paper's page; errors are shown there, with what was typed."""

    permission_required = "minutes.add_attachment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        paper = self.get_paper()
        form = AttachmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = attachment_services.attachment_add(
                    by=request.user,
                    upload=form.cleaned_data["upload"],
                    paper=paper,
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The file “%(name)s” was added.") % {"name": attachment.name}
                )
                return redirect(f"{paper.get_absolute_url()}#attachments")
        context = paper_page_context(request, paper, upload_form=form)
        return render(request, DETAIL_TEMPLATE, context)


def attachment_response(attachment: Attachment) -> FileResponse:
    """The download of ``attachment`` (already checked against ``attachments_visible_to``):
    always as a download, never sniffed, cached privately; shared with the public portal."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # Django writes filename*=utf-8''… (RFC 5987) for names beyond ASCII.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.file_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


class AttachmentDownloadView(PermissionRequiredMixin, View):
    """A file of a paper or a meeting, only if ``attachments_visible_to`` holds it."""

    permission_required = "minutes.view_attachment"

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            attachments_visible_to(request.user).defer("text"), pk=kwargs["pk"]
        )
        return attachment_response(attachment)


class AttachmentDeleteView(PermissionRequiredMixin, View):
    """POST: delete a file; Koordination, or the paper's department."""

    http_method_names = ["post"]

    def has_permission(self):
        user = self.request.user
        return user.has_perm("minutes.delete_attachment") or user.has_perm("minutes.change_paper")

    def post(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            attachments_visible_to(request.user).select_related("paper", "meeting"),
            pk=kwargs["pk"],
        )
        try:
            attachment_services.attachment_delete(by=request.user, attachment=attachment)
        except ValidationError as error:
            raise PermissionDenied from error
        messages.success(request, _("The file “%(name)s” was deleted.") % {"name": attachment})
        owner = attachment.paper or attachment.meeting
        return redirect(f"{owner.get_absolute_url()}#attachments")
