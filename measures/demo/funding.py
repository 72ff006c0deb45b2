"""Demo funding of Wiesenbrück: five programmes and eight grants over 2019–2027.

After the seeds: 400.000 € from the Integrationspauschale NRW for 2019–2020, and
33.000 € a year for integration support by an external provider. Statuses are
mixed (one rejected, settled ones, one applied for), one report is due in ten
days, one is overdue. Grants pay for measures of the current version (and their
copies in the revision, as a revision carries the links over). Idempotent:
programmes are matched by name, grants by title. Run before the positions' demo,
which looks its grants up by title.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from actors.models import Organisation
from integration.core.models import User

from ..models import FundingProgramme, Grant, Measure
from ..selectors.updates import current_version_ids
from ..services.funding import YearAmounts, grant_create, programme_create, programme_update

L = FundingProgramme.Level
S = Grant.Status

# name, short name, provider, level, deadline note, description
PROGRAMMES = (
    (
        "Integrationspauschale NRW",
        "Integrationspauschale",
        "Land NRW, MKJFGFI",
        L.STATE,
        "Mittel werden jährlich zugewiesen; Verwendungsnachweis bis 30.06. des Folgejahres",
        "Pauschale des Landes an die Kommunen für die Integration Geflüchteter.",
    ),
    (
        "Kommunales Integrationsmanagement NRW",
        "KIM",
        "Land NRW, MKJFGFI über die Bezirksregierung",
        L.STATE,
        "Antrag jährlich bis 31.10.; Zwischennachweis halbjährlich",
        "Baustein 2: Case Management für Zugewanderte, Baustein 3: Stellen in den "
        "Ausländer- und Einbürgerungsbehörden.",
    ),
    (
        "Integration durch Qualifizierung (IQ) – ESF Plus",
        "IQ / ESF Plus",
        "Bundesministerium für Arbeit und Soziales, Europäischer Sozialfonds Plus",
        L.FEDERAL,
        "Förderrunden nach Aufruf",
        "Anerkennungs- und Qualifizierungsberatung für Menschen mit ausländischen "
        "Berufsabschlüssen.",
    ),
    (
        "Asyl-, Migrations- und Integrationsfonds (AMIF)",
        "AMIF",
        "Europäische Union, Bundesamt für Migration und Flüchtlinge",
        L.EU,
        "Aufruf 2024 abgeschlossen",
        "EU-Fonds für Projekte zur Aufnahme und Integration Drittstaatsangehöriger.",
    ),
    (
        "Bürgerstiftung Wiesenbrück – Zusammenleben",
        "Bürgerstiftung",
        "Bürgerstiftung Wiesenbrück",
        L.FOUNDATION,
        "Anträge bis 15.02. und 15.09.",
        "Kleine Projekte des Ehrenamts für Begegnung und Sprache.",
    ),
)


def _amounts(years, applied, granted=None, spent_until=None) -> list[YearAmounts]:
    """Equal amounts per year; spent (97 % of granted) in years before ``spent_until``."""
    rows = []
    for year in years:
        spent = None
        if granted is not None and spent_until is not None and year < spent_until:
            spent = (granted * Decimal("0.97")).quantize(Decimal(1))
        rows.append(YearAmounts(year, Decimal(applied), granted, spent))
    return rows


def _grants(today: date) -> list[dict]:
    """The grants; report deadlines relative to ``today`` so the reminders show."""
    this_year = today.year
    return [
        {
            "programme": "Integrationspauschale NRW",
            "title": "Integrationspauschale 2019/2020 – Arbeits- und Integrationsmanagement",
            "reference": "IP-2019-0412",
            "recipient": "FB II",
            "status": S.SETTLED,
            "period": (date(2019, 1, 1), date(2020, 12, 31)),
            "applied_on": date(2018, 11, 20),
            "decided_on": date(2019, 2, 14),
            "report": (date(2021, 6, 30), date(2021, 6, 21)),
            "years": _amounts(range(2019, 2021), 200000, Decimal(200000), 2021),
            "measures": ["Arbeitsmarktlotsen", "Berufsorientierung für neu"],
            "purpose": "400.000 € für 2019 und 2020: Arbeits- und Integrationsmanagement, "
            "Sprachförderung, Ausbildung und Arbeit.",
        },
        {
            "programme": "Integrationspauschale NRW",
            "title": "Integrationspauschale 2025/2026 – Integrationsbeauftragte und Sprache",
            "reference": "IP-2025-0107",
            "recipient": "FB II",
            "status": S.GRANTED,
            "period": (date(2025, 1, 1), date(2026, 12, 31)),
            "applied_on": date(2024, 10, 2),
            "decided_on": date(2025, 1, 28),
            "report": (today + timedelta(days=10), None),
            "responsible": "koordination",
            "years": _amounts(range(2025, 2027), 95000, Decimal(95000), this_year),
            "measures": ["Sprachcafés in den Stadtteilen", "Integrationskurse mit Kinder"],
            "purpose": "Stelle der Integrationsbeauftragten (0,5) und Sprachcafés.",
        },
        {
            "programme": "Kommunales Integrationsmanagement NRW",
            "title": "Kommunales Integrationsmanagement – Case Management (Caritas)",
            "reference": "KIM-B2-2021-033",
            "recipient": "Caritas",
            "status": S.GRANTED,
            "period": (date(2021, 1, 1), date(2027, 12, 31)),
            "applied_on": date(2020, 10, 15),
            "decided_on": date(2020, 12, 10),
            "report": (today - timedelta(days=12), None),
            "years": _amounts(range(2021, 2028), 33000, Decimal(33000), this_year),
            "measures": ["Sozialarbeit in Gemeinschaftsunterkünften", "Beratung zu Bleibe"],
            "purpose": "Case Management mit 19,5 Wochenstunden beim Caritasverband.",
        },
        {
            "programme": "Integration durch Qualifizierung (IQ) – ESF Plus",
            "title": "IQ – Anerkennungs- und Qualifizierungsberatung",
            "reference": "IQ-NRW-2019-17",
            "recipient": "FB II",
            "status": S.SETTLED,
            "period": (date(2019, 7, 1), date(2022, 12, 31)),
            "applied_on": date(2019, 3, 1),
            "decided_on": date(2019, 6, 3),
            "report": (date(2023, 6, 30), date(2023, 5, 30)),
            "years": _amounts(range(2019, 2023), 48000, Decimal(45000), 2023),
            "measures": ["Anerkennungsberatung", "Deutschkurse am Arbeitsplatz"],
            "purpose": "Beratung zur Anerkennung ausländischer Abschlüsse.",
        },
        {
            "programme": "Asyl-, Migrations- und Integrationsfonds (AMIF)",
            "title": "AMIF – Orientierung für neu zugewanderte Familien",
            "reference": "AMIF-2024-0815",
            "recipient": "FB II",
            "status": S.REJECTED,
            "period": (date(2024, 7, 1), date(2026, 6, 30)),
            "applied_on": date(2024, 1, 31),
            "decided_on": date(2024, 5, 17),
            "years": _amounts(range(2024, 2027), 85000),
            "measures": ["Psychosoziale Beratung"],
            "purpose": "Orientierungskurse und psychosoziale Beratung; abgelehnt mangels Mitteln.",
        },
        {
            "programme": "Bürgerstiftung Wiesenbrück – Zusammenleben",
            "title": "Sprachcafé und Lesepatenschaften",
            "recipient": "AWO",
            "status": S.GRANTED,
            "period": (date(2026, 1, 1), date(2027, 12, 31)),
            "applied_on": date(2025, 9, 10),
            "decided_on": date(2025, 11, 20),
            "report": (date(2028, 3, 31), None),
            "years": _amounts(range(2026, 2028), 6500, Decimal(6500), this_year),
            "measures": ["Mehrsprachige Vorlesestunden", "Ehrenamtliche Patenschaften"],
            "purpose": "Material, Honorare und Fahrtkosten für das Ehrenamt.",
        },
        {
            "programme": "Integrationspauschale NRW",
            "title": "Integrationsbegleitung durch externen Träger 2021–2024",
            "reference": "IP-2021-0233",
            "recipient": "Diakonie",
            "status": S.SETTLED,
            "period": (date(2021, 1, 1), date(2024, 12, 31)),
            "applied_on": date(2020, 11, 3),
            "decided_on": date(2021, 1, 19),
            "report": (date(2025, 6, 30), date(2025, 5, 20)),
            "years": _amounts(range(2021, 2025), 33000, Decimal(33000), 2025),
            "measures": ["Umzug aus Gemeinschaftsunterkünften"],
            "purpose": "Rund 33.000 € im Jahr für die Integrationsbegleitung durch einen "
            "externen Dienstleister.",
        },
        {
            "programme": "Integrationspauschale NRW",
            "title": "Integrationsbegleitung 2027 (Antrag)",
            "recipient": "Diakonie",
            "status": S.APPLIED,
            "period": (date(2027, 1, 1), date(2027, 12, 31)),
            "applied_on": date(2026, 3, 2),
            "years": _amounts(range(2027, 2028), 33000),
            "measures": ["Mentoringprogramm"],
            "purpose": "Fortsetzung der Integrationsbegleitung.",
        },
    ]


def _measures(prefixes: list[str], current: list[Measure]) -> list[Measure]:
    return [m for prefix in prefixes for m in current if m.title.startswith(prefix)][:4]


@transaction.atomic
def seed(*, today: date) -> dict:
    """Create the programmes and grants that do not exist yet; link the grants to the
    current version's measures and their copies in other versions (same key)."""
    programmes = {p.name: p for p in FundingProgramme.objects.all()}
    new_programmes = set()
    for name, short, provider, level, note, description in PROGRAMMES:
        if name not in programmes:
            new_programmes.add(name)
            programmes[name] = programme_create(
                by=None,
                name=name,
                short_name=short,
                provider=provider,
                level=level,
                deadline_note=note,
                description=description,
            )
    organisations = {o.short_name: o for o in Organisation.objects.exclude(short_name="")}
    users = {u.username: u for u in User.objects.filter(username__in=["koordination"])}
    current = list(
        Measure.objects.filter(goal__version_id__in=current_version_ids()).order_by(
            "goal__number", "number"
        )
    )
    existing = set(Grant.objects.values_list("title", flat=True))
    created = 0
    for spec in _grants(today):
        if spec["title"] in existing:
            continue
        starts_on, ends_on = spec["period"]
        report_due_on, report_submitted_on = spec.get("report", (None, None))
        measures = _measures(spec["measures"], current)
        grant = grant_create(
            by=None,
            programme=programmes[spec["programme"]],
            title=spec["title"],
            reference=spec.get("reference", ""),
            recipient=organisations.get(spec["recipient"]),
            status=spec["status"],
            purpose=spec["purpose"],
            starts_on=starts_on,
            ends_on=ends_on,
            applied_on=spec.get("applied_on"),
            decided_on=spec.get("decided_on"),
            report_due_on=report_due_on,
            report_submitted_on=report_submitted_on,
            responsible=users.get(spec.get("responsible", "")),
            years=spec["years"],
            measures=measures,
        )
        # The copies in the revision pay too, as version_revise would have carried them.
        copies = Measure.objects.filter(key__in=[m.key for m in measures])
        grant.measures.add(*copies)
        created += 1
    # The AMIF call is over: closed once its rejected grant is in (only when created now,
    # so a programme reopened by hand stays open).
    amif = "Asyl-, Migrations- und Integrationsfonds (AMIF)"
    if amif in new_programmes:
        programme_update(by=None, programme=programmes[amif], is_active=False)
    return {
        "programmes": FundingProgramme.objects.count(),
        "grants": Grant.objects.count(),
        "grants_created": created,
    }
