"""Django's admin for the integration concept, for superusers.

Here a superuser creates the concept with its first version and assigns the
departments a Verwaltung login answers for (Responsibility). The daily work —
revising, adopting, status updates — goes through the pages and their services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Concept,
    ConceptVersion,
    FundingProgramme,
    Goal,
    Grant,
    GrantYear,
    Indicator,
    Measure,
    Observation,
    Position,
    Responsibility,
    StatusUpdate,
)


class ConceptVersionInline(admin.TabularInline):
    """The versions of a concept; adding a concept needs its first version."""

    model = ConceptVersion
    fields = ("label", "status", "adopted_on", "adopted_by", "based_on")
    readonly_fields = ("based_on",)
    show_change_link = True
    extra = 0

    def get_min_num(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ("title", "created_at")
    search_fields = ("title",)
    inlines = (ConceptVersionInline,)


@admin.register(ConceptVersion)
class ConceptVersionAdmin(admin.ModelAdmin):
    list_display = ("label", "concept", "status", "adopted_on", "adopted_by", "based_on")
    list_filter = ("status", "concept")
    list_select_related = ("concept", "based_on")
    search_fields = ("label", "concept__title")
    autocomplete_fields = ("concept", "based_on")


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "version", "field_of_action")
    list_filter = ("version", "field_of_action")
    list_select_related = ("version__concept", "field_of_action")
    search_fields = ("title",)
    autocomplete_fields = ("version",)
    readonly_fields = ("key",)


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "status", "lead", "version")
    list_filter = ("status", "goal__version")
    list_select_related = ("goal__version", "lead")
    search_fields = ("title", "goal__title", "lead__name")
    autocomplete_fields = ("goal",)
    filter_horizontal = ("partners",)
    readonly_fields = ("key",)

    @admin.display(description=_("number"), ordering="goal__number")
    def code(self, measure: Measure) -> str:
        return measure.code

    @admin.display(description=_("version"), ordering="goal__version")
    def version(self, measure: Measure) -> str:
        return measure.goal.version.label


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ("date", "measure_title", "status", "author")
    list_filter = ("status",)
    list_select_related = ("measure__goal", "author")
    search_fields = ("note", "measure__title")
    autocomplete_fields = ("measure", "author")
    date_hierarchy = "date"

    @admin.display(description=_("measure"), ordering="measure__title")
    def measure_title(self, update: StatusUpdate) -> str:
        return str(update.measure)


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    """Which departments a Verwaltung login answers for ("Meine Maßnahmen")."""

    list_display = ("user", "organisation")
    list_select_related = ("user", "organisation")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "organisation__name",
    )
    # Organisations have no admin of their own to search in; the select lists them by name.
    autocomplete_fields = ("user",)


# --- Funding ----------------------------------------------------------------------------


class GrantYearInline(admin.TabularInline):
    """The money per year; the pages check the rules (measures.services.funding)."""

    model = GrantYear
    fields = ("year", "applied", "granted", "spent")
    extra = 0


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "provider", "level", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "short_name", "provider")


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "status", "starts_on", "ends_on", "report_due_on")
    list_filter = ("status", "programme")
    list_select_related = ("programme",)
    search_fields = ("title", "reference", "programme__name")
    autocomplete_fields = ("programme", "measures", "responsible")
    readonly_fields = ("report_reminded_for",)
    inlines = (GrantYearInline,)


# --- Positions and monitoring -----------------------------------------------------------


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    """Positions; the pages check the rules across fields (measures.services.positions)."""

    list_display = ("title", "status", "employment", "fte", "hours_per_week", "cost_per_year")
    list_filter = ("status", "employment")
    list_select_related = ("department", "provider", "grant", "holder")
    search_fields = ("title", "job_profile")
    autocomplete_fields = ("grant",)
    raw_id_fields = ("department", "provider", "holder")


class ObservationInline(admin.TabularInline):
    model = Observation
    fields = ("period_end", "period_label", "value", "note")
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "field_of_action", "unit", "target_value", "higher_is_better")
    list_filter = ("field_of_action",)
    list_select_related = ("field_of_action",)
    search_fields = ("name", "source")
    inlines = (ObservationInline,)
