from django.urls import path

from . import views

app_name = "oparl"

# OParl 1.1: the System object, the one Body (the town), its lists and every object.
urlpatterns = [
    path("", views.SystemView.as_view(), name="system"),
    path("body/", views.BodyListView.as_view(), name="body_list"),
    path("body/<int:pk>/", views.BodyView.as_view(), name="body"),
    path(
        "body/<int:pk>/organization/",
        views.OrganizationListView.as_view(),
        name="organization_list",
    ),
    path("body/<int:pk>/person/", views.PersonListView.as_view(), name="person_list"),
    path("body/<int:pk>/meeting/", views.MeetingListView.as_view(), name="meeting_list"),
    path("body/<int:pk>/paper/", views.PaperListView.as_view(), name="paper_list"),
    path(
        "body/<int:pk>/legislativeterm/",
        views.LegislativeTermListView.as_view(),
        name="legislativeterm_list",
    ),
    path("organization/<int:pk>/", views.OrganizationView.as_view(), name="organization"),
    path("person/<int:pk>/", views.PersonView.as_view(), name="person"),
    path("membership/<int:pk>/", views.MembershipView.as_view(), name="membership"),
    path("meeting/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("agendaitem/<int:pk>/", views.AgendaItemView.as_view(), name="agendaitem"),
    path("paper/<int:pk>/", views.PaperView.as_view(), name="paper"),
    path("consultation/<int:pk>/", views.ConsultationView.as_view(), name="consultation"),
    path("file/<int:pk>/", views.FileView.as_view(), name="file"),
    path("file/<int:pk>/download/", views.FileDownloadView.as_view(), name="file_download"),
    path("location/<int:pk>/", views.LocationView.as_view(), name="location"),
    path("legislativeterm/<int:pk>/", views.LegislativeTermView.as_view(), name="legislativeterm"),
]
