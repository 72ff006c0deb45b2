"""Demo network of the fictional town of Wiesenbrück (district of Hollerland).

Idempotent: the fixed organisations and circles are created once; people are
topped up to ``PEOPLE_PER_SCALE × scale``, so ``--scale 10`` gives 5,000 people.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from integration.core.models import FieldOfAction

from .languages import LANGUAGES
from .models import (
    Affiliation,
    Circle,
    CircleMembership,
    Consent,
    Language,
    Organisation,
    Person,
)
from .services import network

PEOPLE_PER_SCALE = 500
ROUND_TABLE = "Runder Tisch Integration Wiesenbrück"
GUIDES_POOL = "Integrationslotsen-Pool"
DEMO_EMAIL_DOMAIN = "demo.wiesenbrueck.example"

K = Organisation.Kind
ORGANISATIONS = [
    # name, short name, kind, volunteer?, fields of action (by name prefix)
    (
        "Stadt Wiesenbrück – FB II Familie & Soziales",
        "FB II",
        K.ADMINISTRATION,
        False,
        ["Beratung", "Frauen", "Wohnen"],
    ),
    ("Stadt Wiesenbrück – Ordnungsamt", "FB III", K.ADMINISTRATION, False, ["Sicherheit"]),
    (
        "Jobcenter Hollerland, Geschäftsstelle Wiesenbrück",
        "Jobcenter",
        K.JOBCENTER,
        False,
        ["Arbeit"],
    ),
    ("Ausländerbehörde Kreis Hollerland", "ABH", K.FOREIGNERS_OFFICE, False, ["Sicherheit"]),
    (
        "Kommunales Integrationszentrum Kreis Hollerland",
        "KI",
        K.INTEGRATION_CENTRE,
        False,
        ["Sprache", "Beratung"],
    ),
    ("Caritasverband Wiesenbrück", "Caritas", K.WELFARE, False, ["Beratung", "Gesundheit"]),
    ("Diakonisches Werk Hollerland", "Diakonie", K.WELFARE, False, ["Wohnen", "Beratung"]),
    ("AWO Ortsverein Wiesenbrück", "AWO", K.WELFARE, False, ["Frauen"]),
    ("DRK-Kreisverband Hollerland", "DRK", K.WELFARE, False, ["Gesundheit", "Wohnen"]),
    ("Migrationsberatung für Erwachsene (Caritas)", "MBE", K.COUNSELLING, False, ["Beratung"]),
    ("Jugendmigrationsdienst Wiesenbrück", "JMD", K.COUNSELLING, False, ["Arbeit", "Sprache"]),
    ("Gesamtschule Am Lindenhof", "GE Lindenhof", K.SCHOOL, False, ["Sprache"]),
    ("Kita Regenbogen", "", K.SCHOOL, False, ["Sprache", "Frauen"]),
    ("Polizeiwache Wiesenbrück", "Polizei", K.POLICE, False, ["Sicherheit"]),
    ("Kreishandwerkerschaft Hollerland", "KHW", K.EMPLOYER, False, ["Arbeit"]),
    ("Volkshochschule Hollerland", "VHS", K.OTHER, False, ["Sprache"]),
    ("TuS Wiesenbrück 1911 e. V.", "TuS", K.CLUB, True, ["Soziokulturelle"]),
    (
        "Deutsch-Syrischer Kulturverein Hollerland e. V.",
        "",
        K.MIGRANT_ORGANISATION,
        True,
        ["Soziokulturelle"],
    ),
    ("Afghanischer Frauenverein Hollerland", "", K.MIGRANT_ORGANISATION, True, ["Frauen"]),
    (
        "Flüchtlingsinitiative „Willkommen in Wiesenbrück“",
        "Willkommensinitiative",
        K.VOLUNTEER_INITIATIVE,
        True,
        ["Soziokulturelle", "Beratung", "Sprache"],
    ),
    ("Integrationslotsen Wiesenbrück", "Lotsen", K.VOLUNTEER_INITIATIVE, True, ["Beratung"]),
    ("Sprachcafé im Bürgerhaus", "", K.VOLUNTEER_INITIATIVE, True, ["Sprache"]),
    ("Kleiderkammer St. Marien", "", K.VOLUNTEER_INITIATIVE, True, []),
]

C = Circle.Kind
CIRCLES = [
    (
        ROUND_TABLE,
        C.ROUND_TABLE,
        "Trifft sich viermal im Jahr im Ratssaal; offen für alle Akteure.",
    ),
    (
        "Koordinierungsstab Migration und Teilhabe",
        C.COORDINATION_STAFF,
        "Behörden, Wohlfahrtsverbände und Polizei; Geschäftsführung beim FB II.",
    ),
    ("AG Sprache & Bildung", C.WORKING_GROUP, "Sprachkurse, Sprachcafés, Schulen und Kitas."),
    ("AG Arbeit & Ausbildung", C.WORKING_GROUP, "Praktika, Anerkennung, Ausbildung."),
    (GUIDES_POOL, C.GUIDES_POOL, "Ehrenamtliche, die zu Ämtern und Ärzten begleiten."),
]

# Transliterated names for the guides; the rest come from Faker's German locale.
GUIDES = [
    ("Amina", "Haddad", ["ar", "de", "en"]),
    ("Yusuf", "Rahimi", ["prs", "fa", "de"]),
    ("Tarek", "Al-Masri", ["ar", "de"]),
    ("Olena", "Kovalenko", ["uk", "ru", "de"]),
    ("Ahmad", "Sultani", ["ps", "prs", "de"]),
    ("Leyla", "Demir", ["tr", "kmr", "de"]),
    ("Saba", "Karimi", ["fa", "de", "en"]),
    ("Samir", "Nasser", ["ar", "fr", "de"]),
    ("Nadia", "Hosseini", ["prs", "de"]),
    ("Dmytro", "Shevchuk", ["uk", "ru", "pl"]),
    ("Rana", "Aziz", ["ckb", "ar", "de"]),
    ("Mebrat", "Tesfaye", ["ti", "am", "de"]),
]

FUNCTIONS = [
    "Sachbearbeitung",
    "Leitung",
    "Beratung",
    "Ehrenamtskoordination",
    "Schulsozialarbeit",
    "Fallmanagement",
    "Vorstand",
    "Mitglied",
    "Integrationsbeauftragte/r",
]


def _ascii(name: str) -> str:
    """An email-safe form of a German name: "Jürgen Bähr" → "juergen", "baehr"."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.lower().replace(umlaut, spelled)
    return "".join(char for char in name if char.isascii() and (char.isalnum() or char == "-"))


