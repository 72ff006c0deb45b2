"""Writes of papers (Vorlagen): creation with the automatic reference, supplements,
edits, the Beratungsfolge and its link to the agenda items that treat a paper.

References are never typed. A paper gets "<year of its date>/<next serial of that
year>", a supplement "<main paper's reference>-<next number>". Two requests may
ask for the same number at once; the unique constraint on (year, serial,
supplement) decides, and the loser takes the next number in a savepoint (see
``_insert_numbered``), so numbering is safe on PostgreSQL without a table lock.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from actors.models import Organisation, Person
from integration.core.models import User

from ..models import AgendaItem, Body, Consultation, Paper
from ..selectors.access import can_edit_paper, papers_visible_to
from .oparl import publication_watch

# How often a reference is tried again after another request took it.
NUMBERING_ATTEMPTS = 10

EDITABLE_FIELDS = (
    "kind",
    "title",
    "text",
    "proposal",
    "date",
    "lead_department",
    "author",
    "is_public",
)


def _check_may_edit(by: User, paper: Paper) -> None:
    if not can_edit_paper(by, paper):
        raise ValidationError(
            {"lead_department": _("You may only edit papers of the departments you answer for.")}
        )


def _check_related(paper: Paper, related: list[Paper]) -> None:
    if paper.pk and any(other.pk == paper.pk for other in related):
        raise ValidationError({"related": _("A paper cannot refer to itself.")})


def _insert_numbered(paper: Paper, number: Callable[[], tuple[int, int, int]]) -> Paper:
    """Insert ``paper`` under the reference ``number()`` proposes, retrying with a
    fresh proposal when a concurrent request inserted that reference first."""
    for _attempt in range(NUMBERING_ATTEMPTS):
        paper.year, paper.serial, paper.supplement = number()
        try:
            # A savepoint: the failed INSERT must not spoil the caller's transaction.
            with transaction.atomic():
                paper.save(force_insert=True)
        except IntegrityError:
            taken = Paper.objects.filter(
                year=paper.year, serial=paper.serial, supplement=paper.supplement
            ).exists()
            if not taken:
                raise  # another constraint: a bug, not a race
            paper.pk = None
            paper._state.adding = True
            continue
        return paper
    raise ValidationError(_("No reference could be assigned just now; please try again."))


def _next_serial(year: int) -> Callable[[], tuple[int, int, int]]:
    def number() -> tuple[int, int, int]:
        last = Paper.objects.filter(year=year).aggregate(last=Max("serial"))["last"] or 0
        return year, last + 1, 0

    return number


def _next_supplement(main: Paper) -> Callable[[], tuple[int, int, int]]:
    def number() -> tuple[int, int, int]:
        last = main.supplements.aggregate(last=Max("supplement"))["last"] or 0
        return main.year, main.serial, last + 1

    return number


@transaction.atomic
def paper_create(
    *,
    by: User,
    kind: str,
    title: str,
    date: datetime.date,
    text: str = "",
    proposal: str = "",
    lead_department: Organisation | None = None,
    author: Person | None = None,
    is_public: bool = True,
    related_papers: Iterable[Paper] = (),
) -> Paper:
    """Create a paper with the next reference of its date's year ("2020/031").

    Koordination may create any paper; a Verwaltung login only papers led by one
    of its departments (``can_edit_paper``). Safe against concurrent creation."""
    paper = Paper(
        kind=kind,
        title=title,
        date=date,
        text=text,
        proposal=proposal,
        lead_department=lead_department,
        author=author,
        is_public=is_public,
    )
    _check_may_edit(by, paper)
    paper.year, paper.serial, paper.supplement = date.year, 1, 0
    paper.full_clean(validate_unique=False, validate_constraints=False)
    _insert_numbered(paper, _next_serial(date.year))
    paper.related_papers.set(list(related_papers))
    return paper


@transaction.atomic
def paper_supplement_create(
    *,
    by: User,
    main_paper: Paper,
    title: str,
    date: datetime.date,
    kind: str | None = None,
    text: str = "",
    proposal: str = "",
    lead_department: Organisation | None = None,
    author: Person | None = None,
    is_public: bool | None = None,
    related_papers: Iterable[Paper] = (),
) -> Paper:
    """Create the next supplement of ``main_paper`` ("2020/031-1", "-2", …).

    A supplement of a supplement belongs to the main paper. Kind, lead
    department, author and visibility default to the main paper's; the main
    paper is always among the related papers ("Bezüglich: 2020/031")."""
    main = main_paper.main_paper if main_paper.main_paper_id else main_paper
    # Lock the main paper: supplements of one paper are numbered one at a time.
    main = Paper.objects.select_for_update().get(pk=main.pk)
    paper = Paper(
        main_paper=main,
        kind=kind or main.kind,
        title=title,
        date=date,
        text=text,
        proposal=proposal,
        lead_department=lead_department or main.lead_department,
        author=author or main.author,
        is_public=main.is_public if is_public is None else is_public,
    )
    _check_may_edit(by, main)
    _check_may_edit(by, paper)
    paper.year, paper.serial, paper.supplement = main.year, main.serial, 1
    paper.full_clean(validate_unique=False, validate_constraints=False)
    _insert_numbered(paper, _next_supplement(main))
    related = [main, *(other for other in related_papers if other.pk != main.pk)]
    paper.related_papers.set(related)
    return paper


@transaction.atomic
@publication_watch()
def paper_update(
    *, by: User, paper: Paper, related_papers: Iterable[Paper] | None = None, **fields
) -> Paper:
    """Change a paper's fields (``EDITABLE_FIELDS``) and related papers. Its
    reference stays. Needs ``can_edit_paper`` before and after the change, so a
    Verwaltung login cannot hand a paper to a department it does not answer for."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"paper_update got unknown fields: {sorted(unknown)}")
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _check_may_edit(by, paper)
    for name, value in fields.items():
        setattr(paper, name, value)
    _check_may_edit(by, paper)
    paper.full_clean(validate_unique=False)
    paper.save()
    if related_papers is not None:
        related = list(related_papers)
        _check_related(paper, related)
        # Links to papers ``by`` may not see were not offered to them: they stay.
        hidden = paper.related_papers.exclude(pk__in=papers_visible_to(by).values("pk"))
        related += [other for other in hidden if other not in related]
        if paper.main_paper_id and paper.main_paper_id not in {other.pk for other in related}:
            related.insert(0, paper.main_paper)
        paper.related_papers.set(related)
    return paper


