"""Services and selectors of the catalogue: edit rules, numbers, filters, query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from measures.filters import MeasureFilterSet
from measures.models import ConceptVersion, Measure
from measures.selectors import catalogue as selectors
from measures.services import catalogue as services

from ..actors.factories import OrganisationFactory
from ..core.factories import FieldOfActionFactory
from .factories import ConceptFactory, ConceptVersionFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def _revision(**kwargs):
    return ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None, **kwargs)


def test_concept_create_makes_an_editable_first_draft(coordinator):
    concept = services.concept_create(by=coordinator, title="Konzept", label="Entwurf 2026")
    draft = concept.versions.get()
    assert draft.is_editable
    assert draft.based_on is None
    goal = services.goal_create(by=coordinator, version=draft, number=1, title="Sprache")
    assert goal.version == draft


def test_goal_create_in_adopted_version_is_refused_in_german(coordinator):
    version = ConceptVersionFactory()
    with pytest.raises(ValidationError) as error:
        services.goal_create(by=coordinator, version=version, number=1, title="Sprache")
    assert "beschlossen" in error.value.messages[0]
    assert not version.goals.exists()


def test_goal_and_measure_update_in_adopted_version_are_refused(coordinator):
    measure = MeasureFactory(title="Alt")
    with pytest.raises(ValidationError):
        services.goal_update(by=coordinator, goal=measure.goal, title="Neu")
    with pytest.raises(ValidationError):
        services.measure_update(by=coordinator, measure=measure, title="Neu")
    with pytest.raises(ValidationError):
        services.measure_create(by=coordinator, goal=measure.goal, number=9, title="Neu")
    measure.refresh_from_db()
    assert measure.title == "Alt"


def test_goal_number_unique_per_version_with_german_message(coordinator):
    version = _revision()
    services.goal_create(by=coordinator, version=version, number=1, title="Sprache")
    with pytest.raises(ValidationError) as error:
        services.goal_create(by=coordinator, version=version, number=1, title="Arbeit")
    assert "Diese Fassung hat bereits ein Ziel mit dieser Nummer." in error.value.messages


def test_measure_number_unique_per_goal_with_german_message(coordinator):
    goal = GoalFactory(version=_revision())
    services.measure_create(by=coordinator, goal=goal, number=1, title="Sprachcafé")
    with pytest.raises(ValidationError) as error:
        services.measure_create(by=coordinator, goal=goal, number=1, title="Lotsen")
    assert "Dieses Ziel hat bereits eine Maßnahme mit dieser Nummer." in error.value.messages


def test_measure_create_sets_partners_and_update_moves_within_version(coordinator):
    version = _revision()
    goal, other_goal = GoalFactory(version=version), GoalFactory(version=version)
    partners = OrganisationFactory.create_batch(2)
    measure = services.measure_create(
        by=coordinator, goal=goal, number=1, title="Sprachcafé", partners=partners
    )
    assert set(measure.partners.all()) == set(partners)
    services.measure_update(by=coordinator, measure=measure, goal=other_goal, partners=[])
    measure.refresh_from_db()
    assert measure.goal == other_goal
    assert not measure.partners.exists()


def test_measure_update_refuses_goal_of_other_version(coordinator):
    measure = MeasureFactory(goal=GoalFactory(version=_revision()))
    foreign = GoalFactory(version=_revision())
    with pytest.raises(ValidationError) as error:
        services.measure_update(by=coordinator, measure=measure, goal=foreign)
    assert "goal" in error.value.message_dict


def test_measure_dates_in_order(coordinator):
    goal = GoalFactory(version=_revision())
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.measure_create(
            by=coordinator,
            goal=goal,
            number=1,
            title="X",
            start_on=today,
            end_on=today - timedelta(days=1),
        )


# Selectors


def test_concept_current_version_prefers_newest_adopted_then_revision(coordinator):
    concept = ConceptFactory()
    today = timezone.localdate()
    draft = _revision(concept=concept)
    assert selectors.concept_current_version(user=coordinator, concept=concept) == draft
    ConceptVersionFactory(concept=concept, adopted_on=today - timedelta(days=400))
    newest = ConceptVersionFactory(concept=concept, adopted_on=today - timedelta(days=10))
    assert selectors.concept_current_version(user=coordinator) == newest


def test_concept_current_version_none_without_permission(user_without_role):
    ConceptVersionFactory()
    assert selectors.concept_current_version(user=user_without_role) is None


def _catalogue(version, user, **data):
    filterset = MeasureFilterSet(data or None, queryset=selectors.measures_visible_to(user=user))
    filtered = filterset.is_bound and filterset.is_valid() and filterset.is_filtered
    return selectors.catalogue_data(version=version, measures=filterset.qs, filtered=filtered)


def test_catalogue_groups_by_field_and_goal_and_counts(coordinator):
    version = ConceptVersionFactory()
    language = FieldOfActionFactory(name="Sprache", position=1)
    work = FieldOfActionFactory(name="Arbeit", position=2)
    g1 = GoalFactory(version=version, number=1, field_of_action=work)
    g2 = GoalFactory(version=version, number=2, field_of_action=language)
    g3 = GoalFactory(version=version, number=3, field_of_action=None)
    MeasureFactory(goal=g1, number=2, status=Measure.Status.DONE)
    MeasureFactory(goal=g1, number=1, status=Measure.Status.IN_PROGRESS)
    MeasureFactory(goal=g2, number=1, status=Measure.Status.DONE)
    MeasureFactory()  # another version

    catalogue = _catalogue(version, coordinator)
    assert [entry.field for entry in catalogue.fields] == [language, work, None]
    assert [item.goal for item in catalogue.fields[1].goals] == [g1]
    assert [m.code for m in catalogue.fields[1].goals[0].measures] == ["1.1", "1.2"]
    assert catalogue.fields[2].goals[0].goal == g3  # listed although empty
    assert catalogue.total == 3
    assert catalogue.counts_line == "3 Maßnahmen: 1 In Umsetzung, 2 Umgesetzt"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"status": "done"}, ["1.2"]),
        ({"overdue": "yes"}, ["1.1"]),
        ({"q": "sprachcafé"}, ["1.3"]),
        ({"q": "1.2"}, ["1.2"]),
        ({"q": "caritas"}, ["1.1"]),
    ],
)
def test_catalogue_filters(coordinator, data, expected):
    version = ConceptVersionFactory()
    goal = GoalFactory(version=version, number=1)
    past = timezone.localdate() - timedelta(days=1)
    caritas = OrganisationFactory(name="Caritasverband")
    MeasureFactory(goal=goal, number=1, end_on=past, title="Lotsen", lead=caritas)
    MeasureFactory(goal=goal, number=2, end_on=past, status=Measure.Status.DONE, title="Kurse")
    MeasureFactory(goal=goal, number=3, title="Sprachcafé ausbauen")
    catalogue = _catalogue(version, coordinator, **data)
    codes = [m.code for entry in catalogue.fields for item in entry.goals for m in item.measures]
    assert codes == expected


def test_catalogue_filter_by_lead_and_field_hides_empty_goals(coordinator):
    version = ConceptVersionFactory()
    field = FieldOfActionFactory()
    lead = OrganisationFactory()
    hit = MeasureFactory(goal=GoalFactory(version=version, field_of_action=field), lead=lead)
    GoalFactory(version=version, field_of_action=field)
    catalogue = _catalogue(version, coordinator, lead=lead.pk, field_of_action=field.pk)
    assert [item.goal for item in catalogue.fields[0].goals] == [hit.goal]


def _seed(version, count):
    goals = [GoalFactory(version=version, number=n + 1) for n in range(5)]
    for n in range(count):
        MeasureFactory(goal=goals[n % 5], number=n + 1)


@pytest.mark.parametrize("count", [10, 100])
def test_catalogue_data_query_count_constant(coordinator, django_assert_num_queries, count):
    version = ConceptVersionFactory()
    _seed(version, count)
    coordinator.has_perm("measures.view_measure")  # permission cache filled
    with django_assert_num_queries(2):
        catalogue = _catalogue(version, coordinator)
        assert catalogue.total == count
        assert all(m.code for e in catalogue.fields for g in e.goals for m in g.measures)
        assert all(str(m.lead) for e in catalogue.fields for g in e.goals for m in g.measures)


def test_measure_update_of_a_first_draft_puts_a_status_change_into_the_timeline(coordinator):
    # Before any adoption the draft is the current version: its status is the Umsetzungsstand.
    measure = MeasureFactory(goal=GoalFactory(version=_revision()), status=Measure.Status.PLANNED)
    services.measure_update(by=coordinator, measure=measure, status=Measure.Status.IN_PROGRESS)
    update = measure.updates.get()
    assert (update.status, update.author, update.date) == (
        Measure.Status.IN_PROGRESS,
        coordinator,
        timezone.localdate(),
    )
    assert update.note == "Status im Katalog geändert von „Geplant“ zu „In Umsetzung“."
    measure.refresh_from_db()
    assert measure.last_update_on == timezone.localdate()


def test_measure_update_of_a_revision_beside_an_adopted_version_leaves_the_timeline(coordinator):
    adopted = ConceptVersionFactory()
    revision = ConceptVersionFactory(
        concept=adopted.concept,
        status=ConceptVersion.Status.REVISION,
        adopted_on=None,
        based_on=adopted,
    )
    measure = MeasureFactory(goal=GoalFactory(version=revision), status=Measure.Status.PLANNED)
    services.measure_update(by=coordinator, measure=measure, status=Measure.Status.DEFERRED)
    assert not measure.updates.exists()
    services.measure_update(by=coordinator, measure=measure, title="Neuer Titel")
    assert not measure.updates.exists()
