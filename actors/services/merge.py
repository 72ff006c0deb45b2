"""Merging two entries of the same human being ("Dublette zusammenführen")."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.core.models import User

from ..models import Affiliation, CircleMembership, Consent, Person, PrivacyLogEntry
from ..selectors import current_q, is_current
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


def _end_today(row: Affiliation | CircleMembership, by: User | None, today: date) -> None:
    """End a current row today, so that it no longer counts from today on.

    A row that would only start later never took effect: it gets start and end
    today, which keeps it (and its history) without ever making it current.
    """
    start = row.start_date if row.start_date is None or row.start_date <= today else today
    _save(row, by, start_date=start, end_date=today)


@transaction.atomic
def person_merge(*, by: User | None, keep: Person, duplicate: Person) -> Person:
    """Merge ``duplicate`` into ``keep`` and return ``keep``.

    Moves affiliations and circle memberships (where ``keep`` is already a current
    member of the circle or works for the organisation, the duplicate's current
    row is ended today and stays on the duplicate instead, see ``_end_today``) and
    consents (per purpose the valid basis of ``keep`` wins; the duplicate's
    competing valid one stays on the duplicate, withdrawn ones move with their
    state), joins the languages and fills ``keep``'s empty contact fields. An
    archived ``keep`` becomes active when the duplicate was active. The duplicate
    stays as an archived row pointing to ``keep`` so both histories remain readable.
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

    # Per organisation and per circle one current row: keep's wins, the duplicate's
    # competing current one is ended today and stays on the duplicate as history.
    current_organisations = set(
        keep.affiliations.filter(current_q()).values_list("organisation_id", flat=True)
    )
    for affiliation in duplicate.affiliations.all():
        if is_current(affiliation) and affiliation.organisation_id in current_organisations:
            _end_today(affiliation, by, today)
            continue
        _save(affiliation, by, person=keep)
        if is_current(affiliation):
            current_organisations.add(affiliation.organisation_id)

    current_circles = set(
        keep.circle_memberships.filter(current_q()).values_list("circle_id", flat=True)
    )
    for membership in duplicate.circle_memberships.all():
        if is_current(membership) and membership.circle_id in current_circles:
            _end_today(membership, by, today)
            continue
        _save(membership, by, person=keep)
        if is_current(membership):
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
    # An active duplicate shows the person is still in the network: the entry kept
    # (maybe archived by mistake or long ago) becomes active with it.
    if keep.is_archived and not duplicate.is_archived:
        keep.is_archived = False
    keep.last_activity_at = timezone.now()
    keep.full_clean()
    from minutes.services.oparl import publication_watch  # here: import cycle

    # The duplicate leaves OParl, a restored ``keep`` comes back.
    with publication_watch():
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
