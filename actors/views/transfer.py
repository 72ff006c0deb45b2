"""Import of organisations and people, exports of the lists, and the network picture."""

import uuid
from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from integration.core import tabular

from .. import charts, exporting, importing, selectors
from ..filters import OrganisationFilterSet, PersonFilterSet
from ..models import ImportBatch
from ..services import import_rows, transfer

IMPORT_PERMISSIONS = ("actors.add_person", "actors.add_organisation")
# The session holds the uuid of the user's current ImportBatch.
SESSION_KEY = "actors_import"
# A batch in these states is on its way; its page is the progress page.
BUSY = {ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING}
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_NAME = "netzwerk-import-beispiel"


# Forms of the import pages; they only parse, the service does the rest.


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An Excel file (.xlsx) or a CSV file, one row per contact person or organisation."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,.txt,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_bytes = b""
        self.helper = FormHelper()
        self.helper.form_id = "import-upload"
        self.helper.form_action = reverse_lazy("actors:import_upload")
        self.helper.layout = Layout(
            "file", Submit("upload", submit_label or gettext_lazy("Upload and check"))
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse by the size the upload reports before reading a byte of it.
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s). At most %(max)s can be imported.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.IMPORT_MAX_BYTES),
                }
            )
        data = upload.read()
        try:
            importing.read_table(
                data, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS
            )
        except importing.ImportFileError as error:
            raise ValidationError(error.message) from None
        self.data_bytes = data
        return upload


class ImportConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(
        required=False,
        label=gettext_lazy("Import only the valid rows and skip the rows with errors"),
    )


class ImportPermissionMixin(PermissionRequiredMixin):
    permission_required = IMPORT_PERMISSIONS

    def session_batch(self) -> ImportBatch | None:
        """The user's current upload (not yet imported), from the session."""
        value = self.request.session.get(SESSION_KEY)
        if not isinstance(value, str):
            return None
        try:
            key = uuid.UUID(value)
        except ValueError:
            return None
        batch = transfer.import_batches_visible_to(user=self.request.user).filter(uuid=key).first()
        if batch is None or batch.status == ImportBatch.Status.DONE:
            return None
        return batch

    def forget_upload(self) -> None:
        batch = self.session_batch()
        self.request.session.pop(SESSION_KEY, None)
        if batch is not None:
            transfer.import_batch_discard(by=self.request.user, batch=batch)


