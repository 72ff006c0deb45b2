"""The texts of the demo concept: fields of action → goals → measures, and the revision.

A measure is "title | lead | partners (by semicolons) | target group"; organisations by
short name (or full name where they have none), as in ``actors.demo``.
"""

from ..models import Measure

S = Measure.Status

# Departments of the town beyond FB II and FB III of the network demo.
DEPARTMENTS = (
    ("Stadt Wiesenbrück – FB I Zentrale Dienste & Bürgerservice", "FB I"),
    ("Stadt Wiesenbrück – FB IV Schule, Kultur & Sport", "FB IV"),
    ("Stadt Wiesenbrück – FB V Planen, Bauen & Wohnen", "FB V"),
)
CATALOGUE = [
    (
        "Sprache & Bildung",
        [
            (
                "Sprachförderung von Anfang an",
                "Kinder mit Zuwanderungsgeschichte sprechen bei der Einschulung gut Deutsch.",
                [
                    "Alltagsintegrierte Sprachbildung in allen Kitas | FB IV | Kita Regenbogen"
                    " | Kinder von 3 bis 6 Jahren",
                    "Sprachstandsfeststellung vor der Einschulung | FB IV | Kita Regenbogen; KI"
                    " | Vorschulkinder",
                    "Rucksack-Programm für Eltern in Kitas | KI | Kita Regenbogen; AWO"
                    " | Eltern von Kita-Kindern",
                    "Mehrsprachige Vorlesestunden in der Stadtbücherei | FB IV"
                    " | Willkommensinitiative | Familien",
                ],
            ),
            (
                "Integrationskurse erreichbar machen",
                "Jede und jeder Zugewanderte findet zeitnah einen passenden Deutschkurs.",
                [
                    "Integrationskurse mit Kinderbetreuung | VHS | FB II; AWO"
                    " | Eltern kleiner Kinder",
                    "Übersicht aller Sprachkurse auf der Website der Stadt | KI | VHS; MBE"
                    " | Zugewanderte",
                    "Sprachcafés in den Stadtteilen | Willkommensinitiative | VHS"
                    "; Sprachcafé im Bürgerhaus | Erwachsene Zugewanderte",
                    "Berufsbezogene Deutschkurse | Jobcenter | VHS | Arbeitsuchende",
                    "Alphabetisierungskurse | VHS | Caritas | Erwachsene ohne Schriftkenntnisse",
                ],
            ),
            (
                "Bildungserfolg an Schulen sichern",
                "Zugewanderte Schülerinnen und Schüler erreichen gleichwertige Abschlüsse.",
                [
                    "Internationale Förderklassen an der Gesamtschule | GE Lindenhof | FB IV; KI"
                    " | Seiteneinsteiger",
                    "Schulsozialarbeit mit interkulturellem Schwerpunkt | FB IV | GE Lindenhof"
                    "; JMD | Schülerinnen und Schüler",
                    "Hausaufgabenhilfe durch Ehrenamtliche | Willkommensinitiative | GE Lindenhof"
                    " | Schülerinnen und Schüler",
                    "Elternabende mit Sprachmittlung | GE Lindenhof | Lotsen | Eltern",
                ],
            ),
            (
                "Übergang von der Schule in den Beruf begleiten",
                "Junge Zugewanderte finden nach der Schule eine Ausbildung oder ein Studium.",
                [
                    "Berufsorientierung für neu zugewanderte Jugendliche | JMD | GE Lindenhof"
                    "; Jobcenter | Jugendliche ab 14 Jahren",
                    "Mentoringprogramm „Ausbildungspaten“ | JMD | KHW; Willkommensinitiative"
                    " | Jugendliche",
                    "Schulabschlüsse für junge Erwachsene nachholen | VHS | JMD"
                    " | Junge Erwachsene bis 27 Jahre",
                ],
            ),
        ],
    ),
    (
        "Arbeit & Ausbildung",
        [
            (
                "Zugang zum Arbeitsmarkt verbessern",
                "Zugewanderte nutzen ihre Qualifikationen und sichern ihren Lebensunterhalt.",
                [
                    "Anerkennungsberatung für ausländische Abschlüsse | Jobcenter | MBE; KHW"
                    " | Zugewanderte mit Berufsabschluss",
                    "Integration Point im Jobcenter | Jobcenter | ABH; FB II | Geflüchtete",
                    "Arbeitsmarktlotsen für Geflüchtete | Jobcenter | Lotsen | Geflüchtete",
                    "Jobbörse mit örtlichen Betrieben | KHW | Jobcenter | Arbeitsuchende",
                    "Deutschkurse am Arbeitsplatz | KHW | VHS | Beschäftigte",
                ],
            ),
            (
                "Ausbildung im Handwerk stärken",
                "Mehr junge Zugewanderte beginnen und beenden eine Ausbildung im Handwerk.",
                [
                    "Praktikumsbörse mit Handwerksbetrieben | KHW | JMD; Jobcenter"
                    " | Junge Geflüchtete",
                    "Ausbildungsbegleitende Hilfen mit Sprachförderung | KHW | VHS | Auszubildende",
                    "Informationsabende zur dualen Ausbildung | KHW | GE Lindenhof"
                    " | Jugendliche und Eltern",
                ],
            ),
            (
                "Vielfalt in der Stadtverwaltung",
                "Die Verwaltung spiegelt die Vielfalt der Stadtgesellschaft wider.",
                [
                    "Interkulturelle Öffnung der Personalauswahl | FB I | KI"
                    " | Bewerberinnen und Bewerber",
                    "Ausbildungsplätze der Stadt für junge Zugewanderte | FB I | JMD | Jugendliche",
                    "Interkulturelle Schulungen für Beschäftigte | FB I | KI"
                    " | Beschäftigte der Stadt",
                    "Praktika in der Verwaltung für Geflüchtete | FB I | Jobcenter | Geflüchtete",
                ],
            ),
        ],
    ),
    (
        "Wohnen & Unterbringung",
        [
            (
                "Dezentral und selbstständig wohnen",
                "Geflüchtete ziehen so bald wie möglich in eigene Wohnungen.",
                [
                    "Umzug aus Gemeinschaftsunterkünften in Wohnungen | FB II | Diakonie"
                    " | Geflüchtete",
                    "Wohnraumakquise bei privaten Vermietern | FB II | FB V"
                    " | Vermieterinnen und Vermieter",
                    "Mietführerschein für Geflüchtete | Diakonie | FB II; Lotsen"
                    " | Wohnungssuchende",
                    "Hausordnungen in mehreren Sprachen | FB V | Lotsen | Mieterinnen und Mieter",
                    "Wohnungsbörse auf der Website der Stadt | FB V | FB II | Wohnungssuchende",
                ],
            ),
            (
                "Ausgewogene Quartiere",
                "Kein Stadtteil wird abgehängt; Nachbarschaften bleiben gemischt.",
                [
                    "Quartiersmanagement in der Nordstadt | FB V | FB II; Diakonie"
                    " | Bewohnerinnen und Bewohner",
                    "Sozialer Wohnungsbau mit Belegungsbindung | FB V | "
                    " | Haushalte mit geringem Einkommen",
                    "Nachbarschaftsfeste in den Stadtteilen | Willkommensinitiative | FB V; TuS"
                    " | Alle",
                ],
            ),
            (
                "Gute Betreuung in den Unterkünften",
                "Wer in einer Unterkunft lebt, ist sicher und gut begleitet.",
                [
                    "Sozialarbeit in Gemeinschaftsunterkünften | FB II | DRK; Caritas"
                    " | Bewohnerinnen und Bewohner",
                    "Gewaltschutzkonzept für städtische Unterkünfte | FB II | Polizei; AWO"
                    " | Frauen und Kinder",
                    "Ehrenamtliche Patenschaften für Familien | Willkommensinitiative | FB II"
                    " | Familien",
                ],
            ),
        ],
    ),
    (
        "Gesundheit",
        [
            (
                "Zugang zum Gesundheitssystem",
                "Zugewanderte kennen das Gesundheitssystem und werden verstanden.",
                [
                    "Gesundheitswegweiser in acht Sprachen | KI | DRK; Caritas | Zugewanderte",
                    "Dolmetscherpool für Arztbesuche | Lotsen | DRK | Patientinnen und Patienten",
                    "Elektronische Gesundheitskarte für Asylsuchende | FB II |  | Asylsuchende",
                    "Impfberatung in den Unterkünften | DRK | FB II | Bewohnerinnen und Bewohner",
                    "Liste mehrsprachiger Praxen | KI | DRK | Zugewanderte",
                ],
            ),
            (
                "Psychosoziale Versorgung",
                "Traumatisierte Geflüchtete erhalten rasch Hilfe.",
                [
                    "Psychosoziale Beratung für traumatisierte Geflüchtete | Caritas | DRK"
                    " | Geflüchtete",
                    "Fortbildung für Ehrenamtliche zu Traumafolgen | Caritas"
                    " | Willkommensinitiative | Ehrenamtliche",
                    "Selbsthilfegruppen für Frauen | AWO | Afghanischer Frauenverein Hollerland"
                    " | Frauen",
                ],
            ),
            (
                "Gesundheit fördern",
                "Bewegung und gesunde Ernährung erreichen alle Familien.",
                [
                    "Sport- und Bewegungsangebote für Frauen | TuS | AWO | Frauen",
                    "Schwimmkurse für Kinder und Erwachsene | TuS | FB IV | Nichtschwimmer",
                    "Ernährungsberatung in Familienzentren | Caritas | Kita Regenbogen | Familien",
                ],
            ),
        ],
    ),
    (
        "Sicherheit & Ordnung",
        [
            (
                "Sicherheit beim Aufenthalt",
                "Zugewanderte kennen ihre Rechte und Pflichten und ihre Perspektive.",
                [
                    "Servicezeiten der Ausländerbehörde ausweiten | ABH |  | Zugewanderte",
                    "Beratung zu Bleibeperspektive und Einbürgerung | ABH | MBE | Zugewanderte",
                    "Einbürgerungsfeier im Rathaus | FB I | ABH | Eingebürgerte",
                ],
            ),
            (
                "Prävention und Sicherheit",
                "Alle fühlen sich in Wiesenbrück sicher; Konflikte werden früh erkannt.",
                [
                    "Präventionsrat mit Migrantenorganisationen | FB III | Polizei"
                    "; Deutsch-Syrischer Kulturverein Hollerland e. V. | Alle",
                    "Kontaktbeamte der Polizei in den Unterkünften | Polizei | FB III"
                    " | Bewohnerinnen und Bewohner",
                    "Präventionsprojekt gegen Radikalisierung | Polizei | JMD | Jugendliche",
                    "Beratung für Opfer rassistischer Gewalt | Caritas | Polizei | Betroffene",
                ],
            ),
            (
                "Geregeltes Zusammenleben",
                "Regeln des Zusammenlebens sind bekannt; Streit wird moderiert.",
                [
                    "Informationen zu Regeln des Zusammenlebens | FB III | Lotsen"
                    " | Neuzugewanderte",
                    "Sprechstunde des Ordnungsamts in der Nordstadt | FB III | FB V"
                    " | Bewohnerinnen und Bewohner",
                    "Konfliktmoderation in Nachbarschaften | FB III | Diakonie | Nachbarschaften",
                ],
            ),
        ],
    ),
    (
        "Soziokulturelle Teilhabe",
        [
            (
                "Teilhabe in Vereinen",
                "Zugewanderte sind in Vereinen aktiv, als Mitglieder und im Vorstand.",
                [
                    "Integration durch Sport | TuS | FB IV | Kinder und Jugendliche",
                    "Vereinslotsen für Neuzugewanderte | Lotsen | TuS | Neuzugewanderte",
                    "Beitragsfreies erstes Vereinsjahr | TuS | FB II | Familien",
                    "Kulturpass für Familien mit geringem Einkommen | FB IV | FB II | Familien",
                ],
            ),
            (
                "Migrantenorganisationen stärken",
                "Migrantenorganisationen sind gleichberechtigte Partner der Stadt.",
                [
                    "Integrationsrat einrichten | FB I"
                    " | Deutsch-Syrischer Kulturverein Hollerland e. V."
                    "; Afghanischer Frauenverein Hollerland | Zugewanderte",
                    "Förderung von Migrantenorganisationen | KI | FB II | Migrantenorganisationen",
                    "Räume für Migrantenorganisationen im Bürgerhaus | FB IV | "
                    " | Migrantenorganisationen",
                ],
            ),
            (
                "Interkulturelle Begegnung",
                "Alteingesessene und Zugewanderte begegnen sich im Alltag.",
                [
                    "Interkulturelle Woche | KI | Willkommensinitiative"
                    "; Deutsch-Syrischer Kulturverein Hollerland e. V. | Alle",
                    "Begegnungscafé im Bürgerhaus | Willkommensinitiative"
                    " | Sprachcafé im Bürgerhaus | Alle",
                    "Interreligiöser Dialog | Diakonie | Caritas | Religionsgemeinschaften",
                    "Ausstellung „Wiesenbrück – Stadt der Vielfalt“ | FB IV | KI | Alle",
                ],
            ),
        ],
    ),
    (
        "Beratung & Orientierung",
        [
            (
                "Beratung bündeln",
                "Zugewanderte finden eine verlässliche Anlaufstelle für ihre Fragen.",
                [
                    "Zentrale Anlaufstelle Integration im Rathaus | FB II | KI; MBE | Zugewanderte",
                    "Wegweiser „Ankommen in Wiesenbrück“ | FB II | KI | Neuzugewanderte",
                    "Migrationsberatung im Stadtteil | MBE | Caritas | Erwachsene Zugewanderte",
                    "Runder Tisch Integration | FB II | KI; Caritas; Diakonie"
                    " | Akteure der Integrationsarbeit",
                    "Integrationskonzept regelmäßig fortschreiben | FB II | KI"
                    " | Rat und Verwaltung",
                ],
            ),
            (
                "Ehrenamt unterstützen",
                "Ehrenamtliche sind gut begleitet, fortgebildet und anerkannt.",
                [
                    "Integrationslotsen neu beleben | FB II | Lotsen | Ehrenamtliche",
                    "Ehrenamtsbörse | Willkommensinitiative | FB II | Ehrenamtliche",
                    "Fortbildungsreihe für Ehrenamtliche | KI | Caritas | Ehrenamtliche",
                    "Anerkennungskultur für Ehrenamtliche | FB I | Willkommensinitiative"
                    " | Ehrenamtliche",
                ],
            ),
        ],
    ),
    (
        "Frauen & Familie",
        [
            (
                "Frauen stärken",
                "Zugewanderte Frauen nehmen gleichberechtigt am Leben der Stadt teil.",
                [
                    "Frauencafé mit Kinderbetreuung | AWO | Afghanischer Frauenverein Hollerland"
                    " | Frauen",
                    "Integrationskurse für Frauen | VHS | AWO | Frauen",
                    "Beratung bei häuslicher Gewalt | AWO | Polizei | Frauen",
                    "Fahrradkurse für Frauen | Afghanischer Frauenverein Hollerland | TuS | Frauen",
                ],
            ),
            (
                "Familien begleiten",
                "Familien finden früh Zugang zu Bildung, Betreuung und Beratung.",
                [
                    "Familienbildung in Familienzentren | Kita Regenbogen | AWO; FB IV | Eltern",
                    "Familienhebammen mit Sprachmittlung | FB II | DRK"
                    " | Schwangere und junge Familien",
                    "Elterncafés an Grundschulen | FB IV | Lotsen | Eltern",
                    "Ferienprogramm für alle Kinder | FB IV | TuS; Willkommensinitiative"
                    " | Kinder von 6 bis 12 Jahren",
                ],
            ),
        ],
    ),
]

