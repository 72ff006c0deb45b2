"""Reads of the invitations: who would be invited (and who not, why), the rounds
sent with their mails, and the agenda a mail shows."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from actors.models import Consent, Person
from actors.selectors import consent_check

from ..models import AgendaItem, Attachment, InvitationRound, Meeting, MeetingMail
from .access import current_membership_q


@dataclass(frozen=True)
class Recipients:
    """The current members of a meeting's body: those ``consent_check`` allows for
    invitations, and the others with the German reason."""

    allowed: list[Person]
    left_out: list[dict]


def invitation_recipients(*, meeting: Meeting) -> Recipients:
    """Who an invitation to ``meeting`` goes to now; two queries."""
    people = (
        Person.objects.filter(
            memberships__in=meeting.body.memberships.filter(current_membership_q())
        )
        .distinct()
        .prefetch_related("consents")
        .order_by("last_name", "first_name", "pk")
    )
    allowed, left_out = [], []
    for person in people:
        check = consent_check(person=person, purpose=Consent.Purpose.INVITATIONS)
        if check.allowed:
            allowed.append(person)
        else:
            left_out.append({"person": person, "reason": check.reason})
    return Recipients(allowed=allowed, left_out=left_out)


def invitation_rounds(*, meeting: Meeting) -> QuerySet[InvitationRound]:
    """The meeting's rounds, newest first, with their mails and recipients (two queries)."""
    mails = MeetingMail.objects.select_related("person").order_by(
        "person__last_name", "person__first_name", "pk"
    )
    return (
        meeting.invitation_rounds.select_related("sent_by")
        .prefetch_related(Prefetch("mails", queryset=mails))
        .order_by("-number")
    )


def last_round_number(*, meeting: Meeting) -> int:
    newest = meeting.invitation_rounds.order_by("-number").values_list("number", flat=True)
    return newest.first() or 0


def mail_agenda(*, meeting: Meeting) -> dict:
    """The agenda an invitation shows: public and non-public items (recipients are
    members of the body, who may see both), their papers with files, and the
    meeting's own files. Three queries."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("paper")
        .prefetch_related(
            Prefetch("paper__attachments", queryset=Attachment.objects.order_by("position", "pk"))
        )
        .order_by("position")
    )
    return {
        "public_items": [item for item in items if item.is_public],
        "nonpublic_items": [item for item in items if not item.is_public],
        "meeting_files": list(meeting.attachments.order_by("position", "pk")),
    }
