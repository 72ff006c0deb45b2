"""Deleted and depublished OParl objects (OParl 1.1, "Gelöschte Objekte").

An object whose URL once answered must keep answering, with only ``id``,
``type``, ``created``, ``modified`` (the time it went) and ``deleted: true``.
Only objects that really were public get such a stub: ``OParlTombstone`` rows,
written by ``minutes.services.oparl.publication_watch`` when an object leaves
the public querysets of ``.selectors`` (hard-deleted, cascaded, or depublished:
a body or paper set non-public, a person archived, anonymised or merged, ...).

Everything else that is not public (never public, or not recorded) answers
exactly like an unknown id, and is neither listed nor counted: the interface
reveals nothing of rows that never were public, not even that they exist. An id
that is public again is answered from its row; its tombstone is ignored.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, F, Model, QuerySet, Value

from actors.models import Person

from ..models import (
    AgendaItem,
    Attachment,
    Body,
    Consultation,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    OParlTombstone,
    Paper,
)
from . import selectors, serializers


@dataclass(frozen=True)
class Kind:
    """One OParl type: its model, route, public queryset, and the objects that
    embed it (``(lookup to their id, their model)``), which count as modified
    when it goes."""

    name: OParlTombstone.Kind
    route: str
    model: type[Model]
    public: Callable[[], QuerySet]
    embedded_in: tuple[tuple[str, type[Model]], ...] = ()


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            OParlTombstone.Kind.ORGANIZATION, "organization", Body, selectors.organizations_public
        ),
        Kind(OParlTombstone.Kind.PERSON, "person", Person, selectors.people_public),
        Kind(
            OParlTombstone.Kind.MEMBERSHIP,
            "membership",
            Membership,
            selectors.memberships_public,
            (("body_id", Body), ("person_id", Person)),
        ),
        Kind(OParlTombstone.Kind.MEETING, "meeting", Meeting, selectors.meetings_public),
        Kind(
            OParlTombstone.Kind.AGENDA_ITEM,
            "agendaitem",
            AgendaItem,
            selectors.agenda_items_public,
            # An item's consultation loses its link (SET_NULL), and with it its paper.
            (
                ("meeting_id", Meeting),
                ("consultation__pk", Consultation),
                ("consultation__paper_id", Paper),
            ),
        ),
        Kind(OParlTombstone.Kind.PAPER, "paper", Paper, selectors.papers_public),
        Kind(
            OParlTombstone.Kind.CONSULTATION,
            "consultation",
            Consultation,
            selectors.consultations_public,
            (("paper_id", Paper),),
        ),
        Kind(
            OParlTombstone.Kind.FILE,
            "file",
            Attachment,
            selectors.files_public,
            (("paper_id", Paper), ("meeting_id", Meeting)),
        ),
        Kind(OParlTombstone.Kind.LOCATION, "location", Location, selectors.locations_public),
        Kind(
            OParlTombstone.Kind.LEGISLATIVE_TERM,
            "legislativeterm",
            LegislativeTerm,
            selectors.legislative_terms_public,
        ),
    )
}


def public_ids(kind: Kind) -> QuerySet:
    """The ids of the public objects of ``kind``, as a subquery."""
    return kind.public().prefetch_related(None).order_by().values("pk")


def public_rows(kind: Kind) -> QuerySet:
    """``(id, created_at, *embedding ids)`` of every public object of ``kind``, in
    one query."""
    lookups = [lookup for lookup, _model in kind.embedded_in]
    return kind.model.objects.filter(pk__in=public_ids(kind)).values_list(
        "pk", "created_at", *lookups
    )


def tombstones(kind: Kind) -> QuerySet[OParlTombstone]:
    """Recorded deleted objects of ``kind`` that are not public (again)."""
    return (
        OParlTombstone.objects.filter(kind=kind.name)
        .exclude(object_id__in=public_ids(kind))
        .order_by("object_id")
    )


def _stub(kind: Kind, tombstone: OParlTombstone) -> dict:
    return serializers.deleted(
        kind.name,
        kind.route,
        tombstone.object_id,
        tombstone.object_created_at,
        tombstone.deleted_at,
    )


def stub(kind: Kind, pk: int) -> dict | None:
    """The deleted stub of object ``pk`` of ``kind``; None if it was never public
    (or is public now)."""
    tombstone = tombstones(kind).filter(object_id=pk).first()
    return _stub(kind, tombstone) if tombstone is not None else None


def stubs(kind: Kind, ids: list[int]) -> dict[int, dict]:
    """The deleted stubs of ``ids`` by id, in one query."""
    return {
        tombstone.object_id: _stub(kind, tombstone)
        for tombstone in tombstones(kind).filter(object_id__in=ids)
    }


def list_entries(kind: Kind, *, created: dict, modified: dict) -> QuerySet:
    """``(id, is_public)`` of every public and every recorded deleted object of
    ``kind`` within the filters, ordered by id: one query for count and page.

    ``created``/``modified`` are lookups (``gte``/``lte``) to datetimes. A public
    object's ``modified`` is its ``updated_at``, a deleted one's its deletion."""
    rows = (
        kind.model.objects.filter(pk__in=public_ids(kind))
        .order_by()
        .annotate(oparl_created=F("created_at"), oparl_modified=F("updated_at"))
        .filter(**_lookups(created, modified))
        .annotate(oid=F("pk"), oparl_public=Value(True, output_field=BooleanField()))
        .values_list("oid", "oparl_public")
    )
    gone = (
        tombstones(kind)
        .order_by()
        .annotate(oparl_created=F("object_created_at"), oparl_modified=F("deleted_at"))
        .filter(**_lookups(created, modified))
        .annotate(oid=F("object_id"), oparl_public=Value(False, output_field=BooleanField()))
        .values_list("oid", "oparl_public")
    )
    return rows.union(gone, all=True).order_by("oid")


def _lookups(created: dict, modified: dict) -> dict:
    return {
        **{f"oparl_created__{op}": value for op, value in created.items()},
        **{f"oparl_modified__{op}": value for op, value in modified.items()},
    }
