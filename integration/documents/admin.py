from django.contrib import admin

from .models import Document, DocumentDownload


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through the services (request, compile, retry)."""

    list_display = ("kind", "subject", "variant", "status", "pages", "rendered_at", "attempts")
    list_filter = ("kind", "status")
    search_fields = ("kind", "subject", "fingerprint")
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "subject", "variant", "downloaded_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
