"""Data protection of the network (DSGVO): access, erasure and retention.

``person_data_export`` answers an access request (Art. 15), ``person_erase``
anonymises a person (Art. 17), ``retention_run`` is the daily job that lists,
warns and finally anonymises people without a legal basis who were inactive
for ``RETENTION_INACTIVE_DAYS``. Every action is written to the privacy log,
which names people only by their id. The surveys' part of the export lives in
``privacy_surveys``.
"""

import logging
import re
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from integration.core.models import User

from ..models import (
    Affiliation,
    CircleMembership,
    Consent,
    Person,
    PrivacyLogEntry,
    RetentionNotice,
)
from ..surveys.models import Invitation, Mail, Response
from . import network, privacy_surveys

logger = logging.getLogger(__name__)

ERASED_NAME = "Gelöschte Person"
RETENTION_REASON = "Aufbewahrungsfrist abgelaufen"
EXPORT_FORMAT = "integration-person-export/1"
PERSON_EXPORT_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "email",
    "phone",
    "is_volunteer",
    "notes",
    "is_archived",
    "created_at",
    "updated_at",
    "last_activity_at",
    "retention_warned_at",
    "anonymised_at",
)
CONSENT_EXPORT_FIELDS = (
    "purpose",
    "basis",
    "method",
    "given_on",
    "note",
    "withdrawn_at",
    "withdrawal_note",
    "created_at",
)
NOTICE_EXPORT_FIELDS = ("status", "attempts", "created_at", "sent_at", "failed_at", "error")
# Fields that never go into an export: technical keys and the staff's accounts.
HISTORY_SKIPPED_FIELDS = {"id", "person", "recorded_by"}


# --------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------


@transaction.atomic
def consents_record(
    *,
    by: User | None,
    person: Person,
    purposes: list[str],
    basis: str,
    method: str,
    given_on: date,
    note: str = "",
) -> list[Consent]:
    """Record one legal basis for several purposes at once: one Consent per purpose.

    All or nothing: a purpose that already has a valid basis refuses the whole
    request with a German message naming it. Erased or merged entries take no
    consent. Permission: ``actors.add_consent`` (view).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None or person.merged_into_id is not None:
        raise ValidationError(_("This entry was erased or merged and cannot be changed."))
    existing = {
        consent.purpose: consent
        for consent in Consent.objects.filter(
            person=person, purpose__in=purposes, withdrawn_at__isnull=True
        )
    }
    if existing:
        raise ValidationError(
            [
                _(
                    "“%(purpose)s” already has a valid legal basis (given on %(date)s); "
                    "withdraw it first to record a new one."
                )
                % {
                    "purpose": consent.get_purpose_display(),
                    "date": formats.date_format(consent.given_on),
                }
                for consent in existing.values()
            ]
        )
    return [
        network.consent_record(
            by=by,
            person=person,
            purpose=purpose,
            basis=basis,
            method=method,
            given_on=given_on,
            note=note,
        )
        for purpose in dict.fromkeys(purposes)
    ]


# --------------------------------------------------------------------------
# Access request (Art. 15)
# --------------------------------------------------------------------------


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _value(instance, name: str):
    """A field's value as JSON: choices by their German label, dates in ISO 8601."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if field.choices and value is not None:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fields(instance, names) -> dict:
    return {_label(type(instance), name): _value(instance, name) for name in names}


def _history(records) -> list[dict]:
    """Change history entries, oldest first: date, kind and the changed fields' values."""
    entries = []
    previous_by_object: dict[tuple[type, int], object] = {}
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    for record in sorted(records, key=lambda record: (record.history_date, record.history_id)):
        model = record.instance_type
        previous = previous_by_object.get((model, record.id))
        if previous is None:
            names = [field.name for field in record.tracked_fields if field.editable]
        else:
            names = [change.field for change in record.diff_against(previous).changes]
        names = [name for name in names if name not in HISTORY_SKIPPED_FIELDS]
        entries.append(
            {
                _("Date"): timezone.localtime(record.history_date).isoformat(timespec="seconds"),
                _("Kind"): str(kinds.get(record.history_type, record.history_type)),
                _("Record"): f"{capfirst(str(model._meta.verbose_name))} {record.id}",
                _("Reason"): record.history_change_reason or "",
                _("Changed fields"): {_label(model, name): _value(record, name) for name in names},
            }
        )
        previous_by_object[(model, record.id)] = record
    return entries


