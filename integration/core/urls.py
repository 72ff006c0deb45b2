from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("fields-of-action/", views.FieldOfActionListView.as_view(), name="fieldofaction_list"),
    path(
        "fields-of-action/new/",
        views.FieldOfActionCreateView.as_view(),
        name="fieldofaction_create",
    ),
    path(
        "fields-of-action/<int:pk>/edit/",
        views.FieldOfActionUpdateView.as_view(),
        name="fieldofaction_update",
    ),
]
