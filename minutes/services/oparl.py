"""Writes for the OParl interface: the record of public objects that went.

OParl 1.1 wants the URL of a deleted object to keep answering ``deleted: true``.
Only objects that really were public may leave such a trace (anything else
would announce that a confidential row exists), and nothing in the live data
tells "depublished" from "never public". So every write that can take objects
out of the public data (deletes with their cascades, depublishing a body or a
paper, moving a meeting, archiving, anonymising or merging a person) runs in
``publication_watch``, which compares the public objects before and after.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from ..models import OParlTombstone
from ..oparl.deleted import KINDS, public_rows

# Set while a watch runs: a watched service calling another one is watched once.
_watching: ContextVar[bool] = ContextVar("oparl_publication_watch", default=False)

# Per OParl type: id → (created_at, the objects embedding it as (model, id)).
Snapshot = dict[str, dict[int, tuple[datetime, set[tuple[type[Model], int]]]]]


@contextmanager
def publication_watch() -> Iterator[None]:
    """Run the block in a transaction and record an ``OParlTombstone`` for every
    object the OParl interface showed before it and no longer shows after it
    (the access rules for an anonymous user): deleted, cascaded or depublished.
    The objects embedding one that went count as modified (``updated_at``), and
    an object public again loses its tombstone and counts as modified too, so
    synchronising clients (``modified_since``) reload it. Two queries per OParl
    type (ids only) plus the writes; nested watches run as one. Also usable as a
    decorator: ``@publication_watch()``."""
    if _watching.get():
        yield
        return
    token = _watching.set(True)
    try:
        with transaction.atomic():
            before = _snapshot()
            yield
            _record(before, _snapshot())
    finally:
        _watching.reset(token)


def _snapshot() -> Snapshot:
    snapshot: Snapshot = {}
    for kind in KINDS.values():
        seen = snapshot[kind.name] = {}
        for pk, created, *embedding in public_rows(kind):
            _created, embedders = seen.setdefault(pk, (created, set()))
            embedders.update(
                (model, other)
                for (_lookup, model), other in zip(kind.embedded_in, embedding, strict=True)
                if other is not None
            )
    return snapshot


def _record(before: Snapshot, after: Snapshot) -> None:
    now = timezone.now()
    gone, touched = [], defaultdict(set)
    for name, seen in before.items():
        for pk in seen.keys() - after[name].keys():
            created, embedders = seen[pk]
            gone.append(
                OParlTombstone(kind=name, object_id=pk, object_created_at=created, deleted_at=now)
            )
            for model, other in embedders:
                touched[model].add(other)
        back = after[name].keys() - seen.keys()
        if back:
            revived = OParlTombstone.objects.filter(kind=name, object_id__in=back)
            touched[KINDS[name].model].update(revived.values_list("object_id", flat=True))
            revived.delete()
    if gone:
        OParlTombstone.objects.bulk_create(
            gone,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["object_created_at", "deleted_at", "updated_at"],
        )
    by_model = {kind.model: kind.name for kind in KINDS.values()}
    for model, ids in touched.items():
        # Only those still public: the others have their tombstone. update(), so
        # that no save logic or history of theirs runs.
        public = ids & after[by_model[model]].keys()
        if public:
            model.objects.filter(pk__in=public).update(updated_at=now)
