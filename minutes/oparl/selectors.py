"""What the OParl interface publishes: the public committee data, as an anonymous
visitor sees it.

Every queryset starts from the access rules in ``minutes.selectors.access`` for
an anonymous user; nothing here filters ``is_public`` by hand. Each one
prefetches what its serializer reads, so a list page runs a constant number of
queries.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

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
    Paper,
)
from ..selectors.access import (
    agenda_items_visible_to,
    attachments_visible_to,
    bodies_visible_to,
    meetings_visible_to,
    papers_visible_to,
    public_people_q,
    resolutions_visible_to,
)

ANONYMOUS = AnonymousUser()


def organizations_public() -> QuerySet[Body]:
    """The public bodies (OParl Organization) with their public memberships."""
    return (
        bodies_visible_to(ANONYMOUS)
        .prefetch_related(Prefetch("memberships", queryset=memberships_public().order_by("pk")))
        .order_by("pk")
    )


def memberships_public() -> QuerySet[Membership]:
    """Seats in public bodies of people the public people rule lets us name
    (``access.public_people_q``: not archived, anonymised or merged)."""
    return Membership.objects.filter(
        public_people_q("person__"), body__in=bodies_visible_to(ANONYMOUS)
    ).order_by("pk")


def people_public() -> QuerySet[Person]:
    """Only the people holding a public membership; only their names are published."""
    memberships = memberships_public()
    return (
        Person.objects.filter(pk__in=memberships.values("person_id"))
        .only("pk", "salutation", "title", "first_name", "last_name", "created_at", "updated_at")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("pk")
    )


def visible_items() -> QuerySet[AgendaItem]:
    return agenda_items_visible_to(ANONYMOUS)


def agenda_items_public() -> QuerySet[AgendaItem]:
    """Every item of a public meeting; ``oparl_public`` tells which ones may be shown
    beyond a stub (the access rules), with the visible resolution and consultation."""
    resolutions = resolutions_visible_to(ANONYMOUS).filter(agenda_item=OuterRef("pk"))
    return (
        AgendaItem.objects.filter(meeting__in=meetings_visible_to(ANONYMOUS))
        .defer("minutes_text")
        .annotate(
            oparl_public=Exists(visible_items().filter(pk=OuterRef("pk"))),
            # Annotations rather than a Prefetch(to_attr=…) of the one-to-one
            # relations, which Django follows with one query per item.
            oparl_result=Subquery(resolutions.values("kind")[:1]),
            oparl_resolution_text=Subquery(resolutions.values("text")[:1]),
            oparl_consultation_id=Subquery(
                Consultation.objects.filter(
                    paper__in=papers_visible_to(ANONYMOUS), agenda_item=OuterRef("pk")
                ).values("pk")[:1]
            ),
        )
        .order_by("meeting_id", "position")
    )


def files_public() -> QuerySet[Attachment]:
    return attachments_visible_to(ANONYMOUS).defer("text").order_by("position", "pk")


def meetings_public() -> QuerySet[Meeting]:
    """Meetings of public bodies with their location, public files and whole agenda."""
    return (
        meetings_visible_to(ANONYMOUS)
        .select_related("body", "location")
        .prefetch_related(
            Prefetch("agenda_items", queryset=agenda_items_public(), to_attr="oparl_items"),
            Prefetch("attachments", queryset=files_public(), to_attr="oparl_files"),
        )
        .order_by("pk")
    )


def consultations_public() -> QuerySet[Consultation]:
    """Consultations of public papers; their item, meeting and body are linked only
    where those are public too (``oparl_item_public``, ``oparl_body_public``)."""
    return (
        Consultation.objects.filter(paper__in=papers_visible_to(ANONYMOUS))
        .select_related("agenda_item")
        .annotate(
            oparl_item_public=Exists(visible_items().filter(pk=OuterRef("agenda_item_id"))),
            oparl_body_public=Exists(bodies_visible_to(ANONYMOUS).filter(pk=OuterRef("body_id"))),
        )
        .order_by("position", "pk")
    )


def papers_public() -> QuerySet[Paper]:
    """Public papers with their public relations, consultations and files."""
    visible = papers_visible_to(ANONYMOUS).only("pk", "main_paper_id")
    return (
        papers_visible_to(ANONYMOUS)
        .defer("text", "proposal")
        .prefetch_related(
            Prefetch("related_papers", queryset=visible, to_attr="oparl_related"),
            Prefetch("supplements", queryset=visible.order_by("pk"), to_attr="oparl_supplements"),
            Prefetch(
                "consultations", queryset=consultations_public(), to_attr="oparl_consultations"
            ),
            Prefetch("attachments", queryset=files_public(), to_attr="oparl_files"),
        )
        .annotate(oparl_main_public=Exists(visible.filter(pk=OuterRef("main_paper_id"))))
        .order_by("pk")
    )


def locations_public() -> QuerySet[Location]:
    """Places of public meetings."""
    return Location.objects.filter(
        pk__in=meetings_visible_to(ANONYMOUS).values("location_id")
    ).order_by("pk")


def legislative_terms_public() -> QuerySet[LegislativeTerm]:
    return LegislativeTerm.objects.order_by("start_date", "pk")
