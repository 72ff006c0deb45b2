"""Merging two entries of the same human being ("Dublette zusammenführen")."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.core.models import User

from ..models import Consent, Person, PrivacyLogEntry
from .network import _set_history_user

# Contact fields of the duplicate that fill empty fields of the person kept.
FILLED_FIELDS = ("title", "first_name", "email", "phone", "notes")


def _refuse(person: Person) -> None:
    if person.anonymised_at is not None:
        raise ValidationError(
            _("“%(name)s” was anonymised and cannot be merged.") % {"name": person}
        )
    if person.merged_into_id is not None:
        raise ValidationError(
            _("“%(name)s” was already merged into another entry.") % {"name": person}
        )


def _save(instance, by: User | None, **changes) -> None:
    for key, value in changes.items():
        setattr(instance, key, value)
    _set_history_user(instance, by)
    instance.save()


@transaction.atomic
def person_merge(*, by: User | None, keep: Person, duplicate: Person) -> Person:
    """Merge ``duplicate`` into ``keep`` and return ``keep``.

    Moves affiliations, circle memberships (a current membership ``keep`` already
    has in the same circle is ended on the duplicate instead) and consents (per
    purpose the valid basis of ``keep`` wins; the duplicate's competing valid one
    stays on the duplicate, withdrawn ones move with their state), joins the
    languages and fills ``keep``'s empty contact fields. The duplicate stays as
    an archived row pointing to ``keep`` so both histories remain readable.
    Every row changes through ``save()`` so that simple-history records it.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A person cannot be merged with itself."))
    # Both rows are locked in a fixed order so that two merges of the same pair
    # in opposite directions cannot deadlock; the state is checked after locking.
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    _refuse(keep)
    _refuse(duplicate)
    today = timezone.localdate()

    for affiliation in duplicate.affiliations.all():
        _save(affiliation, by, person=keep)

    current_circles = set(
        keep.circle_memberships.filter(end_date__isnull=True).values_list("circle_id", flat=True)
    )
    for membership in duplicate.circle_memberships.all():
        if membership.end_date is None and membership.circle_id in current_circles:
            _save(membership, by, end_date=max(today, membership.start_date or today))
            continue
        _save(membership, by, person=keep)
        if membership.end_date is None:
            current_circles.add(membership.circle_id)

    valid_purposes = set(
        keep.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
    )
    kept_apart: list[str] = []
    for consent in Consent.objects.select_for_update().filter(person=duplicate):
        if consent.withdrawn_at is None:
            # The unique constraint allows one valid basis per purpose.
            if consent.purpose in valid_purposes:
                kept_apart.append(consent.purpose)
                continue
            valid_purposes.add(consent.purpose)
        _save(consent, by, person=keep)

    keep.languages.add(*duplicate.languages.all())
    for name in FILLED_FIELDS:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if keep.salutation == Person.Salutation.NONE:
        keep.salutation = duplicate.salutation
    keep.is_volunteer = keep.is_volunteer or duplicate.is_volunteer
    keep.last_activity_at = timezone.now()
    keep.full_clean()
    _save(keep, by)

    # Earlier duplicates of the duplicate now point to the person kept.
    for earlier in duplicate.merged_duplicates.all():
        _save(earlier, by, merged_into=keep)
    _save(duplicate, by, merged_into=keep, is_archived=True)

    detail = f"→ #{keep.pk}"
    if kept_apart:
        detail += "; " + _("valid basis kept on the duplicate: %(purposes)s") % {
            "purposes": ", ".join(sorted(kept_apart))
        }
    PrivacyLogEntry.objects.create(
        action=PrivacyLogEntry.Action.MERGE,
        person_id_ref=duplicate.pk,
        by=by,
        detail=detail[:255],
    )
    return keep