# The Fortschreibung 2026: what it removes, adds and changes (measures by code).
REVISION = {
    "removed": {"7.4", "14.3", "19.4"},
    "goals": {
        24: (
            "Beratung & Orientierung",
            "Kommunales Integrationsmanagement aufbauen",
            "Rechtskreisübergreifende Zusammenarbeit für Neuzugewanderte (KIM).",
        ),
    },
    "added": {
        (2, 6): (
            "Sprachkurse für Geflüchtete aus der Ukraine",
            "VHS",
            ["KI"],
            "Geflüchtete aus der Ukraine",
        ),
        (5, 6): (
            "Willkommenslotsen für Fachkräfte aus dem Ausland",
            "KHW",
            ["Jobcenter", "ABH"],
            "Arbeitsmigrantinnen und -migranten",
        ),
        (20, 6): (
            "Digitale Terminvergabe mit mehrsprachiger Anleitung",
            "FB I",
            ["FB II"],
            "Zugewanderte",
        ),
        (24, 1): (
            "Case Management für Neuzugewanderte",
            "FB II",
            ["KI", "ABH", "Jobcenter"],
            "Neuzugewanderte",
        ),
        (24, 2): (
            "Rechtskreisübergreifende Steuerungsgruppe",
            "FB II",
            ["KI", "Jobcenter", "ABH"],
            "Verwaltung und Träger",
        ),
    },
    "changed": {
        "2.2": {"title": "Digitale Übersicht aller Sprachkurse mit Platzbörse"},
        "5.2": {"lead": "FB II"},
        "9.2": {"status": S.IN_PROGRESS, "end_on": 3},
        "13.2": {"target_group": "Nichtschwimmerinnen und Nichtschwimmer jeden Alters"},
        "16.2": {"status": S.DISCARDED},
        "20.5": {"status": S.IN_PROGRESS, "end_on": 1},
    },
}

