"""The network picture: its figures, its SVG and its page."""

# Parses only the SVG our own code wrote.
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actors import charts

from ..core.factories import FieldOfActionFactory
from .factories import (
    AffiliationFactory,
    CircleFactory,
    CircleMembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def network():
    """Fields Sprache, Arbeit, Wohnen; circles AG Sprache, Runder Tisch (and an archived one)."""
    language, work, housing = (
        FieldOfActionFactory(name="Sprache & Bildung", position=1),
        FieldOfActionFactory(name="Arbeit & Ausbildung", position=2),
        FieldOfActionFactory(name="Wohnen & Unterbringung", position=3),
    )
    FieldOfActionFactory(name="Altes Thema", is_active=False)
    working_group = CircleFactory(name="AG Sprache")
    round_table = CircleFactory(name="Runder Tisch")
    archived = CircleFactory(name="Alter Kreis", is_archived=True)
    yesterday = timezone.localdate() - timedelta(days=1)

    def organisation(*fields, **kwargs):
        created = OrganisationFactory(**kwargs)
        created.fields_of_action.set(fields)
        return created

    # A sits in the working group itself.
    a = organisation(language)
    CircleMembershipFactory(circle=working_group, organisation=a, person=None)
    # B (language and work) sits in the round table through a person working for it.
    b = organisation(language, work)
    member = AffiliationFactory(organisation=b).person
    CircleMembershipFactory(circle=round_table, person=member)
    # C (work) is in no circle: its membership ended, its person left, the other circle is archived.
    c = organisation(work)
    CircleMembershipFactory(circle=round_table, organisation=c, person=None, end_date=yesterday)
    former = AffiliationFactory(organisation=c, end_date=yesterday).person
    CircleMembershipFactory(circle=working_group, person=former)
    CircleMembershipFactory(circle=archived, organisation=c, person=None)
    # D would cover housing, but is archived: housing has no active actors.
    d = organisation(housing, is_archived=True)
    CircleMembershipFactory(circle=round_table, organisation=d, person=None)
    return {"a": a, "b": b, "c": c}


def test_network_picture_data_counts_direct_and_person_memberships(network, coordinator):
    picture = charts.network_picture_data(user=coordinator)
    assert picture.columns == ("AG Sprache", "Runder Tisch", "ohne Netzwerkrunde")
    assert [(row.label, row.counts, row.total) for row in picture.rows] == [
        ("Sprache & Bildung", (1, 1, 0), 2),
        ("Arbeit & Ausbildung", (0, 1, 1), 2),
        ("Wohnen & Unterbringung", (0, 0, 0), 0),
    ]
    assert [row.without_actors for row in picture.rows] == [False, False, True]
    assert picture.max_count == 1


def test_network_picture_data_needs_five_queries(network, coordinator, django_assert_num_queries):
    coordinator.has_perm("actors.view_organisation")  # load the permission cache first
    with django_assert_num_queries(5):
        charts.network_picture_data(user=coordinator)


def test_network_picture_data_is_empty_without_the_right(network, committee_member):
    picture = charts.network_picture_data(user=committee_member)
    assert all(row.total == 0 for row in picture.rows)


@pytest.mark.parametrize(
    ("count", "max_count", "level"),
    [(0, 10, 0), (1, 3, 1), (3, 3, 3), (1, 10, 1), (2, 10, 1), (3, 10, 2), (10, 10, 5)],
)
def test_shade_level(count, max_count, level):
    assert charts.shade_level(count, max_count) == level


def test_legend_ranges_match_the_shades():
    assert charts.legend_ranges(3) == [(1, "1"), (2, "2"), (3, "3")]
    assert charts.legend_ranges(12) == [
        (1, "1–2"),
        (2, "3–4"),
        (3, "5–7"),
        (4, "8–9"),
        (5, "10–12"),
    ]
    for count in range(1, 13):
        level = charts.shade_level(count, 12)
        low, _dash, high = dict(charts.legend_ranges(12))[level].partition("–")
        assert int(low) <= count <= int(high or low)


def test_network_picture_svg_is_well_formed_and_accessible(network, coordinator):
    svg = charts.network_picture_svg(
        charts.network_picture_data(user=coordinator), title="Netzwerkbild", description="Matrix"
    )
    root = ET.fromstring(svg)  # noqa: S314
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "network-picture-title network-picture-desc"
    assert root.find(f"{SVG}title").text == "Netzwerkbild"
    assert root.find(f"{SVG}desc").text == "Matrix"
    texts = [" ".join(element.itertext()) for element in root.iter(f"{SVG}text")]
    assert "keine aktiven Akteure" in texts
    assert "ohne Netzwerkrunde" in texts
    assert "style" not in svg
    alert = [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == charts.ALERT_FILL]
    assert len(alert) == 1


def test_network_picture_svg_escapes_names():
    picture = charts.NetworkPicture(
        columns=('AG "Wohnen" & <Bauen>', "ohne"),
        rows=(charts.PictureRow(label="Frauen & Familie </svg>", counts=(3, 0), total=3),),
    )
    svg = charts.network_picture_svg(picture, title="a & b", description="<x>")
    root = ET.fromstring(svg)  # noqa: S314
    texts = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert "Frauen & Familie </svg>" in texts
    assert root.find(f"{SVG}title").text == "a & b"


def test_network_picture_svg_without_fields_or_circles():
    picture = charts.NetworkPicture(columns=("ohne",), rows=())
    svg = charts.network_picture_svg(picture, title="t", description="d")
    assert ET.fromstring(svg)  # noqa: S314


def test_network_picture_page_shows_svg_and_table(django_app, network, administration_user):
    page = django_app.get(reverse("actors:network_picture"), user=administration_user)
    svg = page.html.select_one("svg.network-picture")
    assert svg is not None
    assert svg.select_one("title").text == "Netzwerkbild: Handlungsfelder und Netzwerkrunden"
    assert "Wohnen & Unterbringung" in svg.select_one("desc").text
    table = page.html.select_one("table.network-picture-table")
    cells = [
        [cell.get_text(" ", strip=True) for cell in line.select("th, td")]
        for line in table.select("tr")
    ]
    assert cells[0] == [
        "Handlungsfeld",
        "Aktive Organisationen",
        "AG Sprache",
        "Runder Tisch",
        "ohne Netzwerkrunde",
    ]
    assert cells[3] == ["Wohnen & Unterbringung keine aktiven Akteure", "0", "0", "0", "0"]
    assert "style=" not in page.text.split("<main", 1)[1]


def test_network_picture_page_query_count_is_constant(
    django_app, network, coordinator, django_assert_max_num_queries
):
    url = reverse("actors:network_picture")
    django_app.get(url, user=coordinator)
    for _ in range(10):
        organisation = OrganisationFactory()
        organisation.fields_of_action.set([FieldOfActionFactory()])
        CircleMembershipFactory(organisation=organisation, person=None)
    with django_assert_max_num_queries(12):
        django_app.get(url, user=coordinator)