def person_data_export(*, by: User, person: Person) -> dict:
    """Everything stored about ``person``, for an access request (Art. 15 DSGVO).

    Keys and choice values are German; dates are ISO 8601. Includes duplicates
    merged into the person, withdrawn consents, survey invitations (with the
    answers of named surveys), the change history and the privacy log about
    them. Every export is logged (DATA_EXPORT, by ``by``). The caller checks
    that ``by`` may export (``actors.change_person``).
    """
    with translation.override("de"):
        people = [person, *_merged_duplicates(person)]
        ids = [entry.pk for entry in people]
        export = {
            _("Format"): EXPORT_FORMAT,
            _("Exported at"): timezone.localtime().isoformat(timespec="seconds"),
            _("Controller"): settings.MUNICIPALITY_NAME,
            _("Person number"): person.pk,
            _("Person"): _fields(person, PERSON_EXPORT_FIELDS),
            _("Languages spoken"): [language.name for language in person.languages.all()],
            _("Affiliations"): [
                {
                    _("Organisation"): affiliation.organisation.name,
                    **_fields(affiliation, ("function", "start_date", "end_date")),
                }
                for affiliation in Affiliation.objects.filter(person__in=ids).select_related(
                    "organisation"
                )
            ],
            _("Memberships"): [
                {
                    _("Circle"): membership.circle.name,
                    **_fields(membership, ("role", "start_date", "end_date")),
                }
                for membership in CircleMembership.objects.filter(person__in=ids).select_related(
                    "circle"
                )
            ],
            _("Consents and legal bases"): [
                _fields(consent, CONSENT_EXPORT_FIELDS)
                for consent in Consent.objects.filter(person__in=ids).order_by(
                    "purpose", "given_on"
                )
            ],
            _("Retention warnings"): [
                _fields(notice, NOTICE_EXPORT_FIELDS)
                for notice in RetentionNotice.objects.filter(person__in=ids).order_by("created_at")
            ],
            _("Surveys"): privacy_surveys.surveys_export(person_ids=ids),
            _("Merged duplicates"): [
                {_("Person number"): duplicate.pk, **_fields(duplicate, PERSON_EXPORT_FIELDS)}
                for duplicate in people[1:]
            ],
            _("Change history"): _history(
                [
                    *Person.history.filter(id__in=ids),
                    *Consent.history.filter(person_id__in=ids),
                    *Affiliation.history.filter(person_id__in=ids),
                    *CircleMembership.history.filter(person_id__in=ids),
                ]
            ),
            _("Privacy log"): [
                {
                    _("Date"): timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                    _("Action"): entry.get_action_display(),
                    _("Detail"): entry.detail,
                }
                for entry in PrivacyLogEntry.objects.filter(person_id_ref__in=ids).order_by(
                    "created_at"
                )
            ],
        }
    PrivacyLogEntry.objects.create(
        action=PrivacyLogEntry.Action.DATA_EXPORT, person_id_ref=person.pk, by=by
    )
    return export


def _merged_duplicates(person: Person, *, lock: bool = False) -> list[Person]:
    """Entries merged into ``person``, also through chains (A → B → person)."""
    found: list[Person] = []
    frontier = [person.pk]
    queryset = Person.objects.select_for_update() if lock else Person.objects.all()
    while frontier:
        batch = list(queryset.filter(merged_into__in=frontier).order_by("pk"))
        found.extend(batch)
        frontier = [entry.pk for entry in batch]
    return found


# --------------------------------------------------------------------------
# Erasure (Art. 17)
# --------------------------------------------------------------------------


def _reason_names_person(person: Person, reason: str) -> bool:
    """Does ``reason`` contain the first name, last name or email as a whole word?"""
    parts = [person.first_name, person.last_name, person.email]
    return any(
        re.search(rf"(?<!\w){re.escape(part.strip())}(?!\w)", reason, flags=re.IGNORECASE)
        for part in parts
        if len(part.strip()) >= 2
    )


