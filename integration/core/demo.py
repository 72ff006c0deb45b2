"""Demo data of the core app: one login per role and the fields of action.

``seed_demo`` calls ``seed()`` of every app that has a ``demo`` module, in the
order of INSTALLED_APPS; each seeder is idempotent.
"""

from django.db import transaction

from . import services
from .models import FieldOfAction, User
from .roles import Role

# Published on purpose: demo logins exist only in laptop and benchmark databases.
DEMO_PASSWORD = "Wiesenbrueck-2026"  # noqa: S105

DEMO_LOGINS = (
    # username, role, first name, last name, email
    ("koordination", Role.COORDINATION, "Miriam", "Albers", "m.albers@wiesenbrueck.example"),
    ("verwaltung", Role.ADMINISTRATION, "Thomas", "Brinkmann", "t.brinkmann@wiesenbrueck.example"),
    ("gremium", Role.COMMITTEE_MEMBER, "Sabine", "Kortmann", "s.kortmann@wiesenbrueck.example"),
)

FIELDS_OF_ACTION = (
    ("Wohnen & Unterbringung", "Unterkünfte, Wohnungssuche, Nachbarschaft"),
    ("Sprache & Bildung", "Integrationskurse, Sprachcafés, Kita und Schule"),
    ("Arbeit & Ausbildung", "Anerkennung, Praktika, Ausbildung, Jobcenter"),
    ("Gesundheit", "Zugang zum Gesundheitssystem, Dolmetschen, psychosoziale Hilfe"),
    ("Sicherheit & Ordnung", "Ausländerbehörde, Polizei, Prävention"),
    ("Soziokulturelle Teilhabe", "Vereine, Sport, Kultur, Begegnung"),
    ("Beratung & Orientierung", "Migrationsberatung, Lotsen, Hilfe bei Formularen"),
    ("Frauen & Familie", "Angebote für geflüchtete Frauen, Familienbildung"),
)


@transaction.atomic
def seed(*, scale: int, stdout) -> dict:
    """Create the role logins and the fields of action; existing rows stay untouched."""
    services.roles_sync()
    logins = []
    for username, role, first_name, last_name, email in DEMO_LOGINS:
        if not User.objects.filter(username=username).exists():
            services.user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
        logins.append((username, role.label))
    existing = {name.lower() for name in FieldOfAction.objects.values_list("name", flat=True)}
    for name, description in FIELDS_OF_ACTION:
        if name.lower() not in existing:
            services.fieldofaction_create(by=None, name=name, description=description)
    return {"logins": logins, "password": DEMO_PASSWORD}
