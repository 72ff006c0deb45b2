from django.urls import path

from .views import circles, organisations, people, privacy, transfer

app_name = "actors"

# Screens of the network: lists, details, forms, circles, merge, picture.
urlpatterns = [
    path("", organisations.NetworkIndexView.as_view(), name="index"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation_list"),
    path(
        "organisations/new/",
        organisations.OrganisationCreateView.as_view(),
        name="organisation_create",
    ),
    path(
        "organisations/<int:pk>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        organisations.OrganisationUpdateView.as_view(),
        name="organisation_update",
    ),
    path(
        "organisations/<int:pk>/archive/",
        organisations.OrganisationArchiveView.as_view(),
        name="organisation_archive",
    ),
    path(
        "organisations/<int:pk>/unarchive/",
        organisations.OrganisationArchiveView.as_view(archive=False),
        name="organisation_unarchive",
    ),
    path("people/", people.PersonListView.as_view(), name="person_list"),
    path("people/new/", people.PersonCreateView.as_view(), name="person_create"),
    path("people/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", people.PersonUpdateView.as_view(), name="person_update"),
    path("people/<int:pk>/archive/", people.PersonArchiveView.as_view(), name="person_archive"),
    path(
        "people/<int:pk>/unarchive/",
        people.PersonArchiveView.as_view(archive=False),
        name="person_unarchive",
    ),
    path("people/<int:pk>/merge/", people.PersonMergeView.as_view(), name="person_merge"),
    path(
        "people/<int:pk>/merge/<int:duplicate>/",
        people.PersonMergeConfirmView.as_view(),
        name="person_merge_confirm",
    ),
    path(
        "people/<int:pk>/affiliations/new/",
        people.AffiliationCreateView.as_view(),
        name="affiliation_create",
    ),
    path(
        "people/<int:pk>/memberships/new/",
        people.PersonMembershipCreateView.as_view(),
        name="person_membership_create",
    ),
    path("affiliations/<int:pk>/end/", people.AffiliationEndView.as_view(), name="affiliation_end"),
    path("circles/", circles.CircleListView.as_view(), name="circle_list"),
    path("circles/new/", circles.CircleCreateView.as_view(), name="circle_create"),
    path("circles/<int:pk>/", circles.CircleDetailView.as_view(), name="circle_detail"),
    path("circles/<int:pk>/edit/", circles.CircleUpdateView.as_view(), name="circle_update"),
    path(
        "circles/<int:pk>/members/new/",
        circles.MembershipCreateView.as_view(),
        name="membership_create",
    ),
    path("memberships/<int:pk>/end/", circles.MembershipEndView.as_view(), name="membership_end"),
]

# Import and export.
urlpatterns += [
    path("import/", transfer.ImportUploadView.as_view(), name="import_upload"),
    path("import/preview/", transfer.ImportPreviewView.as_view(), name="import_preview"),
    path("import/sample/", transfer.ImportSampleView.as_view(), name="import_sample"),
    path("import/<uuid:uuid>/", transfer.ImportProgressView.as_view(), name="import_progress"),
    path("import/<uuid:uuid>/status/", transfer.ImportStatusView.as_view(), name="import_status"),
    path(
        "organisations/export/",
        transfer.OrganisationExportView.as_view(),
        name="organisation_export",
    ),
    path("people/export/", transfer.PersonExportView.as_view(), name="person_export"),
    path("circles/<int:pk>/export/", transfer.CircleExportView.as_view(), name="circle_export"),
    path("picture/", transfer.NetworkPictureView.as_view(), name="network_picture"),
]

# Data protection: consent, data export, erasure, privacy log.
urlpatterns += [
    path("people/<int:pk>/privacy/", privacy.PersonPrivacyView.as_view(), name="person_privacy"),
    path(
        "people/<int:pk>/consents/new/", privacy.ConsentCreateView.as_view(), name="consent_create"
    ),
    path(
        "people/<int:pk>/consents/withdraw/",
        privacy.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path(
        "people/<int:pk>/privacy/export/",
        privacy.PersonDataExportView.as_view(),
        name="person_data_export",
    ),
    path("people/<int:pk>/erase/", privacy.PersonEraseView.as_view(), name="person_erase"),
    path("privacy-log/", privacy.PrivacyLogListView.as_view(), name="privacylog_list"),
    path("retention/", privacy.RetentionListView.as_view(), name="retention_list"),
]
