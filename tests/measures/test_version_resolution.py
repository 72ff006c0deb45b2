"""A concept version is adopted by a resolution recorded in the committee work."""

import datetime

from django.urls import reverse

from measures.models import ConceptVersion

from ..minutes.factories import AgendaItemFactory, MeetingFactory, ResolutionFactory
from ..utils import main_form
from .factories import ConceptVersionFactory


def _council_resolution():
    meeting = MeetingFactory(body__name="Rat der Stadt", date=datetime.date(2026, 3, 12))
    item = AgendaItemFactory(meeting=meeting, title="Fortschreibung des Integrationskonzepts")
    return ResolutionFactory(agenda_item=item)


def test_version_adopt_view_links_the_resolution(django_app, coordinator):
    resolution = _council_resolution()
    ResolutionFactory(kind="rejected")  # not offered: it adopted nothing
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    page = django_app.get(reverse("measures:version_adopt", args=[draft.pk]), user=coordinator)
    form = main_form(page)
    assert [label for _, _, label in form["resolution"].options][1:] == [
        "Rat der Stadt, 12.03.2026, TOP Ö 1: Fortschreibung des Integrationskonzepts"
    ]
    form["adopted_on"] = "2026-03-12"
    form["resolution"] = str(resolution.pk)
    form.submit().follow()
    draft.refresh_from_db()
    assert draft.resolution == resolution
    # Without a typed text, the citation of the resolution is kept as text.
    assert draft.adopted_by == "Rat der Stadt, 12.03.2026, TOP Ö 1"


def test_version_adopt_view_keeps_a_typed_text(django_app, coordinator):
    resolution = _council_resolution()
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    page = django_app.get(reverse("measures:version_adopt", args=[draft.pk]), user=coordinator)
    form = main_form(page)
    form["adopted_on"] = "2026-03-12"
    form["adopted_by"] = "Rat, Beschluss 2026/17"
    form["resolution"] = str(resolution.pk)
    form.submit().follow()
    draft.refresh_from_db()
    assert (draft.adopted_by, draft.resolution) == ("Rat, Beschluss 2026/17", resolution)
