"""Demo positions of Wiesenbrück: the Integrationsbeauftragte, KIM case management at the
Caritas, a planned position with the job profile the Twistringen committee asked for, a
vacancy and an advertised one. Idempotent: a position is matched by its title."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from actors.models import Affiliation, Organisation, Person
from actors.selectors import current_q

from ..models import Grant, Position
from ..services.positions import position_create

P = Position.Status
INTERNAL, EXTERNAL = Position.Employment.INTERNAL, Position.Employment.EXTERNAL

# The intentions of the Twistringen committee (15.10.2020) as the profile of a new position.
NETWORK_PROFILE = """\
Die Fachkraft koordiniert die Integrationsarbeit in Wiesenbrück und vernetzt die vielen \
Akteure – Ehrenamt und Hauptamt gleichermaßen.

Aufgaben:
- Vernetzung der Akteure des Runden Tisches Integration, Organisation eines koordinierten \
Austauschs, damit Handlungserfordernisse rechtzeitig erkannt und gezielt den Stellen \
zugeordnet werden, die sie am besten bearbeiten können
- Unterstützung und Begleitung der ehrenamtlichen Initiativen (u. a. Flüchtlingsinitiative)
- Öffentlichkeitsarbeit zu Angeboten und Ansprechpersonen der Integration
- Aufbau und Begleitung eines Integrationsbeirats aus dem Kreis der Zugewanderten
- Abstimmung mit der Caritas, die die Einzelfallberatung von Geflüchteten weiterhin übernimmt

Anforderungen: Studium der Sozialen Arbeit oder Sozialpädagogik (Diplom/Bachelor), \
Erfahrung in Netzwerk- und Gemeinwesenarbeit, interkulturelle Kompetenz.

Umfang: 20 Stunden pro Woche."""

MANAGER_PROFILE = """\
An zentraler Stelle in der Verwaltung laufen die Fäden der Integration von Geflüchteten \
zusammen: Sprachförderung, Ausbildung und Arbeit.

Aufgaben:
- Begleitung von Geflüchteten von Anfang an bei Sprachförderung, Ausbildung und Arbeitssuche
- enge Zusammenarbeit mit Jobcenter, Arbeitsagentur, Kammern und Betrieben
- Vermeidung eines verfestigten Leistungsbezugs nach dem SGB II durch intensive Betreuung

Finanzierung aus der Integrationspauschale des Landes NRW."""

# title, fte, hours, employment, organisation, status, cost, grant title part, note, start, profile
POSITIONS = (
    (
        "Integrationsbeauftragte",
        Decimal("0.5"),
        None,
        INTERNAL,
        "FB II",
        P.FILLED,
        Decimal("38500"),
        "Integrationspauschale",
        "Integrationspauschale NRW",
        date(2019, 4, 1),
        "",
    ),
    (
        "Kommunales Integrationsmanagement – Case Management",
        None,
        Decimal("19.5"),
        EXTERNAL,
        "Caritas",
        P.FILLED,
        Decimal("33000"),
        "Integrationsmanagement",
        "Kommunales Integrationsmanagement NRW (Baustein 2)",
        date(2021, 1, 1),
        "",
    ),
    (
        "Sozialpädagogische Fachkraft Integration und Vernetzung",
        None,
        Decimal("20"),
        INTERNAL,
        "FB II",
        P.PLANNED,
        Decimal("31000"),
        "",
        "Haushaltsmittel beantragt",
        None,
        NETWORK_PROFILE,
    ),
    (
        "Flüchtlingssozialarbeit in der Übergangsunterkunft",
        Decimal("0.65"),
        None,
        INTERNAL,
        "FB II",
        P.VACANT,
        Decimal("42000"),
        "",
        "Eigenmittel",
        date(2016, 3, 1),
        "",
    ),
    (
        "Arbeits- und Integrationsmanager/in",
        Decimal("0.5"),
        None,
        INTERNAL,
        "FB II",
        P.ADVERTISED,
        Decimal("36000"),
        "Integrationspauschale",
        "Integrationspauschale NRW",
        None,
        MANAGER_PROFILE,
    ),
)


def _holder(organisation: Organisation | None) -> Person | None:
    """The first person currently working for ``organisation``, if any."""
    if organisation is None:
        return None
    affiliation = (
        Affiliation.objects.filter(
            current_q(), organisation=organisation, person__anonymised_at__isnull=True
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return affiliation.person if affiliation else None


@transaction.atomic
def seed(*, today: date) -> dict:
    """Create the demo positions that do not exist yet (by title); grants by title if F's
    demo made them, else a funding note alone."""
    existing = set(Position.objects.values_list("title", flat=True))
    organisations = {o.short_name: o for o in Organisation.objects.exclude(short_name="")}
    created = 0
    for spec in POSITIONS:
        title, fte, hours, employment, short, status, cost, grant_part, note, start, profile = spec
        if title in existing:
            continue
        organisation = organisations.get(short)
        if employment == EXTERNAL and organisation is None:
            continue  # no provider in this database: an external position needs one
        grant = (
            Grant.objects.filter(title__icontains=grant_part).order_by("-starts_on").first()
            if grant_part
            else None
        )
        holder = _holder(organisation) if status == P.FILLED else None
        position_create(
            by=None,
            title=title,
            fte=fte,
            hours_per_week=hours,
            employment=employment,
            department=organisation if employment == INTERNAL else None,
            provider=organisation if employment == EXTERNAL else None,
            status=status,
            holder=holder,
            cost_per_year=cost,
            grant=grant,
            funding_note="" if grant else note,
            starts_on=start if start and start <= today else None,
            job_profile=profile,
        )
        created += 1
    return {"positions": Position.objects.count(), "positions_created": created}