NOTES = {
    S.PLANNED: [
        "Konzept in der Steuerungsgruppe vorgestellt; Start nach Klärung der Finanzierung.",
        "Erste Gespräche mit den Beteiligten geführt.",
    ],
    S.IN_PROGRESS: [
        "Angebot läuft; die Nachfrage ist höher als erwartet.",
        "Zwischenstand im Runden Tisch berichtet; Kooperation mit den Partnern läuft gut.",
        "Personalwechsel beim Träger, Angebot läuft mit Verzögerung weiter.",
        "Fördermittel bewilligt, Umsetzung in zwei Stadtteilen begonnen.",
        "Teilnehmendenzahlen stabil; Ausweitung auf die Nordstadt in Vorbereitung.",
    ],
    S.DONE: [
        "Maßnahme abgeschlossen, Ergebnisse im Sozialausschuss vorgestellt.",
        "Ziel erreicht; das Angebot ist in die Regelstruktur übergegangen.",
    ],
    S.PERMANENT: [
        "Als Daueraufgabe in den Fachbereich übernommen.",
        "Läuft dauerhaft; jährlicher Bericht im Runden Tisch.",
    ],
    S.DEFERRED: ["Zurückgestellt, bis die Finanzierung geklärt ist."],
    S.DISCARDED: ["Verworfen: das Angebot des Kreises deckt den Bedarf bereits ab."],
}
