from django.urls import path

from .views import delivery, questions, recipients, respond, results, surveys

app_name = "surveys"

# The coordinator's screens: build, choose recipients, launch, follow, evaluate.
urlpatterns = [
    path("", surveys.SurveyListView.as_view(), name="index"),
    path("new/", surveys.SurveyCreateView.as_view(), name="survey_create"),
    path("<int:pk>/", surveys.SurveyDetailView.as_view(), name="survey_detail"),
    path("<int:pk>/edit/", surveys.SurveyUpdateView.as_view(), name="survey_update"),
    path("<int:pk>/copy/", surveys.SurveyCopyView.as_view(), name="survey_copy"),
    path("<int:pk>/delete/", surveys.SurveyDeleteView.as_view(), name="survey_delete"),
    path("<int:pk>/preview/", respond.SurveyPreviewView.as_view(), name="survey_preview"),
    path("<int:pk>/questions/new/", questions.QuestionCreateView.as_view(), name="question_create"),
    path(
        "questions/<int:pk>/edit/", questions.QuestionUpdateView.as_view(), name="question_update"
    ),
    path(
        "questions/<int:pk>/delete/", questions.QuestionDeleteView.as_view(), name="question_delete"
    ),
    path(
        "questions/<int:pk>/move/<str:direction>/",
        questions.QuestionMoveView.as_view(),
        name="question_move",
    ),
    path("<int:pk>/recipients/", recipients.RecipientListView.as_view(), name="recipient_list"),
    path("<int:pk>/recipients/add/", recipients.RecipientAddView.as_view(), name="recipient_add"),
    path(
        "invitations/<int:pk>/remove/",
        recipients.InvitationRemoveView.as_view(),
        name="invitation_remove",
    ),
]

# Sending: launch, reminders, closing, the outbox and its live progress.
urlpatterns += [
    path("<int:pk>/launch/", delivery.SurveyLaunchView.as_view(), name="survey_launch"),
    path("<int:pk>/remind/", delivery.SurveyRemindView.as_view(), name="survey_remind"),
    path("<int:pk>/close/", delivery.SurveyCloseView.as_view(), name="survey_close"),
    path("<int:pk>/mails/", delivery.MailListView.as_view(), name="mail_list"),
    path("<int:pk>/progress/", delivery.SurveyProgressView.as_view(), name="survey_progress"),
    path("mails/<int:pk>/retry/", delivery.MailRetryView.as_view(), name="mail_retry"),
]

# Results, exports and the committee report.
urlpatterns += [
    path("<int:pk>/results/", results.SurveyResultsView.as_view(), name="survey_results"),
    path(
        "<int:pk>/results/export.<str:fmt>",
        results.SurveyExportView.as_view(),
        name="survey_export",
    ),
    path("<int:pk>/report.pdf", results.SurveyReportView.as_view(), name="survey_report"),
]

# The recipient's pages: no login, reached only through the personal link.
urlpatterns += [
    path("r/<str:token>/", respond.RespondView.as_view(), name="respond"),
    path("r/<str:token>/done/", respond.RespondDoneView.as_view(), name="respond_done"),
    path("r/<str:token>/opt-out/", respond.OptOutView.as_view(), name="opt_out"),
]
