"""Versions: starting a revision, adopting it, comparing two; their screens and roles."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.models import ConceptVersion, Goal, Measure, StatusUpdate
from measures.selectors import catalogue as selectors
from measures.services import catalogue as services

from ..actors.factories import OrganisationFactory, PersonFactory
from ..core.factories import FieldOfActionFactory
from ..utils import main_form
from .factories import (
    ConceptVersionFactory,
    GoalFactory,
    MeasureFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _adopted_catalogue():
    version = ConceptVersionFactory(label="Fassung 2009")
    field = FieldOfActionFactory(name="Sprache")
    goal = GoalFactory(version=version, number=3, title="Sprache fördern", field_of_action=field)
    measure = MeasureFactory(
        goal=goal,
        number=2,
        title="Sprachcafé",
        description="Wöchentlich im Bürgerhaus",
        target_group="Neuzugewanderte",
        contact=PersonFactory(),
        status=Measure.Status.IN_PROGRESS,
        priority=Measure.Priority.HIGH,
        start_on=date(2010, 1, 1),
        end_on=date(2012, 12, 31),
        estimated_cost=Decimal("1500.00"),
        funding_note="Integrationspauschale",
        last_update_on=date(2011, 5, 1),
    )
    measure.partners.set(OrganisationFactory.create_batch(2))
    StatusUpdateFactory.create_batch(2, measure=measure)
    MeasureFactory(goal=GoalFactory(version=version, number=4), number=1)
    return version, goal, measure


def test_version_revise_copies_catalogue_and_leaves_old_unchanged(coordinator):
    version, goal, measure = _adopted_catalogue()
    before = {m.pk: m.updated_at for m in Measure.objects.all()}

    revision = services.version_revise(by=coordinator, version=version)

    assert revision.status == ConceptVersion.Status.REVISION
    assert revision.based_on == version
    assert revision.label == "Fortschreibung von Fassung 2009"
    assert revision.goals.count() == 2
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    assert copy.pk != measure.pk
    assert copy.goal.key == goal.key
    assert copy.goal.field_of_action == goal.field_of_action
    for name in (
        "number",
        "title",
        "description",
        "target_group",
        "lead",
        "contact",
        "status",
        "priority",
        "start_on",
        "end_on",
        "estimated_cost",
        "funding_note",
        "last_update_on",
    ):
        assert getattr(copy, name) == getattr(measure, name), name
    assert set(copy.partners.all()) == set(measure.partners.all())
    # The timeline stays with the old version.
    assert not copy.updates.exists()
    assert StatusUpdate.objects.filter(measure=measure).count() == 2
    # The old version is untouched.
    version.refresh_from_db()
    assert version.status == ConceptVersion.Status.ADOPTED
    assert version.goals.count() == 2
    after = {m.pk: m.updated_at for m in Measure.objects.filter(goal__version=version)}
    assert after == before


def test_version_revise_only_once_per_concept(coordinator):
    version, *_ = _adopted_catalogue()
    services.version_revise(by=coordinator, version=version)
    with pytest.raises(ValidationError) as error:
        services.version_revise(by=coordinator, version=version)
    assert "bereits in Arbeit" in error.value.messages[0]
    assert version.concept.versions.count() == 2


def test_version_revise_refuses_a_revision(coordinator):
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    with pytest.raises(ValidationError):
        services.version_revise(by=coordinator, version=draft)


def _revise_queries(coordinator, count: int) -> int:
    version = ConceptVersionFactory()
    goals = GoalFactory.create_batch(5, version=version)
    partner = OrganisationFactory()
    for n in range(count):
        MeasureFactory(goal=goals[n % 5], number=n + 1).partners.add(partner)
    with CaptureQueriesContext(connection) as queries:
        revision = services.version_revise(by=coordinator, version=version)
    assert Measure.objects.filter(goal__version=revision).count() == count
    assert Measure.partners.through.objects.filter(measure__goal__version=revision).count() == count
    return len(queries)


def test_version_revise_copies_in_bulk(coordinator):
    small = _revise_queries(coordinator, 10)
    large = _revise_queries(coordinator, 150)
    # Only the database's batch size for bulk inserts may add a few statements.
    assert large - small <= 4


def test_version_adopt_makes_revision_read_only_and_current(coordinator):
    version, *_ = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    adopted = services.version_adopt(
        by=coordinator, version=revision, adopted_on=timezone.localdate(), adopted_by="Rat"
    )
    assert adopted.status == ConceptVersion.Status.ADOPTED
    assert selectors.concept_current_version(user=coordinator) == adopted
    with pytest.raises(ValidationError):
        services.version_adopt(by=coordinator, version=adopted, adopted_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.goal_create(by=coordinator, version=adopted, number=9, title="Neu")


def test_version_compare_lists_added_removed_changed(coordinator):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    services.measure_update(
        by=coordinator, measure=copy, title="Sprachcafé plus", status=Measure.Status.DONE
    )
    gone = Measure.objects.get(goal__version=revision, goal__number=4)
    gone.delete()
    new_goal = services.goal_create(by=coordinator, version=revision, number=5, title="Arbeit")
    services.measure_create(by=coordinator, goal=new_goal, number=1, title="Jobpaten")

    comparison = selectors.version_compare(old=version, new=revision)

    assert [d.new for d in comparison.goals_added] == [new_goal]
    assert comparison.goals_removed == []
    assert comparison.goals_changed == []
    assert [d.new.title for d in comparison.measures_added] == ["Jobpaten"]
    assert [d.old.code for d in comparison.measures_removed] == ["4.1"]
    (changed,) = comparison.measures_changed
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("Titel", "Sprachcafé", "Sprachcafé plus"),
        ("Status", "In Umsetzung", "Umgesetzt"),
    ]


def test_version_compare_same_catalogue_is_empty(coordinator):
    version, *_ = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    assert selectors.version_compare(old=version, new=revision).is_empty


# Screens


def test_version_revise_view_post_starts_revision(django_app, django_app_factory, coordinator):
    version, *_ = _adopted_catalogue()
    page = django_app.get(reverse("measures:version_detail", args=[version.pk]), user=coordinator)
    form = next(f for f in page.forms.values() if f.action.endswith("/revise/"))
    page = form.submit().follow()
    revision = ConceptVersion.objects.get(status=ConceptVersion.Status.REVISION)
    assert page.request.path == revision.get_absolute_url()
    assert "wurde gestartet" in page.text
    # A second start is refused with a message, not an error page.
    page = (
        django_app_factory(csrf_checks=False)
        .post(reverse("measures:version_revise", args=[version.pk]), user=coordinator)
        .follow()
    )
    assert "bereits in Arbeit" in page.text


def test_version_revise_view_is_post_only_and_for_coordination(
    django_app_factory, coordinator, administration_user
):
    django_app = django_app_factory(csrf_checks=False)
    version = ConceptVersionFactory()
    url = reverse("measures:version_revise", args=[version.pk])
    django_app.get(url, user=coordinator, status=405)
    django_app.post(url, user=administration_user, status=403)
    assert not ConceptVersion.objects.filter(status=ConceptVersion.Status.REVISION).exists()


def test_version_adopt_view_form(django_app, coordinator):
    version, *_ = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    page = django_app.get(reverse("measures:version_adopt", args=[revision.pk]), user=coordinator)
    form = main_form(page)
    form["adopted_on"] = "2026-03-12"
    form["adopted_by"] = "Rat, Beschluss 2026/17"
    page = form.submit().follow()
    revision.refresh_from_db()
    assert revision.status == ConceptVersion.Status.ADOPTED
    assert revision.adopted_on == date(2026, 3, 12)
    assert "wurde beschlossen" in page.text
    # Adopting again only shows a message.
    page = django_app.get(
        reverse("measures:version_adopt", args=[revision.pk]), user=coordinator
    ).follow()
    assert "bereits beschlossen" in page.text


def test_version_adopt_view_needs_a_date(django_app, coordinator):
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    page = django_app.get(reverse("measures:version_adopt", args=[draft.pk]), user=coordinator)
    page = main_form(page).submit()
    assert page.status_code == 200
    draft.refresh_from_db()
    assert draft.status == ConceptVersion.Status.REVISION


def test_version_compare_view_shows_changes(django_app, coordinator, committee_member):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    services.measure_update(by=coordinator, measure=copy, title="Sprachcafé plus")
    url = reverse("measures:version_compare", args=[version.pk, revision.pk])
    page = django_app.get(url, user=committee_member)
    changed = page.html.select_one(".compare-measures-changed")
    assert "Sprachcafé plus" in changed.text
    assert "Titel" in changed.text


def test_version_list_shows_counts(django_app, administration_user):
    version, *_ = _adopted_catalogue()
    page = django_app.get(reverse("measures:version_list"), user=administration_user)
    row = page.html.select("tbody tr")[0]
    cells = [cell.text.strip() for cell in row.select("td")]
    assert cells[3:5] == ["2", "2"]
    assert version.label in cells[0]


@pytest.mark.parametrize(
    ("name", "status"),
    [("version_list", 403), ("version_detail", 403), ("version_adopt", 403)],
)
def test_version_views_refuse_user_without_role(django_app, user_without_role, name, status):
    version = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    args = [] if name == "version_list" else [version.pk]
    django_app.get(
        reverse(name.join(["measures:", ""]), args=args), user=user_without_role, status=status
    )


def test_version_adopt_view_refused_for_committee(django_app, committee_member):
    draft = ConceptVersionFactory(status=ConceptVersion.Status.REVISION, adopted_on=None)
    url = reverse("measures:version_adopt", args=[draft.pk])
    django_app.get(url, user=committee_member, status=403)
    assert Goal.objects.count() == 0
