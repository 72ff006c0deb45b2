"""The network overview for the committee (PDF): who works in which field of action.

``network_report_context`` gathers the overview's figures, per field of action the
active organisations and the people working for them (counts only), the network
picture (fields of action × circles, the SVG of ``charts``) with its numbers as a
table, and the circles with their member counts. It names organisations and
circles, never a person: the report goes to a public committee. A fixed number of
queries, however large the network.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from integration.core.models import FieldOfAction
from integration.documents.registry import WholeDataKind, register, stamp
from integration.documents.rendering import pdf_render

from . import charts, selectors
from .models import Affiliation, Circle, CircleMembership, Organisation, Person

# Everything the report counts; whoever reads the network overview with its people and
# circles has these (Koordination, Verwaltung).
NETWORK_PERMISSIONS = ("actors.view_organisation", "actors.view_person", "actors.view_circle")
# The one subject of the report: the whole network, no row of its own.
NETWORK_SUBJECT = "all"


class _NetworkReader:
    """The reader the report is compiled for: the compile runs in the worker without a
    login, after ``can_view`` let the requesting user in; the selectors it reuses then
    see what ``NETWORK_PERMISSIONS`` allow, which is what every allowed reader sees."""

    is_authenticated = True
    is_active = True

    def has_perm(self, perm, obj=None):
        return perm in NETWORK_PERMISSIONS


@dataclass(frozen=True)
class FieldCount:
    name: str
    organisations: int
    people: int


def field_counts() -> list[FieldCount]:
    """Per active field of action: its active organisations and the active people with a
    current affiliation to one of them (each person once per field); three queries."""
    organisations = Organisation.objects.filter(is_archived=False)
    fields_of = defaultdict(set)
    for organisation_id, field_id in Organisation.fields_of_action.through.objects.filter(
        organisation__in=organisations
    ).values_list("organisation_id", "fieldofaction_id"):
        fields_of[organisation_id].add(field_id)
    organisations_in = defaultdict(set)
    people_in = defaultdict(set)
    for organisation_id, fields in fields_of.items():
        for field_id in fields:
            organisations_in[field_id].add(organisation_id)
    affiliations = Affiliation.objects.filter(
        selectors.current_q(),
        organisation__in=organisations,
        person__is_archived=False,
        person__anonymised_at__isnull=True,
        person__merged_into__isnull=True,
    ).values_list("person_id", "organisation_id")
    for person_id, organisation_id in affiliations:
        for field_id in fields_of.get(organisation_id, ()):
            people_in[field_id].add(person_id)
    return [
        FieldCount(
            name=name,
            organisations=len(organisations_in.get(pk, ())),
            people=len(people_in.get(pk, ())),
        )
        for pk, name in FieldOfAction.objects.filter(is_active=True).values_list("pk", "name")
    ]


def network_report_context() -> dict:
    """The network overview as template context (see the module docstring)."""
    reader = _NetworkReader()
    today = timezone.localdate()
    picture = charts.network_picture_data(user=reader)
    gaps = [row.label for row in picture.rows if row.without_actors]
    description = gettext(
        "Matrix of the fields of action (rows) and the network circles (columns). Each "
        "cell counts the active organisations working in the field of action that sit in "
        "the circle, directly or through a contact person."
    )
    if gaps:
        description += " " + gettext("Fields of action without active actors: %(fields)s.") % {
            "fields": ", ".join(gaps)
        }
    svg = charts.network_picture_svg(
        picture,
        title=gettext("Network picture: fields of action and circles"),
        description=description,
        id_prefix="report-network-picture",
    )
    # Without its pixel size the picture has only its aspect ratio (viewBox), so the PDF
    # scales it to the width of the text instead of cutting it at the margin.
    svg = re.sub(r'^(<svg[^>]*?) width="\d+" height="\d+"', r"\1", svg, count=1)
    return {
        "title": gettext("Network overview"),
        "municipality": settings.MUNICIPALITY_NAME,
        "generated_at": timezone.localtime(),
        "report_date": formats.date_format(today, "SHORT_DATE_FORMAT"),
        "figures": selectors.network_figures(user=reader),
        "fields": field_counts(),
        "picture": picture,
        "gaps": gaps,
        # Built by ElementTree, which escapes every name it writes.
        "picture_svg": mark_safe(svg),  # noqa: S308
        # With their member counts, exactly as on the overview page.
        "circles": list(selectors.circle_list(user=reader).filter(is_archived=False)),
    }


@register
class NetworkReport(WholeDataKind):
    """The network overview for the committee (see the module docstring)."""

    key = "actors.network_report"
    title = gettext_lazy("Network overview")
    version = "1"

    def fingerprint_inputs(self, subject, variant):
        return "\n".join(
            [
                # The date decides which affiliations and memberships are current.
                timezone.localdate().isoformat(),
                settings.MUNICIPALITY_NAME,
                stamp(FieldOfAction.objects.all()),
                stamp(Organisation.objects.all()),
                # The through table has no ``updated_at``: its count and newest id.
                repr(
                    Organisation.fields_of_action.through.objects.aggregate(
                        count=Count("pk"), newest=Max("pk")
                    )
                ),
                stamp(Person.objects.all()),
                stamp(Affiliation.objects.all()),
                stamp(Circle.objects.all()),
                stamp(CircleMembership.objects.all()),
            ]
        )

    def render(self, subject, variant, progress):
        progress(10)
        context = network_report_context()
        progress(40)
        return pdf_render(template="actors/documents/network_report.html", context=context)

    def filename(self, subject, variant):
        return gettext("network-overview-%(date)s.pdf") % {"date": timezone.localdate().isoformat()}

    def can_view(self, user, subject, variant):
        return user.has_perms(NETWORK_PERMISSIONS)
