"""The route matrix of the committee work (see tests/test_routes.py).

Every role reads the public parts of the committee work; what they see beyond
is scoped by minutes.selectors.access and tested in tests/minutes. Only the
coordination prepares meetings and edits; Verwaltung edits the papers of its
departments (the fixture's login answers for none, so it is refused here).
"""


def _pk(factory_name, **extra):
    def build():
        from ..minutes import factories

        return {"pk": getattr(factories, factory_name)().pk, **extra}

    return build


def _attachment_pk():
    from django.core.files.base import ContentFile

    from minutes.models import Attachment

    from ..minutes.factories import PaperFactory

    attachment = Attachment.objects.create(
        paper=PaperFactory(),
        name="Stellenprofil",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="stellenprofil.pdf"),
        file_name="stellenprofil.pdf",
        mime_type="application/pdf",
        size=15,
        sha256="0" * 64,
    )
    return {"pk": attachment.pk}


READERS = {"committee_member", "administration_user", "coordinator"}
EDITORS = {"coordinator"}
MATRIX = {
    "minutes:index": (lambda: {}, READERS),
    "minutes:body_list": (lambda: {}, READERS),
    "minutes:body_create": (lambda: {}, EDITORS),
    "minutes:body_detail": (_pk("BodyFactory"), READERS),
    "minutes:body_update": (_pk("BodyFactory"), EDITORS),
    "minutes:membership_create": (_pk("BodyFactory"), EDITORS),
    "minutes:membership_update": (_pk("MembershipFactory"), EDITORS),
    "minutes:member_account": (_pk("MembershipFactory"), EDITORS),
    "minutes:meeting_list": (lambda: {}, READERS),
    "minutes:meeting_create": (lambda: {}, EDITORS),
    "minutes:meeting_detail": (_pk("MeetingFactory"), READERS),
    "minutes:meeting_update": (_pk("MeetingFactory"), EDITORS),
    "minutes:meeting_status": (_pk("MeetingFactory"), EDITORS),
    "minutes:meeting_attendance": (_pk("MeetingFactory"), EDITORS),
    "minutes:minutes_status": (_pk("MeetingFactory"), EDITORS),
    "minutes:meeting_attachment_upload": (_pk("MeetingFactory"), EDITORS),
    "minutes:invitation_list": (_pk("MeetingFactory"), EDITORS),
    "minutes:invitation_send": (_pk("MeetingFactory"), EDITORS),
    "minutes:packet_publish": (_pk("MeetingFactory"), EDITORS),
    "minutes:item_create": (_pk("MeetingFactory"), EDITORS),
    "minutes:item_update": (_pk("AgendaItemFactory"), EDITORS),
    "minutes:item_move": (_pk("AgendaItemFactory"), EDITORS),
    "minutes:item_delete": (_pk("AgendaItemFactory"), EDITORS),
    "minutes:item_minutes": (_pk("AgendaItemFactory"), EDITORS),
    "minutes:paper_list": (lambda: {}, READERS),
    "minutes:paper_create": (lambda: {}, EDITORS),
    "minutes:paper_detail": (_pk("PaperFactory"), READERS),
    "minutes:paper_update": (_pk("PaperFactory"), EDITORS),
    "minutes:paper_supplement": (_pk("PaperFactory"), EDITORS),
    "minutes:consultation_edit": (_pk("PaperFactory"), EDITORS),
    "minutes:attachment_upload": (_pk("PaperFactory"), EDITORS),
    "minutes:attachment_download": (_attachment_pk, READERS),
    # Verwaltung passes the permission check (it deletes its departments' files);
    # which file it may delete is checked on POST (tests/minutes/test_attachments_views.py).
    "minutes:attachment_delete": (_attachment_pk, {"administration_user", "coordinator"}),
    "minutes:task_list": (lambda: {}, READERS),
    "minutes:task_create": (_pk("AgendaItemFactory"), EDITORS),
    "minutes:task_update": (_pk("FollowUpTaskFactory"), EDITORS),
    "minutes:calendar_settings": (lambda: {}, READERS),
    "minutes:calendar_renew": (lambda: {}, READERS),
}
POST_ONLY = {
    "minutes:member_account",
    "minutes:minutes_status",
    "minutes:meeting_attachment_upload",
    "minutes:invitation_send",
    "minutes:packet_publish",
    "minutes:item_create",
    "minutes:item_move",
    "minutes:attachment_upload",
    "minutes:attachment_delete",
    "minutes:calendar_renew",
}
