"""Meetings: create and change them, their status, attendance and the minutes' lifecycle.

Every change locks the meeting row first (``select_for_update``), so that two
coordinators working on the same meeting see each other's changes completely.

Minutes lifecycle: none → draft (as soon as minutes text or a resolution
exists; saving an item's minutes moves it there) → approved (at a later
meeting of the same body) → published. Approved and published minutes are
frozen: their minutes text, resolutions and agenda no longer change. The
coordination (``change_meeting``) may reopen them (back to draft, clearing the
approval and the publication date) to correct a mistake; the reopening is
the audit trail's responsibility of whoever does it and is shown as a status.
"""

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Person
from integration.core.models import User
from integration.core.services import fields_apply

from ..models import AgendaItem, Attendance, Body, Location, Meeting, Resolution
from .oparl import publication_watch

MEETING_FIELDS = {"body", "name", "date", "start_time", "end_time", "location", "guests"}
ADDRESS_FIELDS = ("room", "street_address", "postal_code", "locality")
FROZEN_MINUTES = (Meeting.MinutesStatus.APPROVED, Meeting.MinutesStatus.PUBLISHED)


def meeting_locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def minutes_editable_check(meeting: Meeting) -> None:
    """Raise when the minutes of ``meeting`` are approved or published (frozen)."""
    if meeting.minutes_status in FROZEN_MINUTES:
        raise ValidationError(
            _(
                "The minutes of this meeting are “%(status)s” and can no longer be changed. "
                "The coordination can reopen them as a draft."
            )
            % {"status": meeting.get_minutes_status_display()}
        )


def location_resolve(
    *,
    location: Location | None = None,
    room: str = "",
    street_address: str = "",
    postal_code: str = "",
    locality: str = "",
) -> Location | None:
    """The chosen location, or the one matching the typed room and address (created
    when none matches); ``None`` when neither is given."""
    typed = {
        "room": room.strip(),
        "street_address": street_address.strip(),
        "postal_code": postal_code.strip(),
        "locality": locality.strip(),
    }
    if location is not None:
        if any(typed.values()):
            raise ValidationError(
                _("Choose an existing location or type a new one, not both."), code="both"
            )
        return location
    if not any(typed.values()):
        return None
    if not typed["room"] and not typed["street_address"]:
        raise ValidationError(
            {"room": _("Please enter the room or the street.")}, code="location_empty"
        )
    match = Q()
    for name, value in typed.items():
        match &= Q(**{f"{name}__iexact": value})
    found = Location.objects.filter(match).order_by("pk").first()
    if found is not None:
        return found
    new = Location(**typed)
    new.full_clean()
    new.save()
    return new


def _times_check(start_time: time, end_time: time | None) -> None:
    if end_time is not None and start_time is not None and end_time <= start_time:
        raise ValidationError({"end_time": _("The end must lie after the start.")}, code="order")


@transaction.atomic
def meeting_create(
    *,
    by: User,
    body: Body,
    date: date,
    start_time: time,
    end_time: time | None = None,
    name: str = "",
    location: Location | None = None,
    **address: str,
) -> Meeting:
    """A planned meeting; ``address`` (room, street_address, postal_code, locality)
    finds or creates its location when none is chosen."""
    meeting = Meeting(
        body=body,
        date=date,
        start_time=start_time,
        end_time=end_time,
        name=name,
        location=location_resolve(location=location, **address),
        status=Meeting.Status.PLANNED,
    )
    _times_check(meeting.start_time, meeting.end_time)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
@publication_watch()
def meeting_update(*, by: User, meeting: Meeting, **changes) -> Meeting:
    """Change body, name, date, times, location (chosen or typed) or the guests text."""
    address = {name: changes.pop(name, "") for name in ADDRESS_FIELDS}
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} on Meeting")
    meeting = meeting_locked(meeting)
    if "location" in changes or any(address.values()):
        changes["location"] = location_resolve(location=changes.get("location"), **address)
    if "body" in changes and changes["body"] != meeting.body and meeting.attendances.exists():
        raise ValidationError(
            {"body": _("The body cannot change once attendance has been recorded.")}
        )
    fields_apply(meeting, MEETING_FIELDS, changes)
    _times_check(meeting.start_time, meeting.end_time)
    meeting.full_clean()
    meeting.save()
    return meeting


# Which status may follow which; "invited" is set by sending the invitations.
STATUS_CHANGES = {
    Meeting.Status.PLANNED: {Meeting.Status.HELD, Meeting.Status.CANCELLED},
    Meeting.Status.INVITED: {Meeting.Status.HELD, Meeting.Status.CANCELLED},
    Meeting.Status.HELD: {Meeting.Status.PLANNED},
    Meeting.Status.CANCELLED: {Meeting.Status.PLANNED},
}


@transaction.atomic
def meeting_status_set(*, by: User, meeting: Meeting, status: str) -> Meeting:
    """Mark a meeting held or cancelled, or set it back to planned.

    Held only from its day on; a meeting with resolutions cannot be cancelled
    or set back. Setting the same status again changes nothing.
    """
    meeting = meeting_locked(meeting)
    if meeting.status == status:
        return meeting
    if status not in STATUS_CHANGES.get(meeting.status, set()):
        raise ValidationError(
            _("A meeting that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": meeting.get_status_display(),
                "new": Meeting.Status(status).label if status in Meeting.Status.values else status,
            }
        )
    if status == Meeting.Status.HELD and meeting.date > timezone.localdate():
        raise ValidationError(_("A meeting can only be marked as held from its day on."))
    if (
        status != Meeting.Status.HELD
        and Resolution.objects.filter(agenda_item__meeting=meeting).exists()
    ):
        raise ValidationError(_("The meeting has resolutions; it must stay held."))
    meeting.status = status
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def meeting_mark_invited(*, meeting: Meeting) -> Meeting:
    """For the invitation service: a planned meeting becomes "invited" (idempotent);
    held or cancelled meetings keep their status. Call inside its transaction."""
    updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.PLANNED).update(
        status=Meeting.Status.INVITED, updated_at=timezone.now()
    )
    if updated:
        meeting.status = Meeting.Status.INVITED
    return meeting


