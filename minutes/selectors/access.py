"""Who may see what of the committee work: the one place for these rules.

Public content (public bodies' meetings, public agenda items, public papers
and their files, published minutes) is for every login that may read the
committee work (and, with the public portal, for everyone). Beyond that:

- Koordination (``minutes.change_meeting``) sees everything.
- A committee member (a login linked to a network Person) sees the non-public
  items and papers of the bodies they currently sit in, and the meetings of
  those bodies even when the body is not public.
- A Verwaltung login sees the non-public papers whose lead department it
  answers for (measures.Responsibility), and the agenda items treating them.
- Logins with ``minutes.view_all_meetings`` (the staff roles, not committee
  members) see the meetings of every body; their non-public items still follow
  the rules above.

Every page, list, feed, export and file view of the committee work starts
from one of the ``*_visible_to`` querysets below; nothing filters
``is_public`` by hand elsewhere. Resolutions and minutes texts follow
``minutes_visible``: published minutes for all who see the meeting, drafts
only for Koordination and the body's members.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from integration.core.models import User
from measures.selectors.updates import responsible_organisation_ids

from ..models import (
    AgendaItem,
    Attachment,
    Body,
    FollowUpTask,
    Meeting,
    Membership,
    Paper,
    Resolution,
)


@dataclass(frozen=True)
class Scope:
    """What non-public content a user may see (computed once per request)."""

    everything: bool
    staff: bool  # holds minutes.view_all_meetings: sees every body's meetings
    body_ids: frozenset[int]  # bodies they currently sit in
    department_ids: frozenset[int]  # departments they answer for


NOBODY = Scope(everything=False, staff=False, body_ids=frozenset(), department_ids=frozenset())


def current_membership_q(*, today: date | None = None, prefix: str = "") -> Q:
    today = today or timezone.localdate()
    return (
        Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": today})
    ) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today}))


def public_people_q(prefix: str = "") -> Q:
    """The public people rule: a person may be named on public pages, in public
    documents and in the open data only while not archived, not anonymised and not
    merged into another record. ``prefix`` reaches the person from another model
    (``"person__"``). The portal, OParl and the public PDFs use nothing else."""
    return Q(
        **{
            f"{prefix}is_archived": False,
            f"{prefix}anonymised_at__isnull": True,
            f"{prefix}merged_into__isnull": True,
        }
    )


def person_is_public(person) -> bool:
    """``public_people_q`` for a person already loaded (None is not public); keep the
    two in step."""
    return (
        person is not None
        and not person.is_archived
        and person.anonymised_at is None
        and person.merged_into_id is None
    )


def member_body_ids(*, user: User | AnonymousUser, today: date | None = None) -> frozenset[int]:
    """The bodies ``user``'s person currently sits in (none for logins without a person)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            current_membership_q(today=today),
            person__user=user,
            person__is_archived=False,
            person__anonymised_at__isnull=True,
            person__merged_into__isnull=True,
        )
        .values_list("body_id", flat=True)
        .distinct()
    )


