"""The committee documents as kinds of the document machinery (integration.documents):
invitation, meeting packet (Sitzungsmappe), minutes (Niederschrift) and
Beschlusskontrolle, each in a "public" and a "members" variant.

Who may view what is decided here, from the access selectors only:

- "public": what an anonymous visitor sees (``meetings_visible_to`` /
  ``bodies_visible_to`` with an ``AnonymousUser``); the minutes only once published.
  The content itself is read the same way (``minutes.documents``), so it never
  holds anything non-public.
- "members": Koordination (``scope.everything``) and the current members of the
  meeting's body (``scope.body_ids``); nobody else, not Verwaltung, not the members
  of other bodies.
- The meeting packet is seen by nobody but Koordination until Koordination has
  published it (``Meeting.packet_published_at``, ``services.packets``); once the
  members' packet of a published meeting is ready, the members are mailed the link
  (``notify``).

Fingerprint inputs are cheap (a handful of queries: ids, ``updated_at``, file
hashes) and, for the public variant, read only public content, so a public
document's fingerprint (its ETag) does not move when something non-public changes.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy

from actors.models import Organisation, Person
from integration.documents.registry import DocumentError, DocumentKind, register, stamp

from ..models import Body, Meeting, Membership, Resolution
from ..selectors.access import (
    Scope,
    bodies_visible_to,
    meetings_visible_to,
    minutes_items_visible_to,
    minutes_visible,
    resolutions_visible_to,
    scope_for,
    tasks_visible_to,
)
from ..selectors.tasks import ACTIVE, reminder_days
from .common import (
    MEMBERS,
    PUBLIC,
    TEMPLATE_VERSION,
    DocumentUnavailableError,
    meeting_role_holder,
    meeting_title,
)
from .fingerprint import packet_fingerprint_inputs
from .invitation import invitation_pdf
from .minutes import minutes_attendances, minutes_attendees, minutes_pdf, minutes_tasks
from .packet import packet_pdf
from .selection import document_items
from .task_control import task_control_pdf

INVITATION = "minutes.invitation"
PACKET = "minutes.packet"
MINUTES = "minutes.minutes"
TASK_CONTROL = "minutes.task_control"


def is_member_reader(user, body_id: int) -> bool:
    """Koordination, or a current member of the body ``body_id``: who reads the members'
    variant. Verwaltung and the members of other bodies do not."""
    scope = scope_for(user)
    return scope.everything or body_id in scope.body_ids


def meeting_is_public(meeting: Meeting) -> bool:
    return meetings_visible_to(AnonymousUser()).filter(pk=meeting.pk).exists()


def _unavailable() -> DocumentError:
    return DocumentError(gettext("This document is not available in this version."))


def _variant_label(variant: str) -> str:
    if variant == PUBLIC:
        return gettext("public version")
    return gettext("version for the members")


class MeetingDocumentKind(DocumentKind):
    """What the three documents of a meeting share: subject, variants, access, labels."""

    subject_model = Meeting
    variants = (PUBLIC, MEMBERS)
    public_variants = (PUBLIC,)
    version = TEMPLATE_VERSION
    # The German file name without ".pdf", with "%(body)s" and "%(date)s".
    file_stem = ""

    def get_subject(self, key):
        try:
            return Meeting.objects.select_related("body").filter(pk=key).first()
        except (ValueError, TypeError):
            return None

    def subject_label(self, subject, variant):
        return f"{self.title}: {meeting_title(subject)} ({_variant_label(variant)})"

    def filename(self, subject, variant):
        stem = self.file_stem % {
            "body": slugify(subject.body.name)[:60],
            "date": f"{subject.date:%Y-%m-%d}",
        }
        suffix = "" if variant == PUBLIC else gettext("-members")
        return f"{stem}{suffix}.pdf"

    def can_view(self, user, subject, variant):
        if variant == PUBLIC:
            return meeting_is_public(subject)
        return variant == MEMBERS and is_member_reader(user, subject.body_id)

    def fingerprint_inputs(self, subject, variant):
        try:
            return packet_fingerprint_inputs(subject, variant)
        except DocumentUnavailableError:
            # Nobody may view it (``can_view``); the compile fails with the reason.
            return "unavailable"


def _row(row) -> str:
    return f"{row.pk}@{row.updated_at.isoformat()}" if row is not None else "-"


def invitation_fingerprint_inputs(meeting: Meeting, variant: str) -> str:
    """The packet's inputs without the files (the invitation lists items and papers
    only); three or four queries."""
    meeting = Meeting.objects.select_related("body", "location").get(pk=meeting.pk)
    entries = document_items(meeting=meeting, variant=variant)
    lines = [
        f"template {TEMPLATE_VERSION}",
        f"variant {variant}",
        f"meeting {_row(meeting)}",
        f"body {_row(meeting.body)}",
        f"location {_row(meeting.location)}",
        f"chair {_row(meeting_role_holder(meeting, Membership.Role.CHAIR, variant=variant))}",
    ]
    for entry in entries:
        lines.append(f"item {_row(entry.item)} {entry.item.position}")
        lines.append(f"  paper {_row(entry.paper)}")
    return "\n".join(lines)


@register
class InvitationKind(MeetingDocumentKind):
    """Einladung mit Tagesordnung."""

    key = INVITATION
    title = pgettext_lazy("document", "Invitation")
    file_stem = pgettext_lazy("file name", "invitation-%(body)s-%(date)s")

    def fingerprint_inputs(self, subject, variant):
        try:
            return invitation_fingerprint_inputs(subject, variant)
        except DocumentUnavailableError:
            return "unavailable"

    def render(self, subject, variant, progress):
        progress(10)
        try:
            return invitation_pdf(subject, variant=variant)
        except DocumentUnavailableError:
            raise _unavailable() from None


@register
class PacketKind(MeetingDocumentKind):
    """Sitzungsmappe; visible to members and the public once Koordination published it."""

    key = PACKET
    title = pgettext_lazy("document", "Meeting packet")
    file_stem = pgettext_lazy("file name", "meeting-packet-%(body)s-%(date)s")

    def can_view(self, user, subject, variant):
        if subject.packet_published_at is None and not scope_for(user).everything:
            return False
        return super().can_view(user, subject, variant)

    def render(self, subject, variant, progress):
        try:
            return packet_pdf(subject, variant=variant, progress=progress).pdf
        except DocumentUnavailableError:
            raise _unavailable() from None

    def notify(self, document):
        """The members' packet of a published meeting is ready: mail the members (the
        task makes the mails once per content, see ``services.packets``)."""
        if document.variant != MEMBERS:
            return
        from ..tasks import packet_mails_queue_task

        packet_mails_queue_task.delay(int(document.subject))


def _stamps(meeting: Meeting, **querysets) -> str:
    """``stamp`` of several querysets of rows of ``meeting`` (each filtered by
    ``meeting=OuterRef("pk")`` through its ``via`` path) in one query."""
    annotations = {}
    for name, (queryset, via) in querysets.items():
        rows = queryset.filter(**{via: OuterRef("pk")}).order_by().values(via)
        annotations[f"{name}_count"] = Subquery(rows.annotate(n=Count("pk")).values("n"))
        annotations[f"{name}_newest"] = Subquery(rows.annotate(n=Max("updated_at")).values("n"))
    row = Meeting.objects.filter(pk=meeting.pk).annotate(**annotations).values(*annotations)[0]
    return " ".join(
        f"{name} {row[f'{name}_count'] or 0}:"
        f"{row[f'{name}_newest'].isoformat() if row[f'{name}_newest'] else '-'}"
        for name in querysets
    )


def _minutes_inputs(meeting: Meeting, variant: str) -> list[str]:
    """What the minutes show beyond the packet's inputs: resolutions, tasks (with their
    owners), attendance, the secretary; read through the very querysets the minutes
    of ``variant`` render from (``minutes.minutes_*``), so the public fingerprint does
    not move with what the public minutes leave out. Two queries."""
    resolutions = (
        resolutions_visible_to(AnonymousUser()) if variant == PUBLIC else Resolution.objects.all()
    )
    tasks = minutes_tasks(variant)
    via = "followup_tasks__agenda_item__meeting"
    owners = {"organisations": (Organisation.objects.filter(followup_tasks__in=tasks), via)}
    if variant == MEMBERS:
        # Only the members' minutes name people owning a task.
        owners["owners"] = (Person.objects.all(), via)
    secretary = meeting_role_holder(meeting, Membership.Role.SECRETARY, variant=variant)
    return [
        f"minutes {meeting.minutes_status}",
        _stamps(
            meeting,
            resolutions=(resolutions, "agenda_item__meeting"),
            tasks=(tasks, "agenda_item__meeting"),
            attendance=(minutes_attendances(variant), "meeting"),
            people=(minutes_attendees(variant), "attendances__meeting"),
            **owners,
        ),
        f"secretary {secretary.pk if secretary else '-'}"
        f"@{secretary.updated_at.isoformat() if secretary else '-'}",
    ]


@register
class MinutesKind(MeetingDocumentKind):
    """Niederschrift; the public variant only of published minutes."""

    key = MINUTES
    title = pgettext_lazy("document", "Minutes")
    file_stem = pgettext_lazy("file name", "minutes-%(body)s-%(date)s")

    def can_view(self, user, subject, variant):
        if variant == PUBLIC and not minutes_visible(AnonymousUser(), subject):
            return False
        return super().can_view(user, subject, variant)

    def fingerprint_inputs(self, subject, variant):
        return "\n".join(
            [super().fingerprint_inputs(subject, variant), *_minutes_inputs(subject, variant)]
        )

    def render(self, subject, variant, progress):
        progress(10)
        try:
            return minutes_pdf(subject, variant=variant)
        except DocumentUnavailableError:
            raise _unavailable() from None


class _BodyReader:
    """Reads the committee work as a current member of one body does (the members'
    Beschlusskontrolle is compiled in the worker, without the requesting login).
    Carries its scope where ``scope_for`` keeps a login's scope for the request."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, body: Body):
        self._minutes_scope = Scope(
            everything=False,
            staff=False,
            body_ids=frozenset({body.pk}),
            department_ids=frozenset(),
        )

    def has_perm(self, perm, obj=None) -> bool:
        return False


