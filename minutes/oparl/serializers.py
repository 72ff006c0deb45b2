"""OParl 1.1 objects as dicts, built from the querysets of ``.selectors``.

OParl wants no ``null``, ``""`` or ``[]`` for optional fields: ``_clean`` drops
them. Links are absolute and built from ``SITE_URL``, never from the request's
host. Labels are the German ones (the views render under ``translation.override``).
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import (
    AgendaItem,
    Attachment,
    Body,
    Consultation,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Paper,
    Resolution,
)

SCHEMA = "https://schema.oparl.org/1.1/"
BODY_PK = 1  # the one OParl Body: the town


def url(name: str, pk: int | None = None) -> str:
    args = [pk] if pk is not None else None
    return settings.SITE_URL + reverse(f"oparl:{name}", args=args)


def body_url(name: str = "body") -> str:
    return url(name, BODY_PK)


def stamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _clean(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _base(kind: str, name: str, obj) -> dict:
    return {
        "id": url(name, obj.pk),
        "type": SCHEMA + kind,
        "created": stamp(obj.created_at),
        "modified": stamp(obj.updated_at),
    }


def deleted(
    kind: str, name: str, pk: int, created: datetime.datetime, modified: datetime.datetime
) -> dict:
    """A deleted or depublished object: the five keys OParl 1.1 keeps, nothing else."""
    return {
        "id": url(name, pk),
        "type": SCHEMA + kind,
        "created": stamp(created),
        "modified": stamp(max(created, modified)),
        "deleted": True,
    }


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def system(*, created: datetime.datetime, modified: datetime.datetime) -> dict:
    return {
        "id": url("system"),
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "name": settings.MUNICIPALITY_NAME,
        "body": url("body_list"),
        "website": settings.SITE_URL + "/",
        "created": stamp(created),
        "modified": stamp(modified),
    }


def body(*, created, modified, terms: list[LegislativeTerm]) -> dict:
    return {
        "id": body_url(),
        "type": SCHEMA + "Body",
        "system": url("system"),
        "name": settings.MUNICIPALITY_NAME,
        "website": settings.SITE_URL + "/",
        "organization": body_url("organization_list"),
        "person": body_url("person_list"),
        "meeting": body_url("meeting_list"),
        "paper": body_url("paper_list"),
        # Required as an embedded array in 1.1, besides the optional list URL.
        "legislativeTerm": [legislative_term(term) for term in terms],
        "legislativeTermList": body_url("legislativeterm_list"),
        "created": stamp(created),
        "modified": stamp(modified),
    }


def legislative_term(term: LegislativeTerm) -> dict:
    return _clean(
        {
            **_base("LegislativeTerm", "legislativeterm", term),
            "body": body_url(),
            "name": term.name,
            "startDate": _date(term.start_date),
            "endDate": _date(term.end_date),
        }
    )


def organization(org: Body) -> dict:
    return _clean(
        {
            **_base("Organization", "organization", org),
            "body": body_url(),
            "name": org.name,
            "shortName": org.short_name,
            "membership": [url("membership", m.pk) for m in org.memberships.all()],
            "organizationType": "Gremium",
            "classification": str(org.get_kind_display()),
            "startDate": _date(org.start_date),
            "endDate": _date(org.end_date),
        }
    )


def membership(seat: Membership) -> dict:
    return _clean(
        {
            **_base("Membership", "membership", seat),
            "person": url("person", seat.person_id),
            "organization": url("organization", seat.body_id),
            "role": str(seat.get_role_display()),
            "votingRight": seat.has_vote,
            "startDate": _date(seat.start_date),
            "endDate": _date(seat.end_date),
        }
    )


def person(someone) -> dict:
    """Names only: no contact data, notes or login of the network's person."""
    form_of_address = (
        str(someone.get_salutation_display())
        if someone.salutation != someone.Salutation.NONE
        else None
    )
    return _clean(
        {
            **_base("Person", "person", someone),
            "body": body_url(),
            "name": someone.full_name,
            "familyName": someone.last_name,
            "givenName": someone.first_name,
            "formOfAddress": form_of_address,
            "membership": [membership(seat) for seat in someone.memberships.all()],
        }
    )


