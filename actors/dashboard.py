"""The network's figures on the dashboard: two queries, whatever the size."""

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from integration.core.selectors import DashboardFigure

from .models import Organisation, Person


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def figures(*, user) -> list[DashboardFigure]:
    result = []
    if user.has_perm("actors.view_organisation"):
        organisations = Organisation.objects.active().count()
        result.append(
            DashboardFigure(_("Organisations"), organisations, _url("actors:organisation_list"))
        )
    if user.has_perm("actors.view_person"):
        people = Person.objects.active().aggregate(
            total=Count("pk"), volunteers=Count("pk", filter=Q(is_volunteer=True))
        )
        result.append(
            DashboardFigure(_("Contact people"), people["total"], _url("actors:person_list"))
        )
        result.append(DashboardFigure(_("of them volunteers"), people["volunteers"]))
    return result
