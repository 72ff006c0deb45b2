from django.urls import path

from .views import files, pages, search

app_name = "portal"

# The Bürgerinfo: read-only, open without a login. What each visitor sees comes
# from minutes.selectors.access (members also see their bodies' non-public items).
urlpatterns = [
    path("", pages.IndexView.as_view(), name="index"),
    path("bodies/", pages.BodyListView.as_view(), name="body_list"),
    path("bodies/<int:pk>/", pages.BodyDetailView.as_view(), name="body_detail"),
    path("meetings/", pages.MeetingCalendarView.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", pages.MeetingDetailView.as_view(), name="meeting_detail"),
    path("items/<int:pk>/", pages.ItemDetailView.as_view(), name="item_detail"),
    path("papers/", pages.PaperListView.as_view(), name="paper_list"),
    path("papers/<int:pk>/", pages.PaperDetailView.as_view(), name="paper_detail"),
    path("tasks/", pages.TaskStatusView.as_view(), name="task_list"),
    path("files/<int:pk>/", files.FileDownloadView.as_view(), name="file_download"),
    path("search/", search.SearchView.as_view(), name="search"),
]