def location(place: Location) -> dict:
    return _clean(
        {
            **_base("Location", "location", place),
            "description": place.description or str(place),
            "room": place.room,
            "streetAddress": place.street_address,
            "postalCode": place.postal_code,
            "locality": place.locality,
        }
    )


def file(attachment: Attachment) -> dict:
    download = url("file_download", attachment.pk)
    return _clean(
        {
            **_base("File", "file", attachment),
            "name": attachment.name,
            "fileName": attachment.file_name,
            "mimeType": attachment.mime_type,
            "size": attachment.size,
            "date": _date(timezone.localtime(attachment.created_at).date()),
            "accessUrl": download,
            "downloadUrl": download,
            "paper": [url("paper", attachment.paper_id)] if attachment.paper_id else None,
            "meeting": [url("meeting", attachment.meeting_id)] if attachment.meeting_id else None,
        }
    )


def agenda_item(item: AgendaItem) -> dict:
    """A public item in full; a non-public one as a stub without name, files or result."""
    base = {
        **_base("AgendaItem", "agendaitem", item),
        "meeting": url("meeting", item.meeting_id),
        "order": item.position,
    }
    if not item.oparl_public:
        return {**base, "public": False}
    result = item.oparl_result
    return _clean(
        {
            **base,
            "number": item.printed_number,
            "name": item.title,
            "public": True,
            "consultation": url("consultation", item.oparl_consultation_id)
            if item.oparl_consultation_id
            else None,
            "result": str(Resolution.Kind(result).label) if result else None,
            "resolutionText": item.oparl_resolution_text,
        }
    )


def _meeting_time(meeting: Meeting, time: datetime.time | None) -> str | None:
    if time is None:
        return None
    moment = datetime.datetime.combine(meeting.date, time)
    return timezone.make_aware(moment).isoformat(timespec="seconds")


def meeting(event: Meeting) -> dict:
    return _clean(
        {
            **_base("Meeting", "meeting", event),
            "name": event.name or str(event),
            "meetingState": str(event.get_status_display()),
            "cancelled": event.status == Meeting.Status.CANCELLED,
            "start": _meeting_time(event, event.start_time),
            "end": _meeting_time(event, event.end_time),
            "location": location(event.location) if event.location else None,
            "organization": [url("organization", event.body_id)],
            "auxiliaryFile": [file(attachment) for attachment in event.oparl_files],
            "agendaItem": [agenda_item(item) for item in event.oparl_items],
        }
    )


def consultation(step: Consultation) -> dict:
    item = step.agenda_item if step.oparl_item_public else None
    return _clean(
        {
            **_base("Consultation", "consultation", step),
            "paper": url("paper", step.paper_id),
            "agendaItem": url("agendaitem", item.pk) if item else None,
            "meeting": url("meeting", item.meeting_id) if item else None,
            "organization": [url("organization", step.body_id)] if step.oparl_body_public else None,
            "authoritative": step.is_authoritative,
            "role": str(step.get_role_display()),
        }
    )


def paper(doc: Paper) -> dict:
    """The lead department is no OParl Organization here, so ``underDirectionOf``
    is left out; the first file is the main file."""
    files = [file(attachment) for attachment in doc.oparl_files]
    return _clean(
        {
            **_base("Paper", "paper", doc),
            "body": body_url(),
            "name": doc.title,
            "reference": doc.reference,
            "date": _date(doc.date),
            "paperType": str(doc.get_kind_display()),
            "relatedPaper": [url("paper", other.pk) for other in doc.oparl_related],
            "superordinatedPaper": [url("paper", doc.main_paper_id)]
            if doc.oparl_main_public
            else None,
            "subordinatedPaper": [url("paper", other.pk) for other in doc.oparl_supplements],
            "mainFile": files[0] if files else None,
            "auxiliaryFile": files[1:],
            "consultation": [consultation(step) for step in doc.oparl_consultations],
        }
    )
