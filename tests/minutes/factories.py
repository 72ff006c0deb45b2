import datetime

import factory
from factory.django import DjangoModelFactory

from minutes.models import (
    AgendaItem,
    Attendance,
    Body,
    Consultation,
    FollowUpTask,
    Location,
    Meeting,
    Membership,
    Paper,
    Resolution,
)

from ..actors.factories import OrganisationFactory, PersonFactory


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Ausschuss für Soziales {n}")
    kind = Body.Kind.COMMITTEE
    is_public = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    body = factory.SubFactory(BodyFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER
    start_date = datetime.date(2020, 11, 1)


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    room = "Ratssaal"
    street_address = "Markt 1"
    postal_code = "12345"
    locality = "Wiesenbrück"


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    date = datetime.date(2026, 12, 3)
    start_time = datetime.time(18, 0)
    location = factory.SubFactory(LocationFactory)
    status = Meeting.Status.PLANNED


class PaperFactory(DjangoModelFactory):
    """A main paper with the next serial of its year; supplements come from the service."""

    class Meta:
        model = Paper

    year = 2026
    serial = factory.Sequence(lambda n: n + 1)
    kind = Paper.Kind.RESOLUTION_PROPOSAL
    title = factory.Sequence(lambda n: f"Vorlage {n}")
    text = "Sachverhalt der Vorlage."
    date = datetime.date(2026, 11, 2)
    lead_department = factory.SubFactory("tests.minutes.factories.DepartmentFactory")
    is_public = True


class AgendaItemFactory(DjangoModelFactory):
    """Position and number follow the creation order within the meeting; use the
    agenda service where numbering itself is under test."""

    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.LazyAttribute(lambda item: item.meeting.agenda_items.count() + 1)
    number = factory.LazyAttribute(
        lambda item: item.meeting.agenda_items.filter(is_public=item.is_public).count() + 1
    )
    is_public = True
    title = factory.Sequence(lambda n: f"Tagesordnungspunkt {n}")


class ConsultationFactory(DjangoModelFactory):
    class Meta:
        model = Consultation

    paper = factory.SubFactory(PaperFactory)
    body = factory.SubFactory(BodyFactory)
    position = 1
    role = Consultation.Role.DECISION


class ResolutionFactory(DjangoModelFactory):
    class Meta:
        model = Resolution

    agenda_item = factory.SubFactory(AgendaItemFactory)
    kind = Resolution.Kind.ADOPTED
    text = "Der Ausschuss beschließt wie vorgeschlagen."
    vote = Resolution.Vote.UNANIMOUS


class FollowUpTaskFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    agenda_item = factory.SubFactory(AgendaItemFactory)
    title = factory.Sequence(lambda n: f"Arbeitsauftrag {n}")
    owner_person = factory.SubFactory(PersonFactory)
    due_on = datetime.date(2026, 12, 31)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    status = Attendance.Status.PRESENT


class DepartmentFactory(OrganisationFactory):
    """A department of the administration; the same name gives the same row
    (organisation names are unique)."""

    class Meta:
        django_get_or_create = ("name",)

    name = "FB II Familie & Soziales"
    kind = "administration"


def paper_of_department(**fields):
    """A PaperFactory paper whose lead is the shared department unless one is given
    (PaperFactory's own SubFactory creates a second organisation of the same name)."""
    fields.setdefault("lead_department", DepartmentFactory())
    return PaperFactory(**fields)
