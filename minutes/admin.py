"""Django's admin for the committee work, for superusers: looking up and repairing rows.

The daily work goes through the pages and their services, which number papers
and agenda items, validate uploads and send mails; so rows that need those
(papers, agenda items, files, invitation mails) cannot be added here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    Consultation,
    FollowUpTask,
    InvitationRound,
    LegislativeTerm,
    Location,
    Meeting,
    MeetingMail,
    Membership,
    Paper,
    Resolution,
)
from .services.oparl import publication_watch


class PublicationWatchMixin:
    """Writes here that take objects out of the public data (a delete with its
    cascade, a body or paper set non-public, a meeting moved to another body) leave
    their OParl ``deleted: true`` stubs, as the pages' services do
    (``publication_watch``)."""

    def save_model(self, request, obj, form, change):
        with publication_watch():
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with publication_watch():
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        with publication_watch():
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with publication_watch():
            super().delete_queryset(request, queryset)


class NoAddMixin:
    """Rows created only by the services (numbers, files, mails)."""

    def has_add_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("person", "role", "on_behalf_of", "start_date", "end_date")
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Body)
class BodyAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "is_public", "circle", "end_date")
    list_filter = ("kind", "is_public")
    list_select_related = ("circle",)
    search_fields = ("name", "short_name")
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("person", "body", "role", "on_behalf_of", "start_date", "end_date")
    list_filter = ("role", "body")
    list_select_related = ("person", "body")
    search_fields = ("person__last_name", "person__first_name", "body__name", "on_behalf_of")
    raw_id_fields = ("person",)
    autocomplete_fields = ("body",)


@admin.register(Location)
class LocationAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("room", "street_address", "postal_code", "locality")
    search_fields = ("room", "street_address", "locality")


@admin.register(LegislativeTerm)
class LegislativeTermAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date")
    search_fields = ("name",)


@admin.register(Meeting)
class MeetingAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("date", "start_time", "body", "name", "status", "minutes_status")
    list_filter = ("status", "minutes_status", "body")
    list_select_related = ("body",)
    search_fields = ("name", "body__name")
    date_hierarchy = "date"
    autocomplete_fields = ("body", "location", "minutes_approved_in")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "person", "status", "is_guest", "has_vote", "function")
    list_filter = ("status", "is_guest")
    list_select_related = ("meeting__body", "person")
    search_fields = ("person__last_name", "person__first_name", "meeting__body__name")
    raw_id_fields = ("person",)
    autocomplete_fields = ("meeting",)


@admin.register(AgendaItem)
class AgendaItemAdmin(PublicationWatchMixin, NoAddMixin, admin.ModelAdmin):
    list_display = ("title", "printed_number", "position", "meeting", "paper")
    list_filter = ("is_public",)
    list_select_related = ("meeting__body", "paper")
    search_fields = ("title", "meeting__body__name", "minutes_text")
    raw_id_fields = ("speakers",)
    autocomplete_fields = ("meeting", "paper")

    @admin.display(description=_("number"))
    def printed_number(self, item):
        return item.printed_number


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ("agenda_item", "kind", "vote", "yes", "no", "abstentions", "referred_to")
    list_filter = ("kind", "vote")
    list_select_related = ("agenda_item", "referred_to")
    search_fields = ("text", "agenda_item__title")
    autocomplete_fields = ("agenda_item", "referred_to")
    raw_id_fields = ("measures",)


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin):
    list_display = ("title", "due_on", "status", "owner_person", "owner_organisation")
    list_filter = ("status",)
    list_select_related = ("owner_person", "owner_organisation")
    search_fields = ("title", "description", "closing_note")
    date_hierarchy = "due_on"
    autocomplete_fields = ("agenda_item", "resolution")
    raw_id_fields = ("owner_person", "owner_organisation", "measure", "created_by")


@admin.register(Paper)
class PaperAdmin(PublicationWatchMixin, NoAddMixin, admin.ModelAdmin):
    list_display = ("reference", "title", "kind", "date", "lead_department", "is_public")
    list_filter = ("kind", "is_public", "year")
    list_select_related = ("lead_department",)
    search_fields = ("title", "text", "=year")
    readonly_fields = ("reference",)
    raw_id_fields = ("lead_department", "author", "related_papers")

    @admin.display(description=_("reference"), ordering="year")
    def reference(self, paper):
        return paper.reference


@admin.register(Consultation)
class ConsultationAdmin(PublicationWatchMixin, admin.ModelAdmin):
    list_display = ("paper", "body", "position", "role", "agenda_item")
    list_filter = ("role", "body")
    list_select_related = ("paper", "body", "agenda_item")
    search_fields = ("paper__title", "body__name")
    autocomplete_fields = ("paper", "body", "agenda_item")


@admin.register(Attachment)
class AttachmentAdmin(PublicationWatchMixin, NoAddMixin, admin.ModelAdmin):
    list_display = ("name", "file_name", "mime_type", "size", "paper", "meeting", "is_public")
    list_filter = ("mime_type", "is_public")
    list_select_related = ("paper", "meeting__body")
    search_fields = ("name", "file_name")
    readonly_fields = ("file", "file_name", "mime_type", "size", "sha256", "uploaded_by")
    raw_id_fields = ("paper", "meeting")


class MeetingMailInline(admin.TabularInline):
    model = MeetingMail
    fields = ("person", "email", "status", "attempts", "sent_at", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InvitationRound)
class InvitationRoundAdmin(NoAddMixin, admin.ModelAdmin):
    list_display = ("meeting", "number", "sent_by", "created_at")
    list_select_related = ("meeting__body", "sent_by")
    search_fields = ("meeting__body__name",)
    readonly_fields = ("meeting", "number", "sent_by")
    inlines = (MeetingMailInline,)


@admin.register(MeetingMail)
class MeetingMailAdmin(NoAddMixin, admin.ModelAdmin):
    list_display = ("email", "round", "status", "attempts", "due_at", "sent_at")
    list_filter = ("status",)
    list_select_related = ("round__meeting__body",)
    search_fields = ("email", "person__last_name")
    readonly_fields = ("round", "person", "email", "attempts", "sent_at", "failed_at", "error")
