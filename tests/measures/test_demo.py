"""The demo concept (seeded after the core and network demos) and the dashboard figures."""

import io
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from actors import demo as actors_demo
from actors.surveys import demo as surveys_demo
from integration.core import demo as core_demo
from integration.core.selectors import dashboard_figures
from measures import dashboard
from measures import demo as measures_demo
from measures.models import ConceptVersion, Goal, Measure, Responsibility, StatusUpdate
from measures.selectors.catalogue import version_compare

from .factories import ConceptVersionFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    core_demo.seed(scale=1, stdout=out)
    actors_demo.seed(scale=1, stdout=out)
    surveys_demo.seed(scale=1, stdout=out)
    return measures_demo.seed(scale=1, stdout=out)


def test_demo_seed_adopted_version_has_23_goals_and_88_measures(seeded):
    adopted = ConceptVersion.objects.get(label=measures_demo.ADOPTED_LABEL)
    assert adopted.status == ConceptVersion.Status.ADOPTED
    assert adopted.adopted_on.year == 2009
    assert Goal.objects.filter(version=adopted).count() == 23
    measures = Measure.objects.filter(goal__version=adopted)
    assert measures.count() == 88
    statuses = dict(measures.values_list("status").annotate(n=Count("pk")))
    assert statuses[Measure.Status.DONE] == 31
    assert statuses[Measure.Status.IN_PROGRESS] == 40
    assert not measures.filter(lead__isnull=True).exists()
    assert measures.filter(partners__isnull=False).distinct().count() > 70
    # Eight fields of action, each with goals.
    assert Goal.objects.filter(version=adopted).values("field_of_action").distinct().count() == 8


def test_demo_seed_status_updates_and_stale_measures(seeded):
    adopted = ConceptVersion.objects.get(label=measures_demo.ADOPTED_LABEL)
    updates = StatusUpdate.objects.filter(measure__goal__version=adopted)
    assert 200 <= updates.count() <= 500
    assert set(updates.values_list("author__username", flat=True)) == {
        "koordination",
        "verwaltung",
    }
    for measure in Measure.objects.filter(goal__version=adopted).prefetch_related("updates"):
        newest = measure.updates.all()[0]
        assert (newest.date, newest.status) == (measure.last_update_on, measure.status)
    open_statuses = [Measure.Status.IN_PROGRESS, Measure.Status.PLANNED]
    half_a_year_ago = timezone.localdate() - timedelta(days=183)
    stale = Measure.objects.filter(
        goal__version=adopted, status__in=open_statuses, last_update_on__lt=half_a_year_ago
    )
    assert 5 <= stale.count() <= 20


def test_demo_seed_revision_shares_keys_and_differs(seeded):
    adopted = ConceptVersion.objects.get(label=measures_demo.ADOPTED_LABEL)
    revision = ConceptVersion.objects.get(label=measures_demo.REVISION_LABEL)
    assert revision.status == ConceptVersion.Status.REVISION
    assert revision.based_on == adopted
    assert Measure.objects.filter(goal__version=revision).count() == 88 - 3 + 5
    assert not StatusUpdate.objects.filter(measure__goal__version=revision).exists()
    old_keys = set(Measure.objects.filter(goal__version=adopted).values_list("key", flat=True))
    new_keys = set(Measure.objects.filter(goal__version=revision).values_list("key", flat=True))
    assert (len(old_keys - new_keys), len(new_keys - old_keys)) == (3, 5)
    comparison = version_compare(old=adopted, new=revision)
    assert comparison is not None


def test_demo_seed_twice_is_idempotent(seeded):
    counts = (
        ConceptVersion.objects.count(),
        Goal.objects.count(),
        Measure.objects.count(),
        StatusUpdate.objects.count(),
        Responsibility.objects.count(),
    )
    again = measures_demo.seed(scale=1, stdout=io.StringIO())
    assert again == seeded
    assert counts == (
        ConceptVersion.objects.count(),
        Goal.objects.count(),
        Measure.objects.count(),
        StatusUpdate.objects.count(),
        Responsibility.objects.count(),
    )


def test_demo_seed_verwaltung_answers_for_fb2(seeded):
    responsibility = Responsibility.objects.get(user__username="verwaltung")
    assert responsibility.organisation.short_name == "FB II"
    adopted = ConceptVersion.objects.get(label=measures_demo.ADOPTED_LABEL)
    led = Measure.objects.filter(goal__version=adopted, lead=responsibility.organisation)
    assert led.count() >= 10


def _figures(user) -> dict[str, int]:
    return {str(figure.label): figure.value for figure in dashboard.figures(user=user)}


def test_dashboard_figures_count_the_current_version(
    coordinator, administration_user, committee_member, user_without_role
):
    old = ConceptVersionFactory(adopted_on="2009-06-25")
    MeasureFactory.create_batch(4, goal=GoalFactory(version=old))
    current = ConceptVersionFactory(concept=old.concept, adopted_on="2026-03-01")
    goal = GoalFactory(version=current)
    MeasureFactory(goal=goal, status=Measure.Status.DONE)
    MeasureFactory.create_batch(2, goal=goal, status=Measure.Status.IN_PROGRESS)
    expected = {"Maßnahmen des Konzepts": 3, "davon umgesetzt": 1, "davon in Umsetzung": 2}
    for user in (coordinator, administration_user, committee_member):
        assert _figures(user) == expected
    assert _figures(user_without_role) == {}
    labels = [str(figure.label) for figure in dashboard_figures(user=committee_member)]
    assert "Maßnahmen des Konzepts" in labels


def test_dashboard_figures_run_two_queries(coordinator, django_assert_max_num_queries):
    version = ConceptVersionFactory()
    for number in range(1, 6):
        MeasureFactory.create_batch(5, goal=GoalFactory(version=version, number=number))
    coordinator.has_perm("measures.view_measure")  # permissions cached beforehand
    with django_assert_max_num_queries(2):
        figures = dashboard.figures(user=coordinator)
    assert figures[0].value == 25


def test_demo_seed_links_survey_questions_to_measures(seeded):
    assert seeded["survey questions linked"] == 4
    measure = Measure.objects.get(
        title="Runder Tisch Integration", goal__version__status=ConceptVersion.Status.ADOPTED
    )
    assert [q.survey.title for q in measure.survey_questions.all()] == [surveys_demo.CLOSED_TITLE]
