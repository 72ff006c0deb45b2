"""Demo concept of Wiesenbrück: the catalogue of 2009 and its Fortschreibung 2026.

Like Oelde's concept of 2008/2009: 23 goals and 88 measures over the eight
fields of action, led by departments of the administration and by the
network's organisations, with status updates since 2010, some of them stale.
The revision "Fortschreibung 2026" copies the catalogue (keys shared) and
changes a few measures, so that the comparison shows something. Idempotent:
the concept is matched by its title and created once; fast (bulk inserts).
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from actors.models import Affiliation, Organisation
from actors.services import network
from integration.core.models import FieldOfAction, User

from ..models import Concept, ConceptVersion, Goal, Measure, Responsibility, StatusUpdate
from . import funding as funding_demo
from . import links as links_demo
from . import monitoring as monitoring_demo
from . import positions as positions_demo
from .catalogue import CATALOGUE, DEPARTMENTS, NOTES, REVISION

TITLE = "Integrationskonzept der Stadt Wiesenbrück"
ADOPTED_LABEL = "Integrationskonzept 2009"
REVISION_LABEL = "Fortschreibung 2026"
S = Measure.Status
# 88 measures: 31 umgesetzt, 40 in Umsetzung, 9 dauerhaft, 4 geplant, 2 zurückgestellt, 2 verworfen.
STATUSES = [S.DONE] * 31 + [S.IN_PROGRESS] * 40 + [S.PERMANENT] * 9
STATUSES += [S.PLANNED] * 4 + [S.DEFERRED] * 2 + [S.DISCARDED] * 2
COSTS = [None, None, None, 1500, 2500, 4800, 8000, 12000, 25000, 60000]
# What a revision copies of a measure (besides goal and key), as the catalogue service does.
COPIED_FIELDS = (
    "number",
    "title",
    "description",
    "target_group",
    "lead_id",
    "contact_id",
    "status",
    "priority",
    "start_on",
    "end_on",
    "estimated_cost",
    "funding_note",
    "last_update_on",
)
FUNDING = ["", "", "Eigenmittel", "Integrationspauschale NRW", "KOMM-AN NRW", "Landesmittel"]


def _departments() -> None:
    """The departments the catalogue names beyond the network's demo organisations."""
    existing = set(Organisation.objects.values_list("short_name", flat=True))
    for name, short in DEPARTMENTS:
        if short not in existing:
            network.organisation_create(
                by=None,
                name=name,
                short_name=short,
                kind=Organisation.Kind.ADMINISTRATION,
                street="Marktplatz 1",
                postal_code="49999",
                city="Wiesenbrück",
            )


def _organisations() -> dict[str, Organisation]:
    found = {}
    for organisation in Organisation.objects.all():
        found.setdefault(organisation.name, organisation)
        if organisation.short_name:
            found.setdefault(organisation.short_name, organisation)
    return found


def _contacts() -> dict[int, int]:
    """One contact person per organisation (the first affiliated), by organisation id."""
    contacts: dict[int, int] = {}
    pairs = Affiliation.objects.order_by("pk").values_list("organisation_id", "person_id")
    for organisation_id, person_id in pairs:
        contacts.setdefault(organisation_id, person_id)
    return contacts


def _updates(measure: Measure, rng: random.Random, today: date, authors, stale: bool):
    """The measure's timeline: from planned over in progress to its current status."""
    start = measure.start_on
    path = {
        S.PLANNED: [S.PLANNED],
        S.IN_PROGRESS: [S.PLANNED, S.IN_PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS],
        S.DONE: [S.IN_PROGRESS, S.IN_PROGRESS, S.DONE],
        S.PERMANENT: [S.IN_PROGRESS, S.PERMANENT, S.PERMANENT, S.PERMANENT],
        S.DEFERRED: [S.PLANNED, S.DEFERRED],
        S.DISCARDED: [S.PLANNED, S.DISCARDED],
    }[measure.status]
    count = rng.randint(max(1, len(path) - 1), len(path) + 1)
    # The earlier steps follow the path; the newest sets the measure's status.
    before = path[:-1] or path
    steps = [before[min(i, len(before) - 1)] for i in range(count - 1)] + [measure.status]
    last = today - timedelta(days=rng.randint(250, 900) if stale else rng.randint(3, 150))
    if measure.status == S.DONE and measure.end_on and measure.end_on < last:
        last = measure.end_on
    span = max((last - start).days, count)
    days = [*sorted(rng.sample(range(span), count - 1)), span]
    return [
        StatusUpdate(
            measure=measure,
            date=start + timedelta(days=offset),
            status=status,
            note=rng.choice(NOTES[status]),
            author=authors[0]
            if measure.lead and measure.lead.short_name == "FB II"
            else authors[1],
        )
        for offset, status in zip(days, steps, strict=True)
    ]


