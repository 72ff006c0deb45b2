"""The three roles and the permissions each one holds.

Roles are Django groups; views check permissions, never group names. This
module is the one place that says which permission belongs to which role;
``services.roles_sync`` makes the groups in the database match it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Apps whose every permission the coordination holds ...
PROJECT_APPS = ("core", "documents", "actors", "surveys", "measures", "minutes")
# ... except managing logins, which stays with superusers (Django's admin): a
# coordinator who could change users could make anyone a superuser.
EXCLUDED_FROM_ALL = ("core.add_user", "core.change_user", "core.delete_user")


class Role(models.TextChoices):
    COORDINATION = "Koordination", _("Coordination")
    ADMINISTRATION = "Verwaltung", _("Administration")
    COMMITTEE_MEMBER = "Gremienmitglied", _("Committee member")


# Coordination: everything in the project apps ("*"). Administration works on
# what it is responsible for; committee members read. Later issues extend the
# lists with their apps' permissions.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.COORDINATION: ("*",),
    # The administration looks up contacts of the network but does not change it.
    Role.ADMINISTRATION: (
        "core.view_dashboard",
        "core.view_fieldofaction",
        "actors.view_organisation",
        "actors.view_person",
        "actors.view_circle",
        # Whether and why a contact may be emailed (invitations go out from here).
        "actors.view_consent",
        # The concept: read all; status updates only on the measures their
        # department leads (measures.services.updates checks it).
        "measures.view_concept",
        "measures.view_conceptversion",
        "measures.view_goal",
        "measures.view_measure",
        "measures.view_statusupdate",
        "measures.add_statusupdate",
        # Funding, positions and monitoring are reported alongside the concept.
        "measures.view_fundingprogramme",
        "measures.view_grant",
        "measures.view_grantyear",
        "measures.view_position",
        "measures.view_indicator",
        "measures.view_observation",
        # Committee work: what they may see of it is scoped further in
        # minutes.selectors.access (non-public items of their own bodies only).
        "minutes.view_body",
        "minutes.view_membership",
        "minutes.view_location",
        "minutes.view_legislativeterm",
        "minutes.view_meeting",
        "minutes.view_attendance",
        "minutes.view_agendaitem",
        "minutes.view_paper",
        "minutes.view_consultation",
        "minutes.view_attachment",
        "minutes.view_resolution",
        "minutes.view_followuptask",
        # Meetings of every body (committee members: public and their own), and the
        # papers of the departments they answer for (minutes.selectors.access).
        "minutes.view_all_meetings",
        "minutes.add_paper",
        "minutes.change_paper",
        "minutes.add_attachment",
    ),
    Role.COMMITTEE_MEMBER: (
        "core.view_dashboard",
        "core.view_fieldofaction",
        # The concept and its Umsetzungsstand are reported to the committees.
        "measures.view_concept",
        "measures.view_conceptversion",
        "measures.view_goal",
        "measures.view_measure",
        "measures.view_statusupdate",
        # Funding, positions and monitoring are reported alongside the concept.
        "measures.view_fundingprogramme",
        "measures.view_grant",
        "measures.view_grantyear",
        "measures.view_position",
        "measures.view_indicator",
        "measures.view_observation",
        # Committee work: what they may see of it is scoped further in
        # minutes.selectors.access (non-public items of their own bodies only).
        "minutes.view_body",
        "minutes.view_membership",
        "minutes.view_location",
        "minutes.view_legislativeterm",
        "minutes.view_meeting",
        "minutes.view_attendance",
        "minutes.view_agendaitem",
        "minutes.view_paper",
        "minutes.view_consultation",
        "minutes.view_attachment",
        "minutes.view_resolution",
        "minutes.view_followuptask",
    ),
}
