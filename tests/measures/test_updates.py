"""Status updates: who may record them (only the leads, the coordination; current versions),
and what they change on the measure."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors.models import Organisation
from measures.models import ConceptVersion, Measure, StatusUpdate
from measures.selectors.updates import can_update, current_version_ids
from measures.services.updates import statusupdate_record

from ..actors.factories import OrganisationFactory
from .factories import (
    ConceptFactory,
    ConceptVersionFactory,
    GoalFactory,
    MeasureFactory,
    ResponsibilityFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return OrganisationFactory(
        name="FB II Familie & Soziales", kind=Organisation.Kind.ADMINISTRATION
    )


@pytest.fixture
def measure(department):
    return MeasureFactory(lead=department)


@pytest.fixture
def lead_user(administration_user, department):
    ResponsibilityFactory(user=administration_user, organisation=department)
    return administration_user


def record(by, measure, **kwargs):
    values = {
        "date": timezone.localdate(),
        "status": Measure.Status.IN_PROGRESS,
        "note": "Sprachcafé läuft wöchentlich.",
    } | kwargs
    return statusupdate_record(by=by, measure=measure, **values)


# --- Current version ---------------------------------------------------------------


def test_current_version_ids_newest_adopted_else_revision():
    concept = ConceptFactory()
    today = timezone.localdate()
    old = ConceptVersionFactory(concept=concept, adopted_on=today - timedelta(days=4000))
    new = ConceptVersionFactory(concept=concept, adopted_on=today - timedelta(days=10))
    revision = ConceptVersionFactory(
        concept=concept, status=ConceptVersion.Status.REVISION, adopted_on=None, based_on=new
    )
    draft_only = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)

    ids = current_version_ids()

    assert new.pk in ids
    assert draft_only.pk in ids
    assert old.pk not in ids
    assert revision.pk not in ids


# --- can_update ------------------------------------------------------------------------


def test_can_update_lead_department_may(lead_user, measure):
    assert can_update(user=lead_user, measure=measure)


def test_can_update_other_department_may_not(lead_user):
    other = MeasureFactory(lead=OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION))

    assert not can_update(user=lead_user, measure=other)


def test_can_update_administration_without_responsibility_may_not(administration_user, measure):
    assert not can_update(user=administration_user, measure=measure)


def test_can_update_measure_without_lead_only_coordinator(lead_user, coordinator):
    measure = MeasureFactory(lead=None)

    assert not can_update(user=lead_user, measure=measure)
    assert can_update(user=coordinator, measure=measure)


def test_can_update_coordinator_any_measure_of_current_version(coordinator, measure):
    assert can_update(user=coordinator, measure=measure)


@pytest.mark.parametrize("role", ["committee_member", "user_without_role"])
def test_can_update_other_roles_never(role, request, measure, department):
    user = request.getfixturevalue(role)
    ResponsibilityFactory(user=user, organisation=department)

    assert not can_update(user=user, measure=measure)


def test_can_update_old_version_read_only_for_everyone(coordinator, lead_user, department):
    concept = ConceptFactory()
    today = timezone.localdate()
    old = ConceptVersionFactory(concept=concept, adopted_on=today - timedelta(days=400))
    ConceptVersionFactory(concept=concept, adopted_on=today)
    old_measure = MeasureFactory(goal=GoalFactory(version=old), lead=department)

    assert not can_update(user=coordinator, measure=old_measure)
    assert not can_update(user=lead_user, measure=old_measure)


def test_can_update_revision_counts_only_while_nothing_is_adopted(coordinator, department):
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    draft_measure = MeasureFactory(goal=GoalFactory(version=draft), lead=department)
    adopted = ConceptVersionFactory()
    revision = ConceptVersionFactory(
        concept=adopted.concept,
        status=ConceptVersion.Status.REVISION,
        adopted_on=None,
        based_on=adopted,
    )
    revision_measure = MeasureFactory(goal=GoalFactory(version=revision), lead=department)

    assert can_update(user=coordinator, measure=draft_measure)
    assert not can_update(user=coordinator, measure=revision_measure)


# --- statusupdate_record -----------------------------------------------------------


def test_statusupdate_record_sets_status_and_last_update_on(lead_user, measure):
    day = timezone.localdate() - timedelta(days=2)

    update = record(lead_user, measure, date=day, status=Measure.Status.DONE)

    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert measure.last_update_on == day
    assert update.author == lead_user
    assert update.note == "Sprachcafé läuft wöchentlich."
    assert list(measure.updates.all()) == [update]


def test_statusupdate_record_backdated_joins_timeline_keeps_newer_status(lead_user, measure):
    today = timezone.localdate()
    record(lead_user, measure, date=today, status=Measure.Status.DONE)

    record(lead_user, measure, date=today - timedelta(days=30), status=Measure.Status.PLANNED)

    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert measure.last_update_on == today
    assert measure.updates.count() == 2


def test_statusupdate_record_coordinator_any_measure(coordinator, measure):
    record(coordinator, measure, status=Measure.Status.DEFERRED)

    measure.refresh_from_db()
    assert measure.status == Measure.Status.DEFERRED


def test_statusupdate_record_other_department_is_refused(lead_user):
    other = MeasureFactory(lead=OrganisationFactory(kind=Organisation.Kind.ADMINISTRATION))

    with pytest.raises(ValidationError) as error:
        record(lead_user, other)

    assert error.value.code == "not_permitted"
    assert not StatusUpdate.objects.exists()
    other.refresh_from_db()
    assert other.last_update_on is None


def test_statusupdate_record_without_responsibility_is_refused(administration_user, measure):
    with pytest.raises(ValidationError):
        record(administration_user, measure)

    assert not StatusUpdate.objects.exists()


def test_statusupdate_record_old_version_is_refused(coordinator, department):
    concept = ConceptFactory()
    old = ConceptVersionFactory(concept=concept, adopted_on=timezone.localdate() - timedelta(400))
    ConceptVersionFactory(concept=concept)
    old_measure = MeasureFactory(goal=GoalFactory(version=old), lead=department)

    with pytest.raises(ValidationError):
        record(coordinator, old_measure)

    assert not StatusUpdate.objects.exists()


def test_statusupdate_record_future_date_is_refused(lead_user, measure):
    with pytest.raises(ValidationError) as error:
        record(lead_user, measure, date=timezone.localdate() + timedelta(days=1))

    assert "date" in error.value.error_dict
    assert not StatusUpdate.objects.exists()


def test_statusupdate_record_blank_note_is_refused(lead_user, measure):
    with pytest.raises(ValidationError) as error:
        record(lead_user, measure, note="   ")

    assert "note" in error.value.error_dict
    measure.refresh_from_db()
    assert measure.last_update_on is None


def test_statusupdate_record_unknown_status_is_refused(lead_user, measure):
    with pytest.raises(ValidationError) as error:
        record(lead_user, measure, status="finished")

    assert "status" in error.value.error_dict
    assert not StatusUpdate.objects.exists()
