from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """PDF machinery shared by all apps (filled by the PDF issue)."""

    name = "integration.documents"
    label = "documents"
    verbose_name = _("Documents")