class ImportUploadView(ImportPermissionMixin, FormView):
    """Step 1: upload a file; it is kept on the server until imported or discarded."""

    template_name = "actors/import_upload.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.session_batch()
        waiting = batch is not None and batch.status in BUSY
        pending = (
            batch is not None
            and not waiting
            and transfer.import_upload_load(batch=batch) is not None
        )
        context |= {
            "section": "import",
            "pending": batch if pending else None,
            "running": batch if waiting else None,
            "columns": [
                (column.label, importing.COLUMN_HELP[column.key]) for column in importing.COLUMNS
            ],
            "max_size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        return context

    def form_valid(self, form):
        self.forget_upload()
        batch = transfer.import_upload_store(
            by=self.request.user, data=form.data_bytes, file_name=form.cleaned_data["file"].name
        )
        self.request.session[SESSION_KEY] = str(batch.uuid)
        return redirect("actors:import_preview")


class ImportPreviewView(ImportPermissionMixin, TemplateView):
    """Step 2: every row with its problems and effects; POST queues the import or discards."""

    template_name = "actors/import_preview.html"

    def get(self, request, *args, **kwargs):
        self.batch = self.session_batch()
        if self.batch is not None and self.batch.status in BUSY:
            return redirect(self.batch)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        data = transfer.import_upload_load(batch=batch) if batch else None
        context |= {"section": "import", "upload": batch if data is not None else None}
        if data is None:
            return context
        try:
            plan = import_rows.import_plan(data=data)
        except importing.ImportFileError as error:
            context["file_error"] = error.message
            context["upload_form"] = ImportUploadForm(submit_label=_("Upload corrected file"))
            return context
        context |= {
            "plan": plan,
            "counts": plan.counts,
            "confirm_form": ImportConfirmForm(initial={"digest": plan.digest}),
            "upload_form": ImportUploadForm(submit_label=_("Upload corrected file")),
        }
        return context

    def post(self, request, *args, **kwargs):
        batch = self.session_batch()
        if batch is not None and batch.status in BUSY:
            return redirect(batch)
        if batch is None or transfer.import_upload_load(batch=batch) is None:
            messages.error(
                request, _("The uploaded file is no longer there. Please upload it again.")
            )
            return redirect("actors:import_upload")
        if "discard" in request.POST:
            self.forget_upload()
            messages.info(request, _("The uploaded file was discarded."))
            return redirect("actors:import_upload")
        form = ImportConfirmForm(request.POST)
        if not form.is_valid():
            return redirect("actors:import_preview")
        # A failed import confirmed again from the preview is queued again.
        queue = (
            transfer.import_retry
            if batch.status == ImportBatch.Status.FAILED
            else transfer.import_enqueue
        )
        try:
            batch = queue(
                by=request.user,
                batch=batch,
                skip_invalid=form.cleaned_data["skip_invalid"],
                expected_digest=form.cleaned_data["digest"],
            )
        except ValidationError as error:
            if error.code == "started":
                return redirect(batch)
            messages.error(request, " ".join(error.messages))
            return redirect("actors:import_preview")
        return redirect(batch)


def import_state(batch: ImportBatch) -> dict:
    """What the progress page and its JSON say about a batch, in German."""
    progress = transfer.import_progress(batch=batch)
    text = {
        ImportBatch.Status.UPLOADED: _("The import has not been started."),
        ImportBatch.Status.QUEUED: _("The import is waiting to start …"),
        ImportBatch.Status.RUNNING: _("The import is running …"),
        ImportBatch.Status.DONE: _("The import is complete."),
        ImportBatch.Status.FAILED: _("The import failed. Nothing was imported."),
    }[batch.status]
    rows = ""
    if batch.status == ImportBatch.Status.RUNNING and progress["rows_total"]:
        rows = _("%(done)s of %(total)s rows (%(percent)s %%)") % {
            "done": number_format(progress["rows_done"], force_grouping=True),
            "total": number_format(progress["rows_total"], force_grouping=True),
            "percent": progress["percent"],
        }
    return {
        "status": batch.status,
        "finished": batch.is_finished,
        "percent": progress["percent"],
        "text": text,
        "rows": rows,
    }


class ImportBatchMixin(ImportPermissionMixin, SingleObjectMixin):
    """One import of the user; anybody else's is not found (404)."""

    slug_field = "uuid"
    slug_url_kwarg = "uuid"

    def get_queryset(self):
        return transfer.import_batches_visible_to(user=self.request.user)

    def state_context(self, batch: ImportBatch) -> dict:
        return {
            "batch": batch,
            "state": import_state(batch),
            "can_retry": batch.status == ImportBatch.Status.FAILED
            and transfer.import_upload_load(batch=batch) is not None,
            "in_session": self.request.session.get(SESSION_KEY) == str(batch.uuid),
        }


class ImportProgressView(ImportBatchMixin, TemplateView):
    """Step 3: how far the import is; the page polls the status, POST tries a failed one again."""

    template_name = "actors/import_progress.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= {"section": "import", **self.state_context(self.object)}
        return context

    def post(self, request, *args, **kwargs):
        batch = self.get_object()
        try:
            transfer.import_retry(by=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(batch)


@method_decorator(never_cache, name="dispatch")
class ImportStatusView(ImportBatchMixin, View):
    """The progress page's JSON: status, percentage and, once finished, the result's HTML."""

    def get(self, request, *args, **kwargs):
        context = self.state_context(self.get_object())
        state = context["state"]
        if state["finished"]:
            state = state | {
                "html": render_to_string(
                    "actors/fragments/import_state.html", context, request=request
                )
            }
        return JsonResponse(state)


class ImportSampleView(ImportPermissionMixin, View):
    """The sample file of the upload page, as ``?format=xlsx`` (default) or ``csv``."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in tabular.FORMATS:
            raise Http404
        return FileResponse(
            (SAMPLES / f"{SAMPLE_NAME}.{fmt}").open("rb"),
            as_attachment=True,
            filename=f"{SAMPLE_NAME}.{fmt}",
            content_type=tabular.CONTENT_TYPES[fmt],
        )


# Exports: the list page's filters apply, and only what the user may see.


class ExportView(PermissionRequiredMixin, View):
    name = ""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "csv")
        if fmt not in tabular.FORMATS:
            return HttpResponseBadRequest(_("Unknown format; use csv or xlsx."))
        dataset = self.get_dataset()
        filename = f"{slugify(self.get_name())}-{timezone.localdate():%Y-%m-%d}"
        return tabular.dataset_response(dataset, fmt, filename)

    def get_name(self) -> str:
        return str(self.name)


class OrganisationExportView(ExportView):
    permission_required = "actors.view_organisation"
    name = gettext_lazy("Organisations")

    def get_dataset(self):
        queryset = selectors.organisation_list(user=self.request.user)
        return exporting.organisations_dataset(
            OrganisationFilterSet(self.request.GET, queryset=queryset).qs
        )


class PersonExportView(ExportView):
    permission_required = "actors.view_person"
    name = gettext_lazy("People")

    def get_dataset(self):
        queryset = selectors.person_list(user=self.request.user)
        return exporting.people_dataset(PersonFilterSet(self.request.GET, queryset=queryset).qs)


class CircleExportView(ExportView):
    """The current members of a circle; people's contact data, so both rights are needed."""

    permission_required = ("actors.view_circle", "actors.view_person")

    def get_dataset(self):
        self.circle = get_object_or_404(
            selectors.circles_visible_to(user=self.request.user), pk=self.kwargs["pk"]
        )
        return exporting.circle_members_dataset(
            self.circle, selectors.circle_members(circle=self.circle)
        )

    def get_name(self) -> str:
        return self.circle.name


class NetworkPictureView(PermissionRequiredMixin, TemplateView):
    """Fields of action × circles: where the network is thin, as SVG and as a table."""

    permission_required = "actors.view_organisation"
    template_name = "actors/network_picture.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        picture = charts.network_picture_data(user=self.request.user)
        gaps = [row.label for row in picture.rows if row.without_actors]
        description = _(
            "Matrix of the fields of action (rows) and the network circles (columns). Each "
            "cell counts the active organisations working in the field of action that sit in "
            "the circle, directly or through a contact person."
        )
        if gaps:
            description += " " + _("Fields of action without active actors: %(fields)s.") % {
                "fields": ", ".join(gaps)
            }
        svg = charts.network_picture_svg(
            picture,
            title=_("Network picture: fields of action and circles"),
            description=description,
        )
        context |= {
            "section": "picture",
            "picture": picture,
            "gaps": gaps,
            # Built by ElementTree, which escapes every name it writes.
            "svg": mark_safe(svg),  # noqa: S308
        }
        return context