def _fields_by_prefix() -> dict[str, FieldOfAction]:
    return {field.name: field for field in FieldOfAction.objects.all()}


def _pick_fields(all_fields: dict[str, FieldOfAction], prefixes: list[str]) -> list:
    return [f for name, f in all_fields.items() if any(name.startswith(p) for p in prefixes)]


def _base_network() -> None:
    all_fields = _fields_by_prefix()
    for name, short, kind, volunteer, prefixes in ORGANISATIONS:
        network.organisation_create(
            by=None,
            name=name,
            short_name=short,
            kind=kind,
            staffing=Organisation.Staffing.VOLUNTEER
            if volunteer
            else Organisation.Staffing.PROFESSIONAL,
            street="Marktplatz 1" if kind == K.ADMINISTRATION else "",
            postal_code="49999",
            city="Wiesenbrück",
            fields_of_action=_pick_fields(all_fields, prefixes),
        )
    for name, kind, description in CIRCLES:
        network.circle_create(by=None, name=name, kind=kind, description=description)
    # The coordination staff is made of organisations, as in Peine.
    staff = Circle.objects.get(kind=C.COORDINATION_STAFF)
    for organisation in Organisation.objects.filter(is_archived=False, staffing="professional"):
        network.membership_add(by=None, circle=staff, organisation=organisation)