def _adopted(concept: Concept, rng: random.Random, today: date, authors) -> ConceptVersion:
    version = ConceptVersion.objects.create(
        concept=concept,
        label=ADOPTED_LABEL,
        status=ConceptVersion.Status.ADOPTED,
        adopted_on=date(2009, 6, 25),
        adopted_by="Rat der Stadt Wiesenbrück, Beschluss 2009/114",
    )
    fields = {f.name: f for f in FieldOfAction.objects.all()}
    organisations = _organisations()
    contacts = _contacts()
    goals, specs = [], []
    for field_name, goal_specs in CATALOGUE:
        for title, description, measures in goal_specs:
            goal = Goal(
                version=version,
                number=len(goals) + 1,
                title=title,
                description=description,
                field_of_action=fields.get(field_name),
            )
            goals.append(goal)
            specs.append(measures)
    Goal.objects.bulk_create(goals)
    statuses = STATUSES[:]
    rng.shuffle(statuses)
    measures, partner_names = [], []
    for goal, measure_specs in zip(goals, specs, strict=True):
        for number, spec in enumerate(measure_specs, start=1):
            title, lead, partner_text, target_group = spec.split(" | ")
            partners = [name for name in partner_text.split("; ") if name]
            status = statuses[len(measures)]
            start = date(rng.randint(2009, 2021), rng.choice([1, 3, 6, 9]), 1)
            end = None
            if status == S.DONE or rng.random() < 0.4:
                end = date(min(start.year + rng.randint(1, 5), today.year + 2), 12, 31)
                if status == S.DONE and end > today:
                    end = date(today.year - 1, 12, 31)
            lead_org = organisations.get(lead)
            measures.append(
                Measure(
                    goal=goal,
                    number=number,
                    title=title,
                    target_group=target_group,
                    lead=lead_org,
                    contact_id=contacts.get(lead_org.pk) if lead_org else None,
                    status=status,
                    priority=rng.choice(list(Measure.Priority)),
                    start_on=start,
                    end_on=end if end is None or end >= start else start,
                    estimated_cost=rng.choice(COSTS),
                    funding_note=rng.choice(FUNDING),
                )
            )
            partner_names.append(partners)
    Measure.objects.bulk_create(measures)
    through = Measure.partners.through
    through.objects.bulk_create(
        through(measure_id=measure.pk, organisation_id=organisations[name].pk)
        for measure, names in zip(measures, partner_names, strict=True)
        for name in names
        if name in organisations
    )
    updates = []
    open_statuses = {S.PLANNED, S.IN_PROGRESS, S.DEFERRED}
    for index, measure in enumerate(measures):
        # Every fourth open measure has had no news for more than half a year.
        stale = measure.status in open_statuses and index % 4 == 0
        timeline = _updates(measure, rng, today, authors, stale)
        measure.last_update_on = timeline[-1].date
        updates.extend(timeline)
    StatusUpdate.objects.bulk_create(updates)
    Measure.objects.bulk_update(measures, ["last_update_on"])
    return version


