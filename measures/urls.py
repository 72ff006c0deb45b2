from django.urls import path

from .views import catalogue, funding, monitoring, positions, reports, transfer, updates, versions

app_name = "measures"

# The catalogue: versions, goals, measures.
urlpatterns = [
    path("", catalogue.CatalogueView.as_view(), name="index"),
    path("versions/", versions.VersionListView.as_view(), name="version_list"),
    path("versions/<int:pk>/", catalogue.CatalogueView.as_view(), name="version_detail"),
    path("versions/<int:pk>/revise/", versions.VersionReviseView.as_view(), name="version_revise"),
    path("versions/<int:pk>/adopt/", versions.VersionAdoptView.as_view(), name="version_adopt"),
    path(
        "versions/<int:pk>/compare/<int:other>/",
        versions.VersionCompareView.as_view(),
        name="version_compare",
    ),
    path("versions/<int:pk>/goals/new/", catalogue.GoalCreateView.as_view(), name="goal_create"),
    path("goals/<int:pk>/edit/", catalogue.GoalUpdateView.as_view(), name="goal_update"),
    path(
        "goals/<int:pk>/measures/new/",
        catalogue.MeasureCreateView.as_view(),
        name="measure_create",
    ),
    path("measures/<int:pk>/", catalogue.MeasureDetailView.as_view(), name="measure_detail"),
    path("measures/<int:pk>/edit/", catalogue.MeasureUpdateView.as_view(), name="measure_update"),
]

# The Umsetzungsstand: status updates, the departments' own measures, stale ones.
urlpatterns += [
    path(
        "measures/<int:pk>/updates/new/",
        updates.StatusUpdateCreateView.as_view(),
        name="statusupdate_create",
    ),
    path("mine/", updates.MyMeasuresView.as_view(), name="my_measures"),
    path("stale/", updates.StaleMeasuresView.as_view(), name="stale_list"),
    path("stale/remind/", updates.StaleRemindView.as_view(), name="stale_remind"),
]

# Import and export of a catalogue.
urlpatterns += [
    path("versions/<int:pk>/import/", transfer.CatalogueImportView.as_view(), name="import_upload"),
    path(
        "versions/<int:pk>/import/confirm/",
        transfer.CatalogueImportConfirmView.as_view(),
        name="import_confirm",
    ),
    path("import/sample/", transfer.CatalogueSampleView.as_view(), name="import_sample"),
    path(
        "versions/<int:pk>/export.<str:fmt>",
        transfer.CatalogueExportView.as_view(),
        name="catalogue_export",
    ),
]

# Funding: programmes, grants, the overview per year.
urlpatterns += [
    path("funding/", funding.FundingOverviewView.as_view(), name="funding_overview"),
    path("funding/programmes/new/", funding.ProgrammeCreateView.as_view(), name="programme_create"),
    path(
        "funding/programmes/<int:pk>/",
        funding.ProgrammeDetailView.as_view(),
        name="programme_detail",
    ),
    path(
        "funding/programmes/<int:pk>/edit/",
        funding.ProgrammeUpdateView.as_view(),
        name="programme_update",
    ),
    path("funding/grants/", funding.GrantListView.as_view(), name="grant_list"),
    path("funding/grants/new/", funding.GrantCreateView.as_view(), name="grant_create"),
    path("funding/grants/<int:pk>/", funding.GrantDetailView.as_view(), name="grant_detail"),
    path("funding/grants/<int:pk>/edit/", funding.GrantUpdateView.as_view(), name="grant_update"),
]

# Positions (Stellen).
urlpatterns += [
    path("positions/", positions.PositionListView.as_view(), name="position_list"),
    path("positions/new/", positions.PositionCreateView.as_view(), name="position_create"),
    path("positions/<int:pk>/", positions.PositionDetailView.as_view(), name="position_detail"),
    path(
        "positions/<int:pk>/edit/", positions.PositionUpdateView.as_view(), name="position_update"
    ),
]

# Monitoring: indicators per field of action and their observations.
urlpatterns += [
    path("monitoring/", monitoring.MonitoringOverviewView.as_view(), name="monitoring_overview"),
    path(
        "monitoring/indicators/new/",
        monitoring.IndicatorCreateView.as_view(),
        name="indicator_create",
    ),
    path(
        "monitoring/indicators/<int:pk>/",
        monitoring.IndicatorDetailView.as_view(),
        name="indicator_detail",
    ),
    path(
        "monitoring/indicators/<int:pk>/edit/",
        monitoring.IndicatorUpdateView.as_view(),
        name="indicator_update",
    ),
    path(
        "monitoring/indicators/<int:pk>/observations/new/",
        monitoring.ObservationCreateView.as_view(),
        name="observation_create",
    ),
    path(
        "monitoring/observations/<int:pk>/edit/",
        monitoring.ObservationUpdateView.as_view(),
        name="observation_update",
    ),
    path(
        "monitoring/observations/<int:pk>/delete/",
        monitoring.ObservationDeleteView.as_view(),
        name="observation_delete",
    ),
]

# The concept status report for the committee (PDF).
urlpatterns += [
    path(
        "versions/<int:pk>/report.pdf", reports.ConceptReportView.as_view(), name="concept_report"
    ),
]
