"""Committee work: bodies and memberships, meetings with their agenda, papers and
their consultations, attachments, resolutions and votes, follow-up tasks
(Beschlusskontrolle), and the invitation mails. Mapped onto OParl 1.1."""

from .bodies import Body, LegislativeTerm, Location, Membership
from .calendar import CalendarFeed
from .invitations import InvitationRound, MeetingMail
from .meetings import AgendaItem, Attendance, FollowUpTask, Meeting, Resolution
from .oparl import OParlTombstone
from .papers import Attachment, Consultation, Paper

__all__ = [
    "AgendaItem",
    "Attachment",
    "Attendance",
    "Body",
    "CalendarFeed",
    "Consultation",
    "FollowUpTask",
    "InvitationRound",
    "LegislativeTerm",
    "Location",
    "Meeting",
    "MeetingMail",
    "Membership",
    "OParlTombstone",
    "Paper",
    "Resolution",
]
