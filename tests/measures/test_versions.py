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
from measures.selectors.updates import current_version_ids
from measures.services import catalogue as services
from measures.services.updates import statusupdate_record

from ..actors.factories import OrganisationFactory, PersonFactory
from ..core.factories import FieldOfActionFactory
from ..utils import main_form
from .factories import (
    ConceptFactory,
    ConceptVersionFactory,
    GoalFactory,
    MeasureFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _adopted_catalogue():
    version = ConceptVersionFactory(label="Fassung 2009", adopted_on=date(2009, 6, 1))
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


# Status updates recorded while a revision is in progress


def test_version_adopt_carries_over_updates_recorded_during_revision(coordinator):
    version, _goal, measure = _adopted_catalogue()
    other = Measure.objects.get(goal__version=version, goal__number=4)
    revision = services.version_revise(by=coordinator, version=version)
    # Changed in the revision, no update on the old measure since: the revision's value stays.
    other_copy = Measure.objects.get(goal__version=revision, key=other.key)
    services.measure_update(by=coordinator, measure=other_copy, status=Measure.Status.DEFERRED)
    # The adopted version stays current: the department writes to the old measure.
    today = timezone.localdate()
    statusupdate_record(
        by=coordinator, measure=measure, date=today, status=Measure.Status.DONE, note="Fertig"
    )

    services.version_adopt(by=coordinator, version=revision, adopted_on=today)

    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    assert (copy.status, copy.last_update_on) == (Measure.Status.DONE, today)
    other_copy.refresh_from_db()
    assert (other_copy.status, other_copy.last_update_on) == (Measure.Status.DEFERRED, None)
    # The old version is not touched.
    measure.refresh_from_db()
    assert measure.goal.version_id == version.pk


def test_version_adopt_carries_over_an_update_dated_like_the_copy(coordinator):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    # Recorded during the revision, dated on the day the copy already has.
    statusupdate_record(
        by=coordinator,
        measure=measure,
        date=measure.last_update_on,
        status=Measure.Status.DEFERRED,
        note="Pausiert",
    )
    services.version_adopt(by=coordinator, version=revision, adopted_on=timezone.localdate())
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    assert copy.status == Measure.Status.DEFERRED


def test_version_adopt_keeps_newer_state_of_the_copy(coordinator):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    Measure.objects.filter(pk=copy.pk).update(
        status=Measure.Status.PERMANENT, last_update_on=date(2012, 1, 1)
    )
    services.version_adopt(by=coordinator, version=revision, adopted_on=timezone.localdate())
    copy.refresh_from_db()
    assert (copy.status, copy.last_update_on) == (Measure.Status.PERMANENT, date(2012, 1, 1))


def _adopt_queries(coordinator, count: int) -> int:
    version = ConceptVersionFactory(adopted_on=date(2020, 1, 1))
    goal = GoalFactory(version=version)
    measures = [MeasureFactory(goal=goal, number=n + 1) for n in range(count)]
    revision = services.version_revise(by=coordinator, version=version)
    for measure in measures:
        statusupdate_record(
            by=coordinator,
            measure=measure,
            date=timezone.localdate(),
            status=Measure.Status.DONE,
            note="Fertig",
        )
    with CaptureQueriesContext(connection) as queries:
        services.version_adopt(by=coordinator, version=revision, adopted_on=timezone.localdate())
    assert set(Measure.objects.filter(goal__version=revision).values_list("status", flat=True)) == {
        Measure.Status.DONE
    }
    return len(queries)


def test_version_adopt_carries_over_in_constant_queries(coordinator):
    assert _adopt_queries(coordinator, 2) == _adopt_queries(coordinator, 25)


def test_measure_timeline_spans_the_versions_of_the_concept(coordinator):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    today = timezone.localdate()
    newest = statusupdate_record(
        by=coordinator, measure=measure, date=today, status=Measure.Status.DONE, note="Fertig"
    )
    services.version_adopt(by=coordinator, version=revision, adopted_on=today)
    copy = Measure.objects.select_related("goal__version").get(
        goal__version=revision, key=measure.key
    )
    later = statusupdate_record(
        by=coordinator, measure=copy, date=today, status=Measure.Status.DONE, note="Abschluss"
    )
    MeasureFactory(goal=GoalFactory(version=ConceptVersionFactory()))  # another concept

    with CaptureQueriesContext(connection) as queries:
        timeline = selectors.measure_timeline(measure=copy)
        labels = [update.measure.goal.version.label for update in timeline]

    assert len(queries) == 1
    assert timeline[:2] == [later, newest]
    assert len(timeline) == 4
    assert labels[1:] == ["Fassung 2009"] * 3


def test_measure_detail_shows_updates_of_earlier_versions(django_app, coordinator):
    version, _goal, measure = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    services.version_adopt(by=coordinator, version=revision, adopted_on=timezone.localdate())
    copy = Measure.objects.get(goal__version=revision, key=measure.key)
    page = django_app.get(copy.get_absolute_url(), user=coordinator)
    entries = page.html.select(".measure-timeline li")
    assert len(entries) == 2
    assert all(e.select_one(".measure-timeline-version").text == "Fassung 2009" for e in entries)
    # In its own version the label is left out.
    page = django_app.get(measure.get_absolute_url(), user=coordinator)
    assert not page.html.select(".measure-timeline-version")


# The current version


def test_version_adopt_refuses_a_date_before_the_predecessor(coordinator):
    version, *_ = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    with pytest.raises(ValidationError) as error:
        services.version_adopt(by=coordinator, version=revision, adopted_on=date(2009, 5, 31))
    assert "Fassung 2009" in error.value.message_dict["adopted_on"][0]
    assert "nicht vor" in error.value.message_dict["adopted_on"][0]
    revision.refresh_from_db()
    assert revision.status == ConceptVersion.Status.REVISION
    # The same day is fine; the later-created version is then the current one.
    services.version_adopt(by=coordinator, version=revision, adopted_on=date(2009, 6, 1))
    assert selectors.concept_current_version(user=coordinator) == revision


def test_version_adopt_view_shows_the_date_error_at_the_field(django_app, coordinator):
    version, *_ = _adopted_catalogue()
    revision = services.version_revise(by=coordinator, version=version)
    page = django_app.get(reverse("measures:version_adopt", args=[revision.pk]), user=coordinator)
    form = main_form(page)
    form["adopted_on"] = "2008-01-01"
    page = form.submit()
    assert page.status_code == 200
    assert (
        "nicht vor"
        in page.html.select_one("#id_adopted_on").find_next(class_="invalid-feedback").text
    )


def test_version_revise_only_the_current_version(django_app, coordinator):
    concept = ConceptFactory()
    # Adoption dates out of the order of creation: the newest adoption is current.
    newest = ConceptVersionFactory(
        concept=concept, label="Fassung 2020", adopted_on=date(2020, 1, 1)
    )
    older = ConceptVersionFactory(
        concept=concept, label="Fassung 2015", adopted_on=date(2015, 1, 1)
    )
    assert selectors.concept_current_version(user=coordinator, concept=concept) == newest
    assert newest.pk in current_version_ids()

    with pytest.raises(ValidationError) as error:
        services.version_revise(by=coordinator, version=older)
    assert "aktuelle" in error.value.messages[0]
    page = django_app.get(older.get_absolute_url(), user=coordinator)
    assert "/revise/" not in page.text
    page = django_app.get(newest.get_absolute_url(), user=coordinator)
    assert reverse("measures:version_revise", args=[newest.pk]) in page.text
    assert services.version_revise(by=coordinator, version=newest).based_on == newest


def test_current_version_selectors_agree_on_equal_adoption_dates(coordinator):
    concept = ConceptFactory()
    first = ConceptVersionFactory(concept=concept, adopted_on=date(2020, 1, 1))
    second = ConceptVersionFactory(concept=concept, adopted_on=date(2020, 1, 1))
    assert selectors.concept_current_version(user=coordinator, concept=concept) == second
    # Created later wins, whatever the primary key says.
    ConceptVersion.objects.filter(pk=second.pk).update(
        created_at=first.created_at - timezone.timedelta(days=1)
    )
    assert selectors.concept_current_version(user=coordinator, concept=concept) == first
    assert first.pk in current_version_ids()
    assert second.pk not in current_version_ids()
