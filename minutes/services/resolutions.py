"""The minutes of an agenda item: its Wortprotokoll, speakers and resolution with the vote.

Votes are checked against the attendance recorded for the meeting: a counted
vote has at most as many yes, no and abstentions together as voting members
were present, and at most as many biased members as people present; a
unanimous vote needs at least one voting member present; "zur Kenntnis
genommen" takes no vote. Resolutions exist only on a meeting that is held
(or takes place today), and only while its minutes are not frozen.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import Person
from integration.core.models import User
from measures.models import Measure

from ..models import AgendaItem, Body, Meeting, Resolution
from .meetings import (
    meeting_locked,
    minutes_draft_start,
    minutes_editable_check,
    voting_present_count,
)

COUNT_FIELDS = ("yes", "no", "abstentions", "biased")


def resolution_possible_check(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no resolutions."))
    if meeting.status != Meeting.Status.HELD and meeting.date != timezone.localdate():
        raise ValidationError(
            _(
                "Resolutions can only be recorded for a meeting that has been held. "
                "Mark the meeting as held first."
            )
        )


def vote_check(
    *,
    meeting: Meeting,
    kind: str,
    vote: str,
    yes: int | None = None,
    no: int | None = None,
    abstentions: int | None = None,
    biased: int | None = None,
) -> None:
    """Raise a ValidationError (by field) when the vote does not fit the kind of
    resolution or the attendance of ``meeting``."""
    errors: dict[str, list[str]] = {}
    if kind == Resolution.Kind.NOTED and vote != Resolution.Vote.NONE:
        errors.setdefault("vote", []).append(
            _("Something that is noted (zur Kenntnis genommen) is not voted on.")
        )
    if vote == Resolution.Vote.UNANIMOUS and voting_present_count(meeting=meeting) < 1:
        errors.setdefault("vote", []).append(
            _(
                "A unanimous vote needs at least one voting member present. "
                "Record the attendance first."
            )
        )
    if vote == Resolution.Vote.COUNTED:
        for name, value in (("yes", yes), ("no", no), ("abstentions", abstentions)):
            if value is None:
                errors.setdefault(name, []).append(_("Please enter a number (0 if none)."))
        if not errors.keys() & {"yes", "no", "abstentions"}:
            # Members excluded for bias are present but do not vote.
            voting = voting_present_count(meeting=meeting)
            total = yes + no + abstentions + (biased or 0)
            if total > voting:
                errors.setdefault("yes", []).append(
                    _(
                        "Yes, no, abstentions and those excluded for bias add up to "
                        "%(total)s, but only %(voting)s voting members were present."
                    )
                    % {"total": total, "voting": voting}
                )
            elif yes + no + abstentions == 0:
                errors.setdefault("yes", []).append(_("A counted vote needs at least one vote."))
            # A simple majority decides; a tie rejects.
            elif kind == Resolution.Kind.ADOPTED and yes <= no:
                errors.setdefault("yes", []).append(
                    _("With %(yes)s yes and %(no)s no votes the proposal is not adopted.")
                    % {"yes": yes, "no": no}
                )
            elif kind == Resolution.Kind.REJECTED and yes > no:
                errors.setdefault("no", []).append(
                    _("With %(yes)s yes and %(no)s no votes the proposal is adopted, not rejected.")
                    % {"yes": yes, "no": no}
                )
    if errors:
        raise ValidationError(errors)


def _resolution_write(
    *,
    item: AgendaItem,
    meeting: Meeting,
    kind: str,
    text: str = "",
    referred_to: Body | None = None,
    vote: str = Resolution.Vote.NONE,
    measures: Iterable[Measure] = (),
    **counts: int | None,
) -> Resolution:
    resolution_possible_check(meeting)
    if kind == Resolution.Kind.REFERRED:
        if referred_to is None:
            raise ValidationError({"referred_to": _("Please choose the body it is referred to.")})
        if referred_to.pk == meeting.body_id:
            raise ValidationError(
                {"referred_to": _("An item is referred to another body, not to this one.")}
            )
    else:
        referred_to = None
    if vote != Resolution.Vote.COUNTED:
        counts = dict.fromkeys(COUNT_FIELDS)
    vote_check(meeting=meeting, kind=kind, vote=vote, **counts)
    resolution = Resolution.objects.filter(agenda_item=item).first() or Resolution(agenda_item=item)
    resolution.kind = kind
    resolution.text = text.strip()
    resolution.referred_to = referred_to
    resolution.vote = vote
    for name in COUNT_FIELDS:
        setattr(resolution, name, counts.get(name))
    if vote == Resolution.Vote.COUNTED and resolution.biased is None:
        resolution.biased = 0
    resolution.full_clean()
    resolution.save()
    resolution.measures.set(measures)
    return resolution


@transaction.atomic
def item_minutes_record(
    *,
    by: User,
    item: AgendaItem,
    minutes_text: str = "",
    speakers: Iterable[Person] = (),
    resolution: dict | None = None,
) -> AgendaItem:
    """Save the minutes of ``item``: its text, speakers and resolution.

    ``resolution`` holds kind, text, referred_to, vote, yes, no, abstentions,
    biased and measures; ``None`` (or no kind) removes an existing resolution
    (its tasks stay, unlinked from it). Moves the meeting's minutes from "not yet
    written" to draft. Refused while the minutes are approved or published.
    """
    meeting = meeting_locked(item.meeting)
    minutes_editable_check(meeting)
    item = AgendaItem.objects.get(pk=item.pk)
    item.minutes_text = minutes_text.strip()
    item.full_clean(validate_constraints=False)
    item.save(update_fields=["minutes_text", "updated_at"])
    item.speakers.set(speakers)
    has_resolution = bool(resolution and resolution.get("kind"))
    if has_resolution:
        _resolution_write(item=item, meeting=meeting, **resolution)
    else:
        Resolution.objects.filter(agenda_item=item).delete()
    if item.minutes_text or has_resolution:
        minutes_draft_start(meeting=meeting)
    return item
