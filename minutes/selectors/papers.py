"""Reads of papers (Vorlagen): the list, a paper's page, references typed by users.

Everything starts from ``minutes.selectors.access``: a paper, its related papers,
supplements, files and consultation outcomes are shown only as far as the user
may see them.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from actors.models import Organisation, Person

from ..models import AgendaItem, Attachment, Consultation, Paper
from .access import (
    agenda_items_visible_to,
    attachments_visible_to,
    papers_visible_to,
    resolutions_visible_to,
    scope_for,
)

# "2020/031", "2020/31", "2020/031-1" (the serial's zeros are optional when typed).
REFERENCE = re.compile(r"^(\d{4})/(\d{1,5})(?:-(\d{1,3}))?$")


def paper_list(*, user) -> QuerySet[Paper]:
    """The papers ``user`` may see, newest first, with what the list shows."""
    return papers_visible_to(user).select_related("lead_department", "author")


def paper_get_queryset(*, user) -> QuerySet[Paper]:
    """The papers ``user`` may see, with what a paper's page needs of the row itself."""
    return papers_visible_to(user).select_related("lead_department", "author", "main_paper")


def paper_years(*, user) -> list[int]:
    """The years of the papers ``user`` may see, newest first (filter choices)."""
    return list(papers_visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


def person_name(person: Person | None) -> str:
    """ "Raven, Anke": how a paper names its author."""
    return person.sorted_name if person is not None else ""


@dataclass(frozen=True)
class ConsultationRow:
    """One step of the Beratungsfolge as the paper's page shows it.

    ``meeting`` and ``resolution`` are only set when the user may see the agenda
    item that treated the paper; ``is_public`` is False for a non-public item."""

    consultation: Consultation
    meeting: object | None
    item: AgendaItem | None
    resolution: object | None
    is_public: bool
    is_scheduled: bool


def paper_consultations(*, user, paper: Paper) -> list[ConsultationRow]:
    """The Beratungsfolge of ``paper`` with each consultation's meeting and outcome,
    as far as ``user`` may see the agenda items (two queries)."""
    consultations = list(
        paper.consultations.select_related(
            "body",
            "agenda_item__meeting",
            "agenda_item__resolution__referred_to",
        ).order_by("position", "pk")
    )
    item_ids = [c.agenda_item_id for c in consultations if c.agenda_item_id]
    visible = (
        set(agenda_items_visible_to(user).filter(pk__in=item_ids).values_list("pk", flat=True))
        if item_ids
        else set()
    )
    # The outcome only from minutes the user may read (drafts: the body's members).
    readable = (
        set(
            resolutions_visible_to(user)
            .filter(agenda_item_id__in=visible)
            .values_list("agenda_item_id", flat=True)
        )
        if visible
        else set()
    )
    rows = []
    for consultation in consultations:
        item = consultation.agenda_item if consultation.agenda_item_id in visible else None
        resolution = getattr(item, "resolution", None) if item and item.pk in readable else None
        rows.append(
            ConsultationRow(
                consultation=consultation,
                meeting=item.meeting if item else None,
                item=item,
                resolution=resolution,
                is_public=consultation.agenda_item.is_public if consultation.agenda_item else True,
                is_scheduled=consultation.agenda_item_id is not None,
            )
        )
    return rows


def paper_related(*, user, paper: Paper) -> list[Paper]:
    """The papers ``paper`` refers to ("Bezüglich"), only those ``user`` may see."""
    return list(
        paper.related_papers.filter(pk__in=papers_visible_to(user).values("pk")).order_by(
            "year", "serial", "supplement"
        )
    )


def paper_referenced_by(*, user, paper: Paper) -> list[Paper]:
    """Visible papers that refer to ``paper``, supplements aside (they are listed apart)."""
    return list(
        paper.referenced_by.filter(pk__in=papers_visible_to(user).values("pk"))
        .exclude(main_paper=paper)
        .order_by("year", "serial", "supplement")
    )


def paper_main_visible(*, user, paper: Paper) -> Paper | None:
    """The main paper of a supplement, if ``user`` may see it (a public supplement
    can belong to a non-public main paper)."""
    if paper.main_paper_id is None:
        return None
    return papers_visible_to(user).filter(pk=paper.main_paper_id).first()


def paper_supplements(*, user, paper: Paper) -> list[Paper]:
    """The visible supplements of ``paper`` (of its main paper for a supplement)."""
    main_id = paper.main_paper_id or paper.pk
    return list(
        papers_visible_to(user)
        .filter(main_paper_id=main_id)
        .exclude(pk=paper.pk)
        .order_by("supplement")
    )


def paper_attachments(*, user, paper: Paper) -> list[Attachment]:
    """The files of ``paper`` that ``user`` may download."""
    return list(
        attachments_visible_to(user).filter(paper=paper).defer("text").order_by("position", "pk")
    )


def references_resolve(*, user, text: str) -> list[Paper]:
    """The papers named in ``text`` ("2020/031, 2019/114-1"), among those ``user``
    may see; a German ValidationError names every reference not understood or not found."""
    wanted: list[tuple[str, int, int, int]] = []
    malformed = []
    for raw in re.split(r"[,;\s]+", text.strip()):
        if not raw:
            continue
        match = REFERENCE.match(raw)
        if not match:
            malformed.append(raw)
            continue
        wanted.append((raw, int(match[1]), int(match[2]), int(match[3] or 0)))
    errors = []
    if malformed:
        errors.append(
            _("Not a reference: %(values)s. Please write them like “2020/031” or “2020/031-1”.")
            % {"values": ", ".join(malformed)}
        )
    found: dict[tuple[int, int, int], Paper] = {}
    if wanted:
        query = Q(pk__in=[])
        for _raw, year, serial, supplement in wanted:
            query |= Q(year=year, serial=serial, supplement=supplement)
        for paper in papers_visible_to(user).filter(query):
            found[(paper.year, paper.serial, paper.supplement)] = paper
    missing = [raw for raw, *key in wanted if tuple(key) not in found]
    if missing:
        errors.append(
            _("No paper with the reference %(values)s was found.") % {"values": ", ".join(missing)}
        )
    if errors:
        raise ValidationError(errors)
    papers = []
    for _raw, *key in wanted:
        paper = found[tuple(key)]
        if paper not in papers:
            papers.append(paper)
    return papers


def references_text(papers) -> str:
    """ "2020/031, 2019/114": the related papers as the form shows them again."""
    return ", ".join(paper.reference for paper in papers)


def lead_departments_for(*, user, current: Organisation | None = None) -> QuerySet[Organisation]:
    """The departments ``user`` may name as a paper's lead: all active departments
    for Koordination, their own ones for a Verwaltung login (plus ``current``)."""
    scope = scope_for(user)
    if scope.everything:
        offered = Q(kind=Organisation.Kind.ADMINISTRATION, is_archived=False)
    else:
        offered = Q(pk__in=scope.department_ids)
    if current is not None:
        offered |= Q(pk=current.pk)
    return Organisation.objects.filter(offered).order_by("name")


def authors_for(*, current: Person | None = None) -> QuerySet[Person]:
    """People who may be named as a paper's author (Bearbeiter/-in): the active network."""
    offered = Q(is_archived=False, anonymised_at__isnull=True, merged_into__isnull=True)
    if current is not None:
        offered |= Q(pk=current.pk)
    return Person.objects.filter(offered).order_by("last_name", "first_name", "pk")
