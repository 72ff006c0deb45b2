"""Import of a catalogue file into a revision (upload → preview → confirm), the sample
file, and the export of a version in the same columns.

The uploaded file waits in the user's session between preview and confirm
(base64, at most ``services.transfer.SESSION_MAX_BYTES``): catalogues are small,
and a session ends by itself, so no file is left behind on the server.
"""

import base64
import binascii
from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from integration.core import tabular

from .. import importing
from ..services import transfer
from .common import VersionMixin

SESSION_KEY = "measures_import"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_NAME = "katalog-import-beispiel"


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel file (.xlsx) or a CSV file, one row per measure."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,.txt,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, action: str = "", submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_bytes = b""
        self.helper = FormHelper()
        self.helper.form_id = "catalogue-upload"
        self.helper.form_action = action
        self.helper.layout = Layout(
            "file", Submit("upload", submit_label or gettext_lazy("Upload and check"))
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        max_bytes = transfer.import_max_bytes()
        # Refuse by the size the upload reports before reading a byte of it.
        if upload.size > max_bytes:
            raise ValidationError(
                _("The file is too large (%(size)s). At most %(max)s can be imported.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)}
            )
        data = upload.read()
        try:
            importing.read_catalogue(data, max_bytes=max_bytes, max_rows=settings.IMPORT_MAX_ROWS)
        except importing.ImportFileError as error:
            raise ValidationError(error.message) from None
        self.data_bytes = data
        return upload


class ImportPermissionMixin(PermissionRequiredMixin, VersionMixin):
    permission_required = "measures.add_measure"

    def session_upload(self) -> tuple[str, bytes] | None:
        """The file name and bytes uploaded for this version, if any."""
        stored = self.request.session.get(SESSION_KEY)
        if not isinstance(stored, dict) or stored.get("version") != self.version.pk:
            return None
        try:
            data = base64.b64decode(stored["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return None
        return str(stored.get("name", "")), data

    def forget_upload(self) -> None:
        self.request.session.pop(SESSION_KEY, None)


class CatalogueImportView(ImportPermissionMixin, TemplateView):
    """Upload a catalogue file (POST), then see every row with its problems (GET)."""

    def get_template_names(self):
        if self.session_upload() is not None:
            return ["measures/import_preview.html"]
        return ["measures/import_upload.html"]

    def upload_form(self, *args, **kwargs) -> CatalogueUploadForm:
        return CatalogueUploadForm(*args, action=self.request.path, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version
        context |= {
            "version": version,
            "importable": version.is_editable,
            "columns": [(column.header, column.help) for column in importing.COLUMNS],
            "max_size": filesizeformat(transfer.import_max_bytes()),
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        context.setdefault("form", self.upload_form())
        upload = self.session_upload()
        if upload is None:
            return context
        name, data = upload
        context |= {
            "file_name": name,
            "form": self.upload_form(submit_label=_("Upload corrected file")),
        }
        try:
            plan = transfer.catalogue_plan(version=version, data=data)
        except importing.ImportFileError as error:
            context["file_error"] = error.message
            return context
        context |= {"plan": plan, "counts": plan.counts}
        return context

    def post(self, request, *args, **kwargs):
        if "discard" in request.POST:
            self.forget_upload()
            messages.info(request, _("The uploaded file was discarded."))
            return redirect("measures:import_upload", self.version.pk)
        if not self.version.is_editable:
            messages.error(request, _("An adopted version cannot be changed."))
            return redirect(self.version.get_absolute_url())
        form = self.upload_form(request.POST, request.FILES)
        if not form.is_valid():
            self.forget_upload()
            return self.render_to_response(self.get_context_data(form=form))
        request.session[SESSION_KEY] = {
            "version": self.version.pk,
            "name": Path(form.cleaned_data["file"].name).name[:200],
            "data": base64.b64encode(form.data_bytes).decode("ascii"),
        }
        return redirect("measures:import_upload", self.version.pk)


class CatalogueImportConfirmView(ImportPermissionMixin, View):
    """Import the previewed file: all rows or none (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        upload = self.session_upload()
        if upload is None:
            messages.error(
                request, _("The uploaded file is no longer there. Please upload it again.")
            )
            return redirect("measures:import_upload", self.version.pk)
        name, data = upload
        digest = request.POST.get("digest", "")
        try:
            result = transfer.catalogue_import(
                by=request.user,
                version=self.version,
                data=data,
                expected_digest=digest,
                filename=name,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("measures:import_upload", self.version.pk)
        self.forget_upload()
        messages.success(
            request,
            _(
                "“%(name)s” was imported: %(goals_created)s new and %(goals_updated)s updated "
                "goals, %(measures_created)s new and %(measures_updated)s updated measures."
            )
            % {
                "name": name,
                "goals_created": result.goals_created,
                "goals_updated": result.goals_updated,
                "measures_created": result.measures_created,
                "measures_updated": result.measures_updated,
            },
        )
        return redirect(self.version.get_absolute_url())


class CatalogueSampleView(PermissionRequiredMixin, View):
    """The sample catalogue of the upload page, as ``?format=xlsx`` (default) or ``csv``."""

    permission_required = "measures.view_measure"

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


class CatalogueExportView(PermissionRequiredMixin, VersionMixin, View):
    """A version's catalogue as CSV or XLSX, in the columns the import reads."""

    permission_required = "measures.view_measure"

    def get(self, request, *args, **kwargs):
        fmt = self.kwargs["fmt"]
        if fmt not in tabular.FORMATS:
            raise Http404
        version = self.version
        dataset = importing.catalogue_dataset(version, for_xlsx=fmt == "xlsx")
        name = slugify(f"{version.concept.title} {version.label}")
        return tabular.dataset_response(dataset, fmt, f"{name}-{timezone.localdate():%Y-%m-%d}")
