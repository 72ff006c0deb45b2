"""What every committee document shares: the two variants, the reader a variant
stands for, the meeting's chair and secretary as a variant may name them. The
letterhead is the document machinery's (``integration.documents.rendering``).

A document never decides visibility itself. The public variant reads through the
access selectors with an ``AnonymousUser`` (the NOBODY scope: public only), so it
shows exactly what the public portal shows; the members' variant holds everything
of the meeting and is for those the caller lets download it (the document
machinery asks the kind's ``can_view``). People are named in the public variant
only by the public people rule (``access.public_people_q``), as on the portal.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from ..models import Meeting, Membership
from ..selectors.access import current_membership_q, meetings_visible_to, public_people_q

PUBLIC = "public"
MEMBERS = "members"
VARIANTS = (PUBLIC, MEMBERS)

# Part of every fingerprint: raise it when a template or the layout changes, so
# stored documents are compiled again.
TEMPLATE_VERSION = "minutes-documents-1"

STYLESHEET = "css/documents-print.css"


class DocumentUnavailableError(Exception):
    """The document does not exist for this variant (e.g. the public packet of a
    meeting of a non-public body, or public minutes that are not published)."""


def check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"Unknown variant {variant!r}; expected one of {VARIANTS}")


def public_reader() -> AnonymousUser:
    """The reader of the public variant: anyone, i.e. the NOBODY scope."""
    return AnonymousUser()


def meeting_check_public(meeting: Meeting) -> None:
    """Raise ``DocumentUnavailableError`` unless everyone may see ``meeting``."""
    if not meetings_visible_to(public_reader()).filter(pk=meeting.pk).exists():
        raise DocumentUnavailableError(f"Meeting {meeting.pk} is not public")


def meeting_role_holder(meeting: Meeting, role: str = Membership.Role.CHAIR, *, variant: str):
    """The person holding ``role`` (the chair by default) in the meeting's body on the
    day of the meeting, or None; in the public variant None as well when the public
    people rule (``public_people_q``) forbids naming them. One query."""
    check_variant(variant)
    membership = (
        Membership.objects.filter(
            current_membership_q(today=meeting.date), body_id=meeting.body_id, role=role
        )
        .annotate(
            person_public=ExpressionWrapper(
                public_people_q("person__"), output_field=BooleanField()
            )
        )
        .select_related("person")
        .order_by("start_date", "pk")
        .first()
    )
    if membership is None or (variant == PUBLIC and not membership.person_public):
        return None
    return membership.person


def meeting_title(meeting: Meeting) -> str:
    """ "Ausschuss für Soziales · 03.12.2026" (the header of every page)."""
    return f"{meeting.body.name} · {meeting.date:%d.%m.%Y}"


def generated_at():
    return timezone.localtime()
