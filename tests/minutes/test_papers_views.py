"""Paper pages: list, detail (the Twistringen paper), permissions and scoping per role."""

import datetime

import pytest
from django.urls import reverse

from minutes.models import Paper, Resolution
from minutes.services import papers as services

from ..actors.factories import OrganisationFactory, PersonFactory
from ..measures.factories import ResponsibilityFactory
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    DepartmentFactory,
    MeetingFactory,
    ResolutionFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db

LIST = reverse("minutes:paper_list")


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def department_user(administration_user, department):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


@pytest.fixture
def secret_paper(body, department):
    """A non-public paper consulted in ``body``."""
    paper = paper_of_department(is_public=False, title="Vertrauliche Personalsache")
    ConsultationFactory(paper=paper, body=body)
    return paper


def paper_routes(paper) -> list[str]:
    return [
        reverse("minutes:paper_detail", args=[paper.pk]),
        reverse("minutes:paper_update", args=[paper.pk]),
        reverse("minutes:paper_supplement", args=[paper.pk]),
        reverse("minutes:consultation_edit", args=[paper.pk]),
    ]


# --- Permissions ------------------------------------------------------------------------


def test_paper_pages_send_anonymous_to_login(client, secret_paper):
    for url in [LIST, reverse("minutes:paper_create"), *paper_routes(secret_paper)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("login") in response.url


def test_paper_pages_refuse_user_without_role(client, user_without_role):
    paper = paper_of_department()
    client.force_login(user_without_role)
    for url in [LIST, reverse("minutes:paper_create"), *paper_routes(paper)]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("coordinator", True),
        ("body_member", True),
        ("department_user", True),
        ("other_member", False),
        ("committee_member", False),
        ("administration_user", False),
    ],
)
def test_secret_paper_visible_only_to_its_bodies_and_department(
    client, request, secret_paper, role, visible
):
    client.force_login(request.getfixturevalue(role))

    detail = client.get(secret_paper.get_absolute_url())
    listing = client.get(LIST)

    assert detail.status_code == (200 if visible else 404)
    assert ("Vertrauliche Personalsache" in listing.content.decode()) is visible


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("department_user", 200),
        ("administration_user", 403),
        ("body_member", 403),
        ("committee_member", 403),
    ],
)
def test_paper_write_pages_by_role(client, request, role, status):
    paper = paper_of_department()
    client.force_login(request.getfixturevalue(role))

    for url in paper_routes(paper)[1:]:
        assert client.get(url).status_code == status, url
    expected_create = 200 if role in ("coordinator", "department_user") else 403
    assert client.get(reverse("minutes:paper_create")).status_code == expected_create


def test_paper_update_of_other_department_is_403_for_department_user(client, department_user):
    other = paper_of_department(lead_department=OrganisationFactory(kind="administration"))
    client.force_login(department_user)

    assert client.get(reverse("minutes:paper_update", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("minutes:paper_update", args=[other.pk]),
        {"kind": "motion", "title": "Übernommen", "date": "2026-11-02"},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title != "Übernommen"


# --- Detail -----------------------------------------------------------------------------


@pytest.fixture
def twistringen(coordinator, department, body):
    """Paper 2020/031 and its supplement 2020/031-1, treated as TOP Ö 5 on 15.10.2020."""
    author = PersonFactory(first_name="Anke", last_name="Raven")
    paper_of_department(year=2020, serial=30, date=datetime.date(2020, 3, 1))
    main = services.paper_create(
        by=coordinator,
        kind=Paper.Kind.INFORMATION,
        title="Integration",
        date=datetime.date(2020, 8, 20),
        lead_department=department,
        author=author,
    )
    supplement = services.paper_supplement_create(
        by=coordinator,
        main_paper=main,
        title="Stellenprofil für die Schaffung einer entsprechenden Stelle",
        date=datetime.date(2020, 10, 1),
    )
    meeting = MeetingFactory(
        body=body, date=datetime.date(2020, 10, 15), start_time=datetime.time(19, 0)
    )
    for _number in range(4):
        AgendaItemFactory(meeting=meeting)
    item = AgendaItemFactory(meeting=meeting, paper=supplement, title="Integration")
    ResolutionFactory(agenda_item=item, kind=Resolution.Kind.NOTED, vote="none")
    services.consultation_link(paper=supplement, agenda_item=item)
    return supplement


def test_paper_detail_shows_the_twistringen_paper(django_app, coordinator, twistringen):
    page = django_app.get(twistringen.get_absolute_url(), user=coordinator)

    text = page.html.get_text(" ", strip=True)
    assert "2020/031-1" in text
    assert "Mitteilungsvorlage" in text
    assert page.html.select_one(".paper-related").get_text(strip=True) == "2020/031"
    assert (
        page.html.select_one(".paper-related a")["href"]
        == twistringen.main_paper.get_absolute_url()
    )
    assert "Bezüglich" in text
    assert "Federführend FB II Familie & Soziales" in text
    assert "Bearbeiter/-in Raven, Anke" in text
    row = page.html.select_one(".paper-consultations tbody tr").get_text(" ", strip=True)
    assert "15.10.2020" in row
    assert "TOP Ö 5" in row
    assert "zur Kenntnis genommen" in row


def test_paper_detail_links_only_visible_related_papers(client, other_member):
    hidden = paper_of_department(year=2019, serial=114, is_public=False)
    shown = paper_of_department(year=2020, serial=31)
    paper = paper_of_department(year=2020, serial=40)
    paper.related_papers.set([hidden, shown])
    client.force_login(other_member)

    content = client.get(paper.get_absolute_url()).content.decode()

    assert "2020/031" in content
    assert "2019/114" not in content
    assert hidden.get_absolute_url() not in content


def test_paper_detail_hides_outcome_of_items_the_user_may_not_see(client, other_member):
    paper = paper_of_department(title="Öffentliche Vorlage")
    body = BodyFactory()
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper, is_public=False)
    ResolutionFactory(agenda_item=item, kind=Resolution.Kind.REJECTED)
    ConsultationFactory(paper=paper, body=body, agenda_item=item)
    client.force_login(other_member)

    page = client.get(paper.get_absolute_url()).content.decode()

    assert "nicht öffentlich" in page
    assert "abgelehnt" not in page.lower()
    assert item.get_absolute_url() not in page


def test_paper_detail_of_a_public_supplement_hides_a_secret_main_paper(
    client, coordinator, other_member
):
    main = paper_of_department(year=2020, serial=31, is_public=False, title="Interne Hauptvorlage")
    supplement = services.paper_supplement_create(
        by=coordinator,
        main_paper=main,
        title="Öffentliche Ergänzung",
        date=datetime.date(2020, 10, 1),
    )
    supplement.is_public = True
    supplement.save()
    client.force_login(other_member)

    page = client.get(supplement.get_absolute_url()).content.decode()

    assert "2020/031-1" in page
    assert "Interne Hauptvorlage" not in page
    assert main.get_absolute_url() not in page


def test_paper_detail_shows_draft_outcomes_only_to_the_body(
    client, body, body_member, other_member
):
    paper = paper_of_department(title="Öffentliche Vorlage")
    item = AgendaItemFactory(meeting=MeetingFactory(body=body, minutes_status="draft"), paper=paper)
    ResolutionFactory(agenda_item=item, kind=Resolution.Kind.REJECTED)
    ConsultationFactory(paper=paper, body=body, agenda_item=item)
    client.force_login(other_member)
    assert "abgelehnt" not in client.get(paper.get_absolute_url()).content.decode().lower()
    client.force_login(body_member)
    assert "abgelehnt" in client.get(paper.get_absolute_url()).content.decode().lower()


def test_paper_detail_marks_non_public_consultation_for_members(client, body, body_member):
    paper = paper_of_department()
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper, is_public=False)
    ResolutionFactory(agenda_item=item, kind=Resolution.Kind.ADOPTED)
    ConsultationFactory(paper=paper, body=body, agenda_item=item)
    client.force_login(body_member)

    page = client.get(paper.get_absolute_url()).content.decode()

    assert "nicht öffentlich" in page
    assert "N 1" in page
    assert item.get_absolute_url() in page


