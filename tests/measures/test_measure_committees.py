"""The measure page shows the committee work on it, as far as the user may see it."""

import datetime

from django.urls import reverse

from ..minutes.conftest import member_login
from ..minutes.factories import (
    AgendaItemFactory,
    BodyFactory,
    FollowUpTaskFactory,
    MeetingFactory,
    ResolutionFactory,
)
from .factories import MeasureFactory


def _measure_page(django_app, user, measure):
    return django_app.get(reverse("measures:measure_detail", args=[measure.pk]), user=user)


def test_measure_detail_lists_resolutions_and_tasks(django_app, committee_member):
    measure = MeasureFactory(title="Integrationslotsen wiederbeleben")
    meeting = MeetingFactory(
        body__name="Integrationsrat", date=datetime.date(2026, 5, 7), minutes_status="published"
    )
    item = AgendaItemFactory(meeting=meeting, title="Lotsenprojekt")
    resolution = ResolutionFactory(agenda_item=item, text="Der Integrationsrat unterstützt.")
    resolution.measures.add(measure)
    FollowUpTaskFactory(agenda_item=item, title="Lotsen schulen", measure=measure)
    page = _measure_page(django_app, committee_member, measure)
    section = page.html.select_one(".measure-committees").get_text(" ", strip=True)
    assert "Integrationsrat, 07.05.2026, TOP Ö 1" in section
    assert "Der Integrationsrat unterstützt." in section
    assert "Lotsen schulen" in section


def test_measure_detail_hides_the_resolutions_of_nonpublic_items(django_app, administration_user):
    measure = MeasureFactory()
    body = BodyFactory(name="Ausschuss für Soziales")
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), is_public=False, title="Geheim")
    ResolutionFactory(agenda_item=item).measures.add(measure)
    FollowUpTaskFactory(agenda_item=item, title="Vertraulicher Auftrag", measure=measure)
    for user in (administration_user, member_login(BodyFactory(name="Integrationsrat"))):
        page = _measure_page(django_app, user, measure)
        assert "Geheim" not in page.text
        assert "Vertraulicher Auftrag" not in page.text
        assert not page.html.select(".measure-committees")
    page = _measure_page(django_app, member_login(body), measure)
    assert "Vertraulicher Auftrag" in page.text


def test_measure_detail_shows_draft_resolutions_only_to_the_body(django_app, committee_member):
    """Draft minutes are for the coordination and the body's members."""
    measure = MeasureFactory()
    body = BodyFactory(name="Integrationsrat")
    item = AgendaItemFactory(meeting=MeetingFactory(body=body, minutes_status="draft"))
    ResolutionFactory(agenda_item=item, text="Entwurf des Beschlusses").measures.add(measure)
    assert "Entwurf des Beschlusses" not in _measure_page(django_app, committee_member, measure)
    assert "Entwurf des Beschlusses" in _measure_page(django_app, member_login(body), measure)
