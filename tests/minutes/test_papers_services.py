"""Papers: references per year, supplements, related papers, edits, the Beratungsfolge."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from actors.models import Organisation
from minutes.models import Consultation, Paper
from minutes.selectors.papers import references_resolve
from minutes.services import papers as services

from ..actors.factories import OrganisationFactory, PersonFactory
from ..measures.factories import ResponsibilityFactory
from .factories import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    DepartmentFactory,
    MeetingFactory,
    paper_of_department,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def department_user(administration_user, department):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


def create(by, *, day=datetime.date(2020, 9, 1), **fields):
    fields.setdefault("kind", Paper.Kind.RESOLUTION_PROPOSAL)
    fields.setdefault("title", "Integration")
    return services.paper_create(by=by, date=day, **fields)


def test_paper_create_numbers_per_year(coordinator):
    first = create(coordinator, day=datetime.date(2020, 1, 7))
    second = create(coordinator, day=datetime.date(2020, 12, 30))
    next_year = create(coordinator, day=datetime.date(2021, 1, 4))

    assert [first.reference, second.reference, next_year.reference] == [
        "2020/001",
        "2020/002",
        "2021/001",
    ]


def test_paper_create_follows_the_highest_serial_of_the_year(coordinator):
    paper_of_department(year=2020, serial=30)
    paper_of_department(year=2019, serial=114)

    paper = create(coordinator)

    assert paper.reference == "2020/031"


def test_paper_supplement_create_numbers_per_main_paper(coordinator, department):
    author = PersonFactory(first_name="Anke", last_name="Raven")
    main = create(
        coordinator,
        kind=Paper.Kind.INFORMATION,
        lead_department=department,
        author=author,
    )

    first = services.paper_supplement_create(
        by=coordinator, main_paper=main, title="Stellenprofil", date=datetime.date(2020, 10, 1)
    )
    second = services.paper_supplement_create(
        by=coordinator, main_paper=main, title="Nachtrag", date=datetime.date(2021, 2, 1)
    )

    assert [first.reference, second.reference] == ["2020/001-1", "2020/001-2"]
    assert first.main_paper == main
    assert (first.kind, first.lead_department, first.author) == (
        Paper.Kind.INFORMATION,
        department,
        author,
    )
    assert list(first.related_papers.all()) == [main]


def test_paper_supplement_create_of_a_supplement_belongs_to_the_main_paper(coordinator):
    main = create(coordinator)
    first = services.paper_supplement_create(
        by=coordinator, main_paper=main, title="Ergänzung", date=main.date
    )

    second = services.paper_supplement_create(
        by=coordinator, main_paper=first, title="Ergänzung der Ergänzung", date=main.date
    )

    assert second.reference == "2020/001-2"
    assert second.main_paper == main
    assert main in second.related_papers.all()


def test_paper_supplement_create_keeps_chosen_related_papers(coordinator):
    main = create(coordinator)
    older = create(coordinator, day=datetime.date(2019, 5, 1))

    supplement = services.paper_supplement_create(
        by=coordinator, main_paper=main, title="E", date=main.date, related_papers=[older, main]
    )

    assert set(supplement.related_papers.all()) == {main, older}


def test_paper_create_by_department_user_only_for_own_department(department_user, department):
    paper = create(department_user, lead_department=department)
    assert paper.reference == "2020/001"

    other = OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION)
    with pytest.raises(ValidationError) as error:
        create(department_user, lead_department=other)
    assert "lead_department" in error.value.error_dict
    with pytest.raises(ValidationError):
        create(department_user)
    assert Paper.objects.count() == 1


def test_paper_create_by_administration_user_without_department_is_refused(
    administration_user,
):
    with pytest.raises(ValidationError):
        create(administration_user, lead_department=OrganisationFactory())


def test_paper_update_keeps_reference_and_checks_department(department_user, department):
    paper = create(department_user, lead_department=department)
    other = OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION)

    services.paper_update(
        by=department_user, paper=paper, title="Neu", date=datetime.date(2021, 3, 1)
    )
    with pytest.raises(ValidationError):
        services.paper_update(by=department_user, paper=paper, lead_department=other)

    paper.refresh_from_db()
    assert (paper.reference, paper.title, paper.lead_department) == ("2020/001", "Neu", department)


def test_paper_update_refuses_itself_as_related(coordinator):
    paper = create(coordinator)
    with pytest.raises(ValidationError):
        services.paper_update(by=coordinator, paper=paper, related_papers=[paper])


def test_paper_update_keeps_the_main_paper_related(coordinator):
    main = create(coordinator)
    supplement = services.paper_supplement_create(
        by=coordinator, main_paper=main, title="E", date=main.date
    )

    services.paper_update(by=coordinator, paper=supplement, related_papers=[])

    assert list(supplement.related_papers.all()) == [main]


def test_paper_update_keeps_links_to_papers_the_editor_may_not_see(
    department_user, department, coordinator
):
    paper = create(department_user, lead_department=department)
    secret = paper_of_department(
        year=2019, serial=7, is_public=False, lead_department=OrganisationFactory()
    )
    shown = paper_of_department(year=2019, serial=8)
    paper.related_papers.set([secret])

    services.paper_update(by=department_user, paper=paper, related_papers=[shown])

    assert set(paper.related_papers.all()) == {secret, shown}


def test_references_resolve_finds_typed_references(coordinator):
    first = paper_of_department(year=2020, serial=31)
    second = paper_of_department(year=2019, serial=114)

    papers = references_resolve(user=coordinator, text="2020/031, 2019/114; 2020/31")

    assert papers == [first, second]


def test_references_resolve_names_unknown_and_malformed_in_german(coordinator):
    paper_of_department(year=2020, serial=31)

    with pytest.raises(ValidationError) as error:
        references_resolve(user=coordinator, text="2020/031, 2020/099, Vorlage")

    messages = " ".join(error.value.messages)
    assert "2020/099" in messages
    assert "Vorlage" in messages
    assert "2020/031," not in messages


def test_references_resolve_does_not_find_invisible_papers(committee_member):
    paper_of_department(year=2020, serial=31, is_public=False)

    with pytest.raises(ValidationError):
        references_resolve(user=committee_member, text="2020/031")


# --- Beratungsfolge ---------------------------------------------------------------------


def test_consultations_save_adds_reorders_and_removes(coordinator):
    paper = paper_of_department()
    council, committee, staff = BodyFactory(), BodyFactory(), BodyFactory()
    first = ConsultationFactory(paper=paper, body=committee, position=1)
    second = ConsultationFactory(paper=paper, body=council, position=2)

    services.consultations_save(
        by=coordinator,
        paper=paper,
        entries=[
            services.ConsultationEntry(body=council, role="decision", consultation=second),
            services.ConsultationEntry(body=staff, role="preliminary"),
            services.ConsultationEntry(
                body=committee, role="decision", consultation=first, delete=True
            ),
        ],
    )

    rows = list(paper.consultations.order_by("position").values_list("body", "position", "role"))
    assert rows == [(council.pk, 1, "decision"), (staff.pk, 2, "preliminary")]


def test_consultations_save_keeps_scheduled_consultations(coordinator):
    paper = paper_of_department()
    item = AgendaItemFactory(paper=paper)
    consultation = ConsultationFactory(paper=paper, body=item.meeting.body, agenda_item=item)

    with pytest.raises(ValidationError):
        services.consultations_save(
            by=coordinator,
            paper=paper,
            entries=[
                services.ConsultationEntry(
                    body=consultation.body, role="decision", consultation=consultation, delete=True
                )
            ],
        )
    with pytest.raises(ValidationError):
        services.consultations_save(
            by=coordinator,
            paper=paper,
            entries=[
                services.ConsultationEntry(
                    body=BodyFactory(), role="decision", consultation=consultation
                )
            ],
        )
    assert Consultation.objects.get().body == item.meeting.body


def test_consultations_save_needs_the_department(department_user):
    paper = paper_of_department(lead_department=OrganisationFactory(kind="administration"))
    with pytest.raises(ValidationError):
        services.consultations_save(
            by=department_user,
            paper=paper,
            entries=[services.ConsultationEntry(body=BodyFactory(), role="decision")],
        )


def test_consultation_link_takes_the_first_open_consultation_of_the_body():
    paper = paper_of_department()
    body = BodyFactory()
    done_item = AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper)
    ConsultationFactory(paper=paper, body=body, position=1, agenda_item=done_item)
    open_one = ConsultationFactory(paper=paper, body=body, position=3)
    ConsultationFactory(paper=paper, body=BodyFactory(), position=2)
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), paper=paper)

    linked = services.consultation_link(paper=paper, agenda_item=item)
    again = services.consultation_link(paper=paper, agenda_item=item)

    assert linked == open_one == again
    assert linked.agenda_item == item


def test_consultation_link_adds_a_consultation_when_none_is_open():
    paper = paper_of_department(kind=Paper.Kind.INFORMATION)
    ConsultationFactory(paper=paper, position=1)
    item = AgendaItemFactory(paper=paper)

    linked = services.consultation_link(paper=paper, agenda_item=item)

    assert (linked.body, linked.position, linked.role) == (item.meeting.body, 2, "information")


def test_consultation_link_moves_an_item_to_another_paper_and_unlink_releases_it():
    first, second = paper_of_department(), paper_of_department()
    item = AgendaItemFactory(paper=first)
    old = services.consultation_link(paper=first, agenda_item=item)

    new = services.consultation_link(paper=second, agenda_item=item)
    services.consultation_unlink(agenda_item=item)

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.agenda_item is None
    assert new.agenda_item is None
    assert new.paper == second