@transaction.atomic
def _add_people(count: int, start: int, rng: random.Random, fake: Faker) -> None:
    organisations = list(Organisation.objects.all())
    languages = {language.code: language for language in Language.objects.all()}
    circles = {circle.name: circle for circle in Circle.objects.all()}
    working_groups = [c for c in circles.values() if c.kind == C.WORKING_GROUP]
    today = timezone.localdate()
    now = timezone.now()

    people = []
    specs = []
    for index in range(start, start + count):
        if index < len(GUIDES):
            first, last, codes = GUIDES[index]
            volunteer = True
            salutation = Person.Salutation.NONE
        else:
            salutation = rng.choice([Person.Salutation.MS, Person.Salutation.MR])
            female = salutation == Person.Salutation.MS
            first = fake.first_name_female() if female else fake.first_name_male()
            last = fake.last_name()
            volunteer = rng.random() < 0.45
            extra = rng.sample(["en", "ar", "tr", "ru", "fr", "uk", "fa"], rng.randint(0, 2))
            codes = ["de", *extra]
        email = f"{_ascii(first)}.{_ascii(last)}.{index}@{DEMO_EMAIL_DOMAIN}"
        people.append(
            Person(
                salutation=salutation,
                first_name=first,
                last_name=last,
                email=email,
                phone=fake.phone_number() if rng.random() < 0.7 else "",
                is_volunteer=volunteer,
                last_activity_at=now - timedelta(days=rng.randint(0, 900)),
            )
        )
        specs.append((index, volunteer, codes))
    created = bulk_create_with_history(people, Person, batch_size=500)
    if len(created) != len(people) or created[0].pk is None:
        created = list(Person.objects.filter(email__in=[p.email for p in people]).order_by("pk"))

    language_links, affiliations, consents, memberships = [], [], [], []
    through = Person.languages.through
    for person, (index, volunteer, codes) in zip(created, specs, strict=True):
        for code in codes:
            language_links.append(through(person_id=person.pk, language_id=languages[code].pk))
        organisation = rng.choice(organisations)
        if volunteer and index < len(GUIDES):
            organisation = next(o for o in organisations if o.short_name == "Lotsen")
        affiliations.append(
            Affiliation(
                person=person,
                organisation=organisation,
                function=rng.choice(FUNCTIONS),
                start_date=today - timedelta(days=rng.randint(30, 3000)),
            )
        )
        if volunteer:
            # Most volunteers consented in writing; some never did, a few withdrew.
            roll = rng.random()
            if index < 45:
                # Sitting at the round table includes agreeing to be asked.
                roll = min(roll, 0.5)
            if roll < 0.8:
                for purpose in (Consent.Purpose.SURVEYS, Consent.Purpose.INVITATIONS):
                    consents.append(
                        Consent(
                            person=person,
                            purpose=purpose,
                            basis=Consent.Basis.CONSENT,
                            method=rng.choice([Consent.Method.WRITTEN, Consent.Method.ONLINE]),
                            given_on=today - timedelta(days=rng.randint(10, 700)),
                            withdrawn_at=now - timedelta(days=3) if roll > 0.75 else None,
                        )
                    )
        else:
            for purpose in Consent.Purpose:
                consents.append(
                    Consent(
                        person=person,
                        purpose=purpose,
                        basis=Consent.Basis.PROFESSIONAL,
                        method=Consent.Method.OFFICIAL,
                        given_on=today - timedelta(days=rng.randint(10, 700)),
                    )
                )
        # The first 45 people sit at the round table; guides are in the pool;
        # every tenth person works in a working group.
        if index < 45:
            role = CircleMembership.Role.CHAIR if index == 0 else CircleMembership.Role.MEMBER
            memberships.append(
                CircleMembership(
                    circle=circles[ROUND_TABLE],
                    person=person,
                    role=role,
                    start_date=today - timedelta(days=400),
                )
            )
        if index < len(GUIDES):
            memberships.append(
                CircleMembership(circle=circles[GUIDES_POOL], person=person, start_date=today)
            )
        if index % 10 == 5 and working_groups:
            memberships.append(
                CircleMembership(circle=rng.choice(working_groups), person=person, start_date=today)
            )
    through.objects.bulk_create(language_links, batch_size=1000)
    bulk_create_with_history(affiliations, Affiliation, batch_size=1000)
    Consent.objects.bulk_create(consents, batch_size=1000)
    bulk_create_with_history(memberships, CircleMembership, batch_size=1000)


def seed(*, scale: int, stdout) -> dict:
    """Create the demo network; existing demo rows stay, people are topped up."""
    # Reference data from a migration; a test database flushed between tests lacks it.
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    with transaction.atomic():
        if not Organisation.objects.filter(name=ORGANISATIONS[0][0]).exists():
            _base_network()
    existing = Person.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count()
    target = PEOPLE_PER_SCALE * scale
    if existing < target:
        # Seeded by position, so the same scale always yields the same town.
        rng = random.Random(existing)  # noqa: S311 - demo data, not security
        fake = Faker("de_DE")
        fake.seed_instance(existing)
        for start in range(existing, target, 1000):
            _add_people(min(1000, target - start), start, rng, fake)
    return {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "circles": Circle.objects.count(),
    }