# Attendance


@dataclass(frozen=True)
class AttendanceEntry:
    person: Person
    status: str = Attendance.Status.PRESENT
    has_vote: bool = True
    is_guest: bool = False
    function: str = ""


def voting_present_count(*, meeting: Meeting) -> int:
    return meeting.attendances.filter(status=Attendance.Status.PRESENT, has_vote=True).count()


def present_count(*, meeting: Meeting) -> int:
    return meeting.attendances.filter(status=Attendance.Status.PRESENT).count()


@transaction.atomic
def attendance_replace(
    *, by: User, meeting: Meeting, entries: list[AttendanceEntry], guests: str = ""
) -> Meeting:
    """Replace who attended ``meeting`` by ``entries`` (members and guests) and set the
    free-text guests, in one transaction.

    Guests count as present; they vote only when ``has_vote`` says so. Refused when
    a recorded counted vote would then exceed the voting members present.
    """
    meeting = meeting_locked(meeting)
    minutes_editable_check(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no attendance."))
    seen: set[int] = set()
    rows = []
    for entry in entries:
        if entry.person.pk in seen:
            raise ValidationError(
                _("%(person)s is listed twice.") % {"person": entry.person}, code="twice"
            )
        seen.add(entry.person.pk)
        row = Attendance(
            meeting=meeting,
            person=entry.person,
            status=Attendance.Status.PRESENT if entry.is_guest else entry.status,
            has_vote=entry.has_vote,
            is_guest=entry.is_guest,
            function=entry.function.strip(),
        )
        row.full_clean(exclude=["meeting"], validate_constraints=False)
        rows.append(row)
    meeting.attendances.all().delete()
    Attendance.objects.bulk_create(rows)
    meeting.guests = guests.strip()
    meeting.save(update_fields=["guests", "updated_at"])
    voting = sum(1 for row in rows if row.status == Attendance.Status.PRESENT and row.has_vote)
    for resolution in (
        Resolution.objects.filter(agenda_item__meeting=meeting)
        .exclude(vote=Resolution.Vote.NONE)
        .select_related("agenda_item")
    ):
        if resolution.vote == Resolution.Vote.COUNTED:
            needed = sum(
                getattr(resolution, name) or 0 for name in ("yes", "no", "abstentions", "biased")
            )
        else:  # unanimous: at least one voting member
            needed = 1
        if needed > voting:
            raise ValidationError(
                _(
                    "The vote on %(item)s counts more votes than voting members would "
                    "then be present (%(count)s). Correct the vote first."
                )
                % {"item": resolution.agenda_item.printed_number, "count": voting}
            )
    return meeting


# Minutes lifecycle


def _has_minutes_content(meeting: Meeting) -> bool:
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .filter(~Q(minutes_text="") | Q(resolution__isnull=False))
        .exists()
    )


def minutes_draft_start(*, meeting: Meeting) -> None:
    """Minutes text or a resolution was written: "not yet written" becomes draft.
    Call inside the transaction that wrote it (the meeting row is locked)."""
    if meeting.minutes_status == Meeting.MinutesStatus.NONE:
        meeting.minutes_status = Meeting.MinutesStatus.DRAFT
        meeting.save(update_fields=["minutes_status", "updated_at"])


@transaction.atomic
def minutes_status_set(
    *, by: User, meeting: Meeting, status: str, approved_in: Meeting | None = None
) -> Meeting:
    """Move the minutes of ``meeting`` along none → draft → approved → published, or
    reopen approved/published minutes as a draft (coordination only, by permission).

    Approval names the later meeting of the same body that approved them.
    """
    meeting = meeting_locked(meeting)
    current = meeting.minutes_status
    statuses = Meeting.MinutesStatus
    if status == current:
        return meeting
    if status == statuses.DRAFT:
        if current == statuses.NONE and not _has_minutes_content(meeting):
            raise ValidationError(
                _("There is nothing to draft yet: write the minutes of an agenda item first.")
            )
        if current in FROZEN_MINUTES and not by.has_perm("minutes.change_meeting"):
            raise ValidationError(_("Only the coordination can reopen minutes."))
        meeting.minutes_approved_in = None
        meeting.minutes_published_at = None
    elif status == statuses.APPROVED:
        if current != statuses.DRAFT:
            raise ValidationError(_("Only draft minutes can be approved."))
        if meeting.status != Meeting.Status.HELD:
            raise ValidationError(_("Only the minutes of a held meeting can be approved."))
        if approved_in is None:
            raise ValidationError(
                {"approved_in": _("Please choose the meeting that approved the minutes.")}
            )
        if approved_in.body_id != meeting.body_id or approved_in.date <= meeting.date:
            raise ValidationError(
                {"approved_in": _("The minutes are approved at a later meeting of the same body.")}
            )
        meeting.minutes_approved_in = approved_in
    elif status == statuses.PUBLISHED:
        if current != statuses.APPROVED:
            raise ValidationError(_("Only approved minutes can be published."))
        meeting.minutes_published_at = timezone.now()
    else:
        raise ValidationError(_("This change of the minutes' status is not possible."))
    meeting.minutes_status = status
    meeting.save(
        update_fields=[
            "minutes_status",
            "minutes_approved_in",
            "minutes_published_at",
            "updated_at",
        ]
    )
    return meeting