def test_paper_detail_query_count_is_constant(client, coordinator, django_assert_max_num_queries):
    def build(count):
        paper = paper_of_department()
        for index in range(count):
            body = BodyFactory()
            item = AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper)
            ResolutionFactory(agenda_item=item)
            ConsultationFactory(paper=paper, body=body, agenda_item=item, position=index)
            paper.related_papers.add(paper_of_department())
            services.paper_supplement_create(
                by=coordinator, main_paper=paper, title="E", date=paper.date
            )
        return paper

    small, large = build(1), build(8)
    client.force_login(coordinator)
    client.get(small.get_absolute_url())
    with django_assert_max_num_queries(20) as small_queries:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(small_queries)):
        assert client.get(large.get_absolute_url()).status_code == 200


# --- List -------------------------------------------------------------------------------


def test_paper_list_filters(client, coordinator, body):
    old = paper_of_department(year=2019, serial=114, title="Sprachkurse", kind="motion")
    new = paper_of_department(year=2020, serial=31, title="Stellenprofil", kind="information")
    ConsultationFactory(paper=new, body=body)
    other_lead = paper_of_department(
        year=2020, serial=32, title="Wohnungen", lead_department=OrganisationFactory()
    )
    client.force_login(coordinator)

    def titles(**query):
        response = client.get(LIST, query)
        return {paper.title for paper in response.context["object_list"]}

    assert titles(year="2019") == {old.title}
    assert titles(kind="information") == {new.title}
    assert titles(body=body.pk) == {new.title}
    assert titles(lead_department=other_lead.lead_department_id) == {other_lead.title}
    assert titles(q="2020/031") == {new.title}
    assert titles(q="2020/") == {new.title, other_lead.title}
    assert titles(q="sprach") == {old.title}


def test_paper_list_query_count_is_constant(client, coordinator, django_assert_max_num_queries):
    paper_of_department()
    client.force_login(coordinator)
    client.get(LIST)
    with django_assert_max_num_queries(15) as small:
        client.get(LIST)
    for _index in range(30):
        paper_of_department(author=PersonFactory())
    with django_assert_max_num_queries(len(small)):
        assert client.get(LIST).status_code == 200


def test_paper_edit_form_names_only_visible_related_papers(django_app, department_user, department):
    paper = paper_of_department(lead_department=department)
    secret = paper_of_department(
        year=2019, serial=7, is_public=False, lead_department=OrganisationFactory()
    )
    paper.related_papers.set([secret, paper_of_department(year=2019, serial=8)])
    page = django_app.get(reverse("minutes:paper_update", args=[paper.pk]), user=department_user)
    form = next(form for form in page.forms.values() if "related" in form.fields)
    assert form["related"].value == "2019/008"
    assert "2019/007" not in page.text
