from django.urls import path

from . import views

app_name = "documents"

# /documents/<kind>/<subject>/<variant>/…, e.g. /documents/minutes.packet/12/public/
DOCUMENT = "<str:kind>/<str:subject>/<str:variant>/"

urlpatterns = [
    path(DOCUMENT, views.DocumentDetailView.as_view(), name="document_detail"),
    path(f"{DOCUMENT}status/", views.DocumentStatusView.as_view(), name="document_status"),
    path(f"{DOCUMENT}request/", views.DocumentRequestView.as_view(), name="document_request"),
    path(f"{DOCUMENT}retry/", views.DocumentRetryView.as_view(), name="document_retry"),
    path(f"{DOCUMENT}download/", views.DocumentDownloadView.as_view(), name="document_download"),
]
