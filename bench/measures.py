"""A large catalogue for the page benchmark: 1,000 measures in one adopted version.

``seed_catalogue()`` runs after ``seed_demo`` (it needs the demo's fields of action and
organisations, and makes a few of its own when they are missing) and returns the
version, whose page ``/concept/versions/<pk>/`` is then measured like the others. Its
concept sorts after the demo concept, so ``/concept/`` still shows the demo town's.
"""

import random
from datetime import date, timedelta

from django.db import transaction

BENCH_CONCEPT = "Katalog-Benchmark (1.000 Maßnahmen)"
GOALS = 40


@transaction.atomic
def seed_catalogue(*, measures: int = 1000, seed: int = 6):
    """Create (once) an adopted version with ``measures`` measures under 40 goals."""
    from actors.models import Organisation
    from integration.core.models import FieldOfAction
    from measures.models import Concept, ConceptVersion, Goal, Measure

    existing = ConceptVersion.objects.filter(concept__title=BENCH_CONCEPT).first()
    if existing is not None:
        return existing
    rng = random.Random(seed)  # noqa: S311 - reproducible demo figures, no secret
    fields = list(FieldOfAction.objects.filter(is_active=True)) or [
        FieldOfAction.objects.create(name=f"Bench-Handlungsfeld {n + 1}", position=n)
        for n in range(6)
    ]
    leads = list(Organisation.objects.filter(is_archived=False)[:30]) or [
        Organisation.objects.create(name=f"Bench-Fachbereich {n + 1}") for n in range(10)
    ]
    concept = Concept.objects.create(title=BENCH_CONCEPT)
    version = ConceptVersion.objects.create(
        concept=concept,
        label="Benchmark-Fassung",
        status=ConceptVersion.Status.ADOPTED,
        adopted_on=date(2024, 1, 1),
        adopted_by="Benchmark",
    )
    Goal.objects.bulk_create(
        Goal(
            version=version,
            number=n + 1,
            title=f"Ziel {n + 1} des Benchmark-Katalogs",
            field_of_action=fields[n % len(fields)],
        )
        for n in range(GOALS)
    )
    goals = list(version.goals.order_by("number"))
    statuses = list(Measure.Status.values)
    start = date(2024, 1, 1)
    rows = []
    for n in range(measures):
        goal = goals[n % GOALS]
        begin = start + timedelta(days=rng.randrange(0, 700))
        rows.append(
            Measure(
                goal=goal,
                number=n // GOALS + 1,
                title=f"Maßnahme {goal.number}.{n // GOALS + 1} im Benchmark",
                description="Beschreibung der Maßnahme mit Zielgruppe und Vorgehen.",
                target_group="Neuzugewanderte",
                lead=leads[n % len(leads)],
                status=rng.choice(statuses),
                start_on=begin,
                end_on=begin + timedelta(days=rng.randrange(30, 900)),
                last_update_on=begin + timedelta(days=rng.randrange(0, 300)),
            )
        )
    Measure.objects.bulk_create(rows, batch_size=500)
    return version