def _revision(adopted: ConceptVersion, today: date) -> ConceptVersion:
    """The Fortschreibung: a copy sharing the keys, with measures removed, added, changed."""
    revision = ConceptVersion.objects.create(
        concept=adopted.concept,
        label=REVISION_LABEL,
        status=ConceptVersion.Status.REVISION,
        based_on=adopted,
    )
    old_goals = list(Goal.objects.filter(version=adopted))
    goal_copies = {
        goal.number: Goal(
            version=revision,
            key=goal.key,
            number=goal.number,
            title=goal.title,
            description=goal.description,
            field_of_action_id=goal.field_of_action_id,
        )
        for goal in old_goals
    }
    fields = {f.name: f for f in FieldOfAction.objects.all()}
    for number, (field_name, title, description) in REVISION["goals"].items():
        goal_copies[number] = Goal(
            version=revision,
            number=number,
            title=title,
            description=description,
            field_of_action=fields.get(field_name),
        )
    Goal.objects.bulk_create(goal_copies.values())
    organisations = _organisations()
    old_measures = Measure.objects.filter(goal__version=adopted).select_related("goal")
    copies, partner_rows = [], []
    partners = Measure.partners.through.objects.filter(measure__goal__version=adopted)
    partners_of: dict[int, list[int]] = {}
    for measure_id, organisation_id in partners.values_list("measure_id", "organisation_id"):
        partners_of.setdefault(measure_id, []).append(organisation_id)
    changes = REVISION["changed"]
    for measure in old_measures:
        code = measure.code
        if code in REVISION["removed"]:
            continue
        copy = Measure(goal=goal_copies[measure.goal.number], key=measure.key)
        for name in COPIED_FIELDS:
            setattr(copy, name, getattr(measure, name))
        for name, value in changes.get(code, {}).items():
            if name == "lead":
                copy.lead = organisations.get(value)
            elif name == "end_on":
                copy.end_on = date(today.year + value, 12, 31)
            else:
                setattr(copy, name, value)
        copies.append(copy)
        partner_rows.append(partners_of.get(measure.pk, []))
    for (goal_number, number), (title, lead, names, target_group) in REVISION["added"].items():
        copies.append(
            Measure(
                goal=goal_copies[goal_number],
                number=number,
                title=title,
                lead=organisations.get(lead),
                target_group=target_group,
                status=S.PLANNED,
                start_on=date(today.year, 1, 1),
            )
        )
        partner_rows.append([organisations[name].pk for name in names if name in organisations])
    Measure.objects.bulk_create(copies)
    through = Measure.partners.through
    through.objects.bulk_create(
        through(measure_id=copy.pk, organisation_id=organisation_id)
        for copy, organisation_ids in zip(copies, partner_rows, strict=True)
        for organisation_id in organisation_ids
    )
    return revision


@transaction.atomic
def seed(*, scale: int, stdout) -> dict:
    """Create the concept with its two versions once; the FB II login answers for FB II."""
    _departments()
    verwaltung = User.objects.filter(username="verwaltung").first()
    koordination = User.objects.filter(username="koordination").first()
    fb2 = Organisation.objects.filter(short_name="FB II").first()
    if verwaltung and fb2:
        Responsibility.objects.get_or_create(user=verwaltung, organisation=fb2)
    concept = Concept.objects.filter(title=TITLE).first()
    if concept is None:
        concept = Concept.objects.create(
            title=TITLE,
            description=(
                "Beschlossen 2009 mit 23 Zielen und 88 Maßnahmen; die Umsetzung liegt "
                "dezentral bei den Fachbereichen und Partnern. Seit 2026 wird das Konzept "
                "fortgeschrieben (Flucht und Arbeitsmigration)."
            ),
        )
        rng = random.Random(2009)  # noqa: S311 - demo data, not security
        today = timezone.localdate()
        adopted = _adopted(concept, rng, today, (verwaltung or koordination, koordination))
        _revision(adopted, today)
    measures = Measure.objects.filter(goal__version__concept=concept)
    summary = {
        "versions": concept.versions.count(),
        "measures": measures.count(),
        "updates": StatusUpdate.objects.filter(measure__in=measures).count(),
    }
    # Funding first: the positions demo finds its grants by title.
    today = timezone.localdate()
    for part in (funding_demo, positions_demo, monitoring_demo):
        # Totals only: what a second run created (nothing) is no news.
        totals = part.seed(today=today)
        summary |= {key: value for key, value in totals.items() if not key.endswith("_created")}
    summary |= links_demo.seed()
    return summary
