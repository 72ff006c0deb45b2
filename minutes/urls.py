from django.urls import path

from .views import (
    agenda,
    bodies,
    calendars,
    invitations,
    meetings,
    overview,
    packets,
    papers,
    tasks,
)

app_name = "minutes"

urlpatterns = [
    path("", overview.IndexView.as_view(), name="index"),
]

# Bodies and their members.
urlpatterns += [
    path("bodies/", bodies.BodyListView.as_view(), name="body_list"),
    path("bodies/new/", bodies.BodyCreateView.as_view(), name="body_create"),
    path("bodies/<int:pk>/", bodies.BodyDetailView.as_view(), name="body_detail"),
    path("bodies/<int:pk>/edit/", bodies.BodyUpdateView.as_view(), name="body_update"),
    path(
        "bodies/<int:pk>/members/new/",
        bodies.MembershipCreateView.as_view(),
        name="membership_create",
    ),
    path(
        "memberships/<int:pk>/edit/",
        bodies.MembershipUpdateView.as_view(),
        name="membership_update",
    ),
    path(
        "memberships/<int:pk>/account/",
        bodies.MemberAccountView.as_view(),
        name="member_account",
    ),
]

# Meetings: preparation, invitations, attendance, minutes.
urlpatterns += [
    path("meetings/", meetings.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.MeetingUpdateView.as_view(), name="meeting_update"),
    path("meetings/<int:pk>/status/", meetings.MeetingStatusView.as_view(), name="meeting_status"),
    path(
        "meetings/<int:pk>/attendance/",
        meetings.AttendanceView.as_view(),
        name="meeting_attendance",
    ),
    path("meetings/<int:pk>/minutes/", meetings.MinutesStatusView.as_view(), name="minutes_status"),
    path(
        "meetings/<int:pk>/attachments/new/",
        meetings.MeetingAttachmentUploadView.as_view(),
        name="meeting_attachment_upload",
    ),
    path(
        "meetings/<int:pk>/invitations/",
        invitations.InvitationListView.as_view(),
        name="invitation_list",
    ),
    path(
        "meetings/<int:pk>/invitations/send/",
        invitations.InvitationSendView.as_view(),
        name="invitation_send",
    ),
]

# The agenda: items, their order, minutes text and resolution.
urlpatterns += [
    path("meetings/<int:pk>/items/new/", agenda.ItemCreateView.as_view(), name="item_create"),
    path("items/<int:pk>/edit/", agenda.ItemUpdateView.as_view(), name="item_update"),
    path("items/<int:pk>/move/", agenda.ItemMoveView.as_view(), name="item_move"),
    path("items/<int:pk>/delete/", agenda.ItemDeleteView.as_view(), name="item_delete"),
    path("items/<int:pk>/minutes/", agenda.ItemMinutesView.as_view(), name="item_minutes"),
]

# Papers (Vorlagen), their Beratungsfolge and files.
urlpatterns += [
    path("papers/", papers.PaperListView.as_view(), name="paper_list"),
    path("papers/new/", papers.PaperCreateView.as_view(), name="paper_create"),
    path("papers/<int:pk>/", papers.PaperDetailView.as_view(), name="paper_detail"),
    path("papers/<int:pk>/edit/", papers.PaperUpdateView.as_view(), name="paper_update"),
    path(
        "papers/<int:pk>/supplement/",
        papers.PaperSupplementView.as_view(),
        name="paper_supplement",
    ),
    path(
        "papers/<int:pk>/consultations/",
        papers.ConsultationEditView.as_view(),
        name="consultation_edit",
    ),
    path(
        "papers/<int:pk>/attachments/new/",
        papers.AttachmentUploadView.as_view(),
        name="attachment_upload",
    ),
    path(
        "attachments/<int:pk>/", papers.AttachmentDownloadView.as_view(), name="attachment_download"
    ),
    path(
        "attachments/<int:pk>/delete/",
        papers.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]

# Follow-up tasks (Beschlusskontrolle).
urlpatterns += [
    path("tasks/", tasks.TaskListView.as_view(), name="task_list"),
    path("items/<int:pk>/tasks/new/", tasks.TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/edit/", tasks.TaskUpdateView.as_view(), name="task_update"),
]

# Calendars (iCal): public meetings overall and per body, a member's secret feed.
urlpatterns += [
    path("calendar/", calendars.CalendarSettingsView.as_view(), name="calendar_settings"),
    path("calendar/renew/", calendars.CalendarRenewView.as_view(), name="calendar_renew"),
    path("calendar/meetings.ics", calendars.PublicCalendarView.as_view(), name="calendar_all"),
    path(
        "calendar/bodies/<int:pk>.ics",
        calendars.BodyCalendarView.as_view(),
        name="calendar_body",
    ),
    path(
        "calendar/personal/<str:token>.ics",
        calendars.PersonalCalendarView.as_view(),
        name="calendar_personal",
    ),
]

# The meeting packet (Sitzungsmappe): publishing it to the members; the PDFs
# themselves are served by integration.documents.
urlpatterns += [
    path(
        "meetings/<int:pk>/packet/publish/",
        packets.PacketPublishView.as_view(),
        name="packet_publish",
    ),
]
