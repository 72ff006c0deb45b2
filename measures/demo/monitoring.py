"""Demo monitoring of Wiesenbrück: the fields Peine asks for (housing, language and
education, security, labour market, socio-cultural structures) with indicators and six to
ten years of plausible, fictional values ending last year. Idempotent: an indicator is
matched by field of action and name, a value by its date."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from integration.core.models import FieldOfAction

from ..models import Indicator, Observation

BA = "Statistik der Bundesagentur für Arbeit (BA-Statistik)"
ITNRW = "IT.NRW, Landesdatenbank NRW"
SCHULAMT = "Schulamt für den Kreis, Schuleingangsuntersuchung"
OWN = "Eigene Erhebung der Integrationskoordination"

# field of action, name, unit, source, target, higher is better, description,
# period ("year" or "school"), values (oldest first, the last one for last year),
# notes by index from the end (-1 = last year).
INDICATORS = (
    (
        "Wohnen & Unterbringung",
        "Geflüchtete in Gemeinschaftsunterkünften",
        "Personen",
        OWN,
        "80",
        False,
        "Zum 31.12. in städtischen Gemeinschafts- und Übergangsunterkünften untergebrachte "
        "Personen.",
        "year",
        ["412", "356", "291", "243", "208", "176", "268", "231", "187", "152"],
        {-4: "Zuzug aus der Ukraine"},
    ),
    (
        "Wohnen & Unterbringung",
        "Anteil Geflüchteter in eigenem Wohnraum",
        "%",
        OWN,
        "60",
        True,
        "Anteil der der Stadt zugewiesenen Geflüchteten, die in einer eigenen Mietwohnung leben.",
        "year",
        ["38.5", "44.0", "51.2", "55.8", "58.1", "52.4", "57.9", "63.0"],
        {},
    ),
    (
        "Sprache & Bildung",
        "Kinder mit Sprachförderbedarf bei der Einschulung",
        "%",
        SCHULAMT,
        "15",
        False,
        "Anteil der untersuchten Kinder mit Förderbedarf in Deutsch.",
        "school",
        ["24.1", "23.5", "22.8", "21.0", "22.6", "21.9", "20.4", "19.2", "18.7"],
        {-5: "Untersuchung pandemiebedingt verkürzt"},
    ),
    (
        "Sprache & Bildung",
        "Erfolgreicher Abschluss des Integrationskurses (B1)",
        "%",
        "BAMF-Integrationskursgeschäftsstatistik, Auswertung für die Stadt",
        "60",
        True,
        "",
        "year",
        ["48.2", "50.7", "52.3", "47.5", "49.9", "53.6", "55.1", "57.4"],
        {},
    ),
    (
        "Sprache & Bildung",
        "Schulabgänger ohne Abschluss mit ausländischer Staatsangehörigkeit",
        "%",
        ITNRW,
        "8",
        False,
        "",
        "school",
        ["14.8", "13.9", "13.1", "12.2", "11.9", "12.4", "11.0"],
        {},
    ),
    (
        "Sicherheit & Ordnung",
        "Bearbeitungsdauer von Aufenthaltstiteln (Median)",
        "Tage",
        "Eigene Erhebung der Ausländerbehörde",
        "45",
        False,
        "",
        "year",
        ["41", "45", "52", "68", "61", "49", "43"],
        {-4: "Terminvergabe pandemiebedingt eingeschränkt"},
    ),
    (
        "Sicherheit & Ordnung",
        "Teilnehmende an Präventionsangeboten",
        "Personen",
        OWN,
        "250",
        True,
        "Kurse zu Rechten und Pflichten, Gewaltprävention und Verkehrssicherheit.",
        "year",
        ["96", "132", "158", "61", "104", "187", "214"],
        {-4: "Präsenzangebote ausgesetzt"},
    ),
    (
        "Arbeit & Ausbildung",
        "Arbeitslosenquote Ausländerinnen und Ausländer",
        "%",
        BA,
        "10",
        False,
        "Jahresdurchschnitt, bezogen auf alle zivilen Erwerbspersonen.",
        "year",
        ["16.9", "16.2", "15.1", "14.0", "13.2", "14.6", "13.8", "13.9", "12.7", "12.1"],
        {},
    ),
    (
        "Arbeit & Ausbildung",
        "Sozialversicherungspflichtig Beschäftigte mit ausländischer Staatsangehörigkeit",
        "Personen",
        BA,
        "2500",
        True,
        "Am Arbeitsort, Stichtag 30.06.",
        "year",
        ["1512", "1634", "1781", "1859", "1842", "1967", "2105", "2236", "2318"],
        {},
    ),
    (
        "Arbeit & Ausbildung",
        "Neue Ausbildungsverträge mit Geflüchteten",
        "Verträge",
        "IHK und Handwerkskammer, Auswertung für die Stadt",
        "40",
        True,
        "",
        "year",
        ["12", "19", "24", "17", "22", "27", "31"],
        {},
    ),
    (
        "Soziokulturelle Teilhabe",
        "Mitglieder mit Migrationsgeschichte in Sportvereinen",
        "Personen",
        "Eigene Erhebung über den Stadtsportverband",
        "600",
        True,
        "",
        "year",
        ["318", "352", "377", "341", "365", "419", "468", "502"],
        {},
    ),
    (
        "Soziokulturelle Teilhabe",
        "Aktive Integrationslotsinnen und -lotsen",
        "Personen",
        OWN,
        "50",
        True,
        "Ehrenamtliche mit mindestens einem Einsatz im Jahr.",
        "year",
        ["34", "41", "38", "29", "33", "46", "52"],
        {},
    ),
)


def _period(kind: str, year: int) -> tuple[date, str]:
    if kind == "school":
        return date(year, 7, 31), f"Schuljahr {year - 1}/{year % 100:02d}"
    return date(year, 12, 31), str(year)


@transaction.atomic
def seed(*, today: date) -> dict:
    """Create the indicators and the values they lack; the newest value is for last year."""
    fields = {field.name: field for field in FieldOfAction.objects.all()}
    positions: dict[int, int] = {}
    observations = []
    for (
        field_name,
        name,
        unit,
        source,
        target,
        higher,
        description,
        kind,
        values,
        notes,
    ) in INDICATORS:
        field = fields.get(field_name)
        if field is None:
            continue
        positions[field.pk] = positions.get(field.pk, 0) + 1
        indicator, _created = Indicator.objects.get_or_create(
            field_of_action=field,
            name=name,
            defaults={
                "unit": unit,
                "source": source,
                "target_value": Decimal(target),
                "higher_is_better": higher,
                "description": description,
                "position": positions[field.pk],
            },
        )
        taken = set(indicator.observations.values_list("period_end", flat=True))
        first_year = today.year - len(values)
        for index, value in enumerate(values):
            period_end, label = _period(kind, first_year + index)
            if period_end in taken:
                continue
            observations.append(
                Observation(
                    indicator=indicator,
                    period_end=period_end,
                    period_label=label,
                    value=Decimal(value),
                    note=notes.get(index - len(values), ""),
                )
            )
    Observation.objects.bulk_create(observations)
    return {
        "indicators": Indicator.objects.count(),
        "observations": Observation.objects.count(),
        "observations_created": len(observations),
    }
