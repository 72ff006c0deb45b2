from django.urls import path

from .views import catalogue, transfer, updates, versions

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