def _anonymise_surveys(person: Person, *, now: datetime) -> None:
    """Cut the person's answers loose from them; invitations and mails stay for the counts."""
    # Locked so that a first answer being stored now (its response not yet
    # committed) is unlinked too rather than missed. The answer locks the
    # invitation and then updates the person, the opposite order; PostgreSQL
    # aborts one of the two, and neither leaves anything half done.
    invitations = list(
        Invitation.objects.select_for_update().filter(person=person).values_list("pk", flat=True)
    )
    # Only named surveys link a response; unlinked, the answers count as anonymous ones.
    Response.objects.filter(invitation__in=invitations).update(invitation=None)
    # As with retention notices: a mail server's error may quote the address.
    # The mails themselves stay for the sent and failed figures of the survey.
    with translation.override("de"):
        erased_error = _("Deleted (data protection)")
    Mail.objects.filter(invitation__in=invitations).exclude(error="").update(
        error=erased_error, updated_at=now
    )


def _anonymise(person: Person, *, by: User | None, now: datetime, change_reason: str) -> None:
    """Overwrite one row's personal data and replace its history by one entry."""
    # Invitations before consents: the order of a survey's opt-out.
    _anonymise_surveys(person, now=now)
    consents = list(Consent.objects.select_for_update().filter(person=person))
    # The history rows hold every earlier name, address and note; they go, and
    # each row keeps a single entry that says it was anonymised.
    Consent.history.filter(person_id=person.pk).delete()
    for consent in consents:
        consent.withdrawn_at = consent.withdrawn_at or now
        consent.note = ""
        consent.withdrawal_note = ""
        consent._change_reason = change_reason
        consent._history_user = by
        consent.save()
    # Affiliations stay for the organisations' figures; their free-text
    # function ("Leitung der Beratungsstelle") could still point at someone.
    Affiliation.objects.filter(person=person).update(function="")
    Affiliation.history.filter(person_id=person.pk).update(function="")
    # A mail server's error may quote the address.
    RetentionNotice.objects.filter(person=person).delete()

    Person.history.filter(id=person.pk).delete()
    person.salutation = Person.Salutation.NONE
    person.title = ""
    person.first_name = ""
    person.last_name = ERASED_NAME
    person.email = ""
    person.phone = ""
    person.notes = ""
    person.is_archived = True
    person.anonymised_at = now
    person._change_reason = change_reason
    person._history_user = by
    person.save()
    person.languages.clear()


@transaction.atomic
def person_erase(
    *,
    by: User | None,
    person: Person,
    reason: str,
    action: str = PrivacyLogEntry.Action.ERASURE,
) -> Person:
    """Anonymise ``person`` (Art. 17 DSGVO) and log it with ``reason``.

    Name, contact data, notes and languages go; consents are withdrawn and
    their notes cleared; the change history of the person and their consents
    is replaced by one entry. Memberships, affiliations and survey invitations
    keep their rows, so the figures of circles, organisations and surveys stay
    intact; responses to named surveys are unlinked (their answers stay as
    anonymous ones) and mail errors, which may quote the address, are
    cleared. Duplicates merged into the person are anonymised with it.
    Idempotent: an anonymised person is returned unchanged. The reason must not
    name the person nor any of the merged duplicates (the log outlives the
    erasure). Permission: ``actors.delete_person`` (view).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        return person
    if person.merged_into_id is not None:
        raise ValidationError(
            _("This entry was merged into another person; erase that person instead.")
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Please give a reason for the erasure."))
    duplicates = _merged_duplicates(person, lock=True)
    # A duplicate may carry another spelling or an old address of the person.
    if any(_reason_names_person(entry, reason) for entry in [person, *duplicates]):
        raise ValidationError(
            _(
                "The reason must not contain the person's name or email address: "
                "the privacy log is kept after the erasure."
            )
        )
    now = timezone.now()
    with translation.override("de"):
        change_reason = _("Anonymised (Art. 17 GDPR)")
    from minutes.services.oparl import publication_watch  # here: import cycle

    with publication_watch():  # an anonymised committee member leaves OParl
        for entry in [person, *duplicates]:
            _anonymise(entry, by=by, now=now, change_reason=change_reason)
    PrivacyLogEntry.objects.create(
        action=action, person_id_ref=person.pk, by=by, detail=reason[:255]
    )
    return person