def scope_for(user: User | AnonymousUser) -> Scope:
    """The scope of ``user``; cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_minutes_scope", None)
    if cached is not None:
        return cached
    if user.has_perm("minutes.change_meeting"):
        scope = Scope(everything=True, staff=True, body_ids=frozenset(), department_ids=frozenset())
    else:
        departments = (
            frozenset(responsible_organisation_ids(user=user))
            if user.has_perm("minutes.change_paper")
            else frozenset()
        )
        scope = Scope(
            everything=False,
            staff=user.has_perm("minutes.view_all_meetings"),
            body_ids=member_body_ids(user=user),
            department_ids=departments,
        )
    user._minutes_scope = scope
    return scope


def bodies_visible_to(user) -> QuerySet[Body]:
    scope = scope_for(user)
    if scope.everything or scope.staff:
        return Body.objects.all()
    return Body.objects.filter(Q(is_public=True) | Q(pk__in=scope.body_ids))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    scope = scope_for(user)
    if scope.everything or scope.staff:
        return Meeting.objects.all()
    return Meeting.objects.filter(Q(body__is_public=True) | Q(body_id__in=scope.body_ids))


def _nonpublic_papers_q(scope: Scope, prefix: str = "") -> Q:
    """Non-public papers ``scope`` may see: of its departments, or consulted in its bodies."""
    q = Q(pk__in=[])
    if scope.department_ids:
        q |= Q(**{f"{prefix}lead_department_id__in": scope.department_ids})
    if scope.body_ids:
        q |= Q(
            **{
                f"{prefix}pk__in": Paper.objects.filter(
                    Q(consultations__body_id__in=scope.body_ids)
                    | Q(agenda_items__meeting__body_id__in=scope.body_ids)
                ).values("pk")
            }
        )
    return q


def papers_visible_to(user) -> QuerySet[Paper]:
    scope = scope_for(user)
    if scope.everything:
        return Paper.objects.all()
    return Paper.objects.filter(Q(is_public=True) | _nonpublic_papers_q(scope))


def agenda_items_visible_to(user) -> QuerySet[AgendaItem]:
    """Items of visible meetings: public ones, and non-public ones of the user's
    bodies or treating a paper of their department."""
    scope = scope_for(user)
    items = AgendaItem.objects.filter(meeting__in=meetings_visible_to(user))
    if scope.everything:
        return items
    nonpublic = Q(meeting__body_id__in=scope.body_ids)
    if scope.department_ids:
        nonpublic |= Q(paper__lead_department_id__in=scope.department_ids)
    return items.filter(Q(is_public=True) | nonpublic)


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """A paper's files follow the paper; a meeting's files are public when marked
    so, else for those who see the meeting body's non-public items."""
    scope = scope_for(user)
    if scope.everything:
        return Attachment.objects.all()
    meeting_files = Q(meeting__in=meetings_visible_to(user)) & (
        Q(is_public=True) | Q(meeting__body_id__in=scope.body_ids)
    )
    return Attachment.objects.filter(Q(paper__in=papers_visible_to(user)) | meeting_files)


def tasks_visible_to(user) -> QuerySet[FollowUpTask]:
    """Follow-up tasks follow the agenda item they came from; for committee members
    also its minutes (a task of draft minutes tells what is still a draft), while
    staff roles see them at once, as they carry them out."""
    scope = scope_for(user)
    if scope.everything or scope.staff:
        items = agenda_items_visible_to(user)
    else:
        items = minutes_items_visible_to(user)
    return FollowUpTask.objects.filter(agenda_item__in=items)


def can_edit_paper(user, paper: Paper | None = None) -> bool:
    """Koordination edits every paper; a Verwaltung login those of its departments
    (``paper=None``: may it create papers at all?)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if not user.has_perm("minutes.change_paper") or not scope.department_ids:
        return False
    return paper is None or paper.lead_department_id in scope.department_ids


def minutes_visible(user, meeting: Meeting) -> bool:
    """The minutes of a meeting (minutes texts, resolutions): published ones for
    everyone who sees the meeting; drafts and approved ones for Koordination and
    the body's members."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED:
        return True
    return meeting.body_id in scope.body_ids


def resolutions_visible_to(user) -> QuerySet[Resolution]:
    """Resolutions of visible agenda items whose minutes ``user`` may read (the
    rule of ``minutes_visible``): wherever a resolution is shown outside the
    meeting page — a measure, a paper's Beratungsfolge, the task list."""
    return Resolution.objects.filter(agenda_item__in=minutes_items_visible_to(user))


def minutes_items_visible_to(user) -> QuerySet[AgendaItem]:
    """Visible agenda items whose minutes (Wortprotokoll, resolution, follow-up
    tasks) ``user`` may read, by the rule of ``minutes_visible``: the portal's
    item pages, its Beschlusskontrolle and the search over minutes texts."""
    scope = scope_for(user)
    items = agenda_items_visible_to(user)
    if scope.everything:
        return items
    return items.filter(
        Q(meeting__minutes_status=Meeting.MinutesStatus.PUBLISHED)
        | Q(meeting__body_id__in=scope.body_ids)
    )