def task_control_reader(body: Body, variant: str):
    return AnonymousUser() if variant == PUBLIC else _BodyReader(body)


@register
class TaskControlKind(DocumentKind):
    """Beschlusskontrolle of one body: its open and overdue tasks with traffic lights.
    "public": tasks of published minutes of a public body, no people named;
    "members": every task of the body, for its members and Koordination."""

    key = TASK_CONTROL
    title = pgettext_lazy("document", "Follow-up tasks")
    subject_model = Body
    variants = (PUBLIC, MEMBERS)
    public_variants = (PUBLIC,)
    version = TEMPLATE_VERSION

    def subject_label(self, subject, variant):
        return f"{self.title}: {subject.name} ({_variant_label(variant)})"

    def filename(self, subject, variant):
        stem = pgettext_lazy("file name", "follow-up-tasks-%(body)s-%(date)s") % {
            "body": slugify(subject.name)[:60],
            "date": f"{timezone.localdate():%Y-%m-%d}",
        }
        suffix = "" if variant == PUBLIC else gettext("-members")
        return f"{stem}{suffix}.pdf"

    def can_view(self, user, subject, variant):
        if variant == PUBLIC:
            return bodies_visible_to(AnonymousUser()).filter(pk=subject.pk).exists()
        return variant == MEMBERS and is_member_reader(user, subject.pk)

    def fingerprint_inputs(self, subject, variant):
        reader = task_control_reader(subject, variant)
        tasks = tasks_visible_to(reader).filter(
            status__in=ACTIVE, agenda_item__meeting__body=subject
        )
        if variant == PUBLIC:
            tasks = tasks.filter(agenda_item__in=minutes_items_visible_to(reader))
        # The public variant names no person owning a task (``show_people``).
        owners = "-"
        if variant == MEMBERS:
            owners = stamp(Person.objects.filter(followup_tasks__in=tasks))
        return "\n".join(
            [
                f"template {TEMPLATE_VERSION}",
                f"variant {variant}",
                # The traffic lights depend on the day.
                f"today {timezone.localdate().isoformat()} {reminder_days()}",
                f"body {subject.pk}@{subject.updated_at.isoformat()}",
                f"tasks {stamp(tasks)}",
                f"items {stamp(minutes_items_visible_to(reader).filter(meeting__body=subject))}",
                f"meetings {stamp(Meeting.objects.filter(body=subject))}",
                "resolutions "
                + stamp(resolutions_visible_to(reader).filter(agenda_item__meeting__body=subject)),
                f"people {owners}",
                "organisations " + stamp(Organisation.objects.filter(followup_tasks__in=tasks)),
            ]
        )

    def render(self, subject, variant, progress):
        progress(10)
        try:
            return task_control_pdf(
                subject, user_or_anonymous=task_control_reader(subject, variant)
            )
        except DocumentUnavailableError:
            raise _unavailable() from None