# --- Beratungsfolge ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationEntry:
    """One row of the Beratungsfolge form: an existing consultation or a new one."""

    body: Body
    role: str
    consultation: Consultation | None = None
    delete: bool = False


@transaction.atomic
@publication_watch()
def consultations_save(
    *, by: User, paper: Paper, entries: Iterable[ConsultationEntry]
) -> list[Consultation]:
    """Replace the Beratungsfolge of ``paper`` with ``entries`` in their order.

    A consultation already on a meeting's agenda keeps its body and cannot be
    removed (its outcome belongs to that meeting). Same permission as editing
    the paper."""
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _check_may_edit(by, paper)
    existing = {c.pk: c for c in paper.consultations.select_related("agenda_item__meeting")}
    kept: list[Consultation] = []
    errors = []
    for entry in entries:
        consultation = existing.get(entry.consultation.pk) if entry.consultation else None
        if entry.consultation and consultation is None:
            raise ValidationError(_("The list changed meanwhile; please reload the page."))
        scheduled = consultation is not None and consultation.agenda_item_id is not None
        if entry.delete:
            if consultation is None:
                continue
            if scheduled:
                errors.append(
                    _("%(body)s cannot be removed: the paper is on the agenda of %(date)s.")
                    % {"body": consultation.body, "date": _meeting_date(consultation)}
                )
            else:
                consultation.delete()
            continue
        if consultation is None:
            consultation = Consultation(paper=paper)
        elif scheduled and consultation.body_id != entry.body.pk:
            errors.append(
                _("%(body)s cannot be changed: the paper is on the agenda of %(date)s.")
                % {"body": consultation.body, "date": _meeting_date(consultation)}
            )
        consultation.body = entry.body
        consultation.role = entry.role
        kept.append(consultation)
    if errors:
        raise ValidationError(errors)
    for position, consultation in enumerate(kept, start=1):
        consultation.position = position
        consultation.full_clean()
        consultation.save()
    return kept


def _meeting_date(consultation: Consultation) -> str:
    return f"{consultation.agenda_item.meeting.date:%d.%m.%Y}"


def _default_role(paper: Paper) -> str:
    if paper.kind == Paper.Kind.INFORMATION:
        return Consultation.Role.INFORMATION
    return Consultation.Role.DECISION


@transaction.atomic
def consultation_link(*, paper: Paper, agenda_item: AgendaItem) -> Consultation:
    """Link ``agenda_item`` (which treats ``paper``) to the paper's Beratungsfolge.

    Takes the first consultation of the meeting's body not yet on an agenda, or
    adds one at the end. Idempotent: an item already linked to this paper keeps
    its consultation; one linked to another paper is released first. Called by
    the agenda service; no permission check of its own."""
    # Lock the paper so two items put on agendas at once do not take one consultation.
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    current = Consultation.objects.filter(agenda_item=agenda_item).first()
    if current is not None and current.paper_id == paper.pk:
        return current
    if current is not None:
        current.agenda_item = None
        current.save(update_fields=["agenda_item", "updated_at"])
    body_id = agenda_item.meeting.body_id
    consultation = (
        paper.consultations.filter(body_id=body_id, agenda_item__isnull=True)
        .order_by("position", "pk")
        .first()
    )
    if consultation is None:
        last = paper.consultations.aggregate(last=Max("position"))["last"] or 0
        consultation = Consultation(
            paper=paper, body_id=body_id, position=last + 1, role=_default_role(paper)
        )
    consultation.agenda_item = agenda_item
    consultation.save()
    return consultation


def consultation_unlink(*, agenda_item: AgendaItem) -> None:
    """The item no longer treats its paper: its consultation stays in the
    Beratungsfolge, unscheduled. Harmless when nothing is linked."""
    Consultation.objects.filter(agenda_item=agenda_item).update(agenda_item=None)
