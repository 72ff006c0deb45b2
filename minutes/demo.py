"""Demo committee work of Wiesenbrück: three bodies with two years of meetings.

The Ausschuss für Soziales, Bildung und Integration (11 members, the demo login
"gremium" among them), the Integrationsrat and the informal Runder Tisch
Integration (the network's round-table circle). Held meetings have attendance,
public and non-public items, papers (numbered by the papers service), minutes,
resolutions (unanimous like Schwelm's, referred to the council like Ascheberg's,
counted votes) and tasks (open, overdue, done); minutes are published up to the
previous meeting; two meetings lie ahead. Fictional; created once (idempotent).
"""

import random
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils import timezone

from actors.demo import ROUND_TABLE
from actors.models import Affiliation, Circle, Consent, Organisation, Person
from integration.core.models import User

from .models import (
    AgendaItem,
    Attendance,
    Body,
    Consultation,
    FollowUpTask,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Paper,
    Resolution,
)
from .services import bodies as body_services
from .services import papers as paper_services

COMMITTEE = "Ausschuss für Soziales, Bildung und Integration"
INTEGRATION_COUNCIL = "Integrationsrat"
ROUND_TABLE_BODY = "Runder Tisch Integration"
COUNCIL = "Rat der Stadt Wiesenbrück"
EMAIL_DOMAIN = "rat.wiesenbrueck.example"
TERM_START, FORMER_TERM_START = date(2025, 11, 1), date(2020, 11, 1)
R = Membership.Role
PK, RK, V = Paper.Kind, Resolution.Kind, Resolution.Vote

# Members: first name, last name, salutation, role, on behalf of, from, until.
COMMITTEE_MEMBERS = [
    ("Jürgen", "Hollmann", "mr", R.CHAIR, "CDU", None, None),
    ("Petra", "Lindemann", "ms", R.DEPUTY_CHAIR, "SPD", None, None),
    ("Heinrich", "Brockmeyer", "mr", R.MEMBER, "CDU", None, None),
    ("Aylin", "Yıldız", "ms", R.MEMBER, "Bündnis 90/Die Grünen", None, None),
    ("Markus", "Tepe", "mr", R.MEMBER, "FDP", None, None),
    ("Wilhelm", "Gerdes", "mr", R.MEMBER, "CDU", None, TERM_START - timedelta(days=1)),
    ("Gisela", "Vornholt", "ms", R.MEMBER, "CDU", TERM_START, None),
    ("Reinhard", "Osterkamp", "mr", R.CITIZEN, "SPD", None, None),
    ("Maria", "Santos", "ms", R.CITIZEN, "Bündnis 90/Die Grünen", None, None),
    ("Kemal", "Aydın", "mr", R.ADVISORY, "Integrationsrat", None, None),
    ("Anke", "Wittrock", "ms", R.SECRETARY, "FB II Familie & Soziales", None, None),
]
COUNCIL_MEMBERS = [
    ("Kemal", "Aydın", "mr", R.CHAIR, "Internationale Liste", None, None),
    ("Olga", "Becker", "ms", R.DEPUTY_CHAIR, "Liste Vielfalt", None, None),
    ("Nour", "Al-Khatib", "ms", R.MEMBER, "Internationale Liste", None, None),
    ("Minh", "Tran", "mr", R.MEMBER, "Liste Vielfalt", None, None),
    ("Fatma", "Özdemir", "ms", R.MEMBER, "Internationale Liste", None, None),
    ("Elif", "Kaya", "ms", R.MEMBER, "Liste Vielfalt", TERM_START, None),
    ("Heinrich", "Brockmeyer", "mr", R.MEMBER, "Ratsmitglied (CDU)", None, None),
    ("Petra", "Lindemann", "ms", R.MEMBER, "Ratsmitglied (SPD)", None, None),
    ("Anke", "Wittrock", "ms", R.SECRETARY, "FB II Familie & Soziales", None, None),
]
# Public topics: title, kind of paper, kind of resolution (None: counted vote).
TOPICS = [
    ("Bericht der Integrationskoordination zum Umsetzungsstand", PK.INFORMATION, RK.NOTED),
    ("Sprachkursangebote: Bedarf und Träger", PK.INFORMATION, RK.NOTED),
    ("Fortschreibung des Integrationskonzepts: Beteiligung", PK.RESOLUTION_PROPOSAL, RK.ADOPTED),
    ("Förderrichtlinie Ehrenamt in der Flüchtlingshilfe", PK.RESOLUTION_PROPOSAL, None),
    ("Antrag: Sprachcafé im Bürgerhaus dauerhaft sichern", PK.MOTION, RK.ADOPTED),
    ("Anfrage: Wartezeiten bei der Ausländerbehörde", PK.INQUIRY, RK.NOTED),
    ("Unterbringung Geflüchteter: Lagebericht", PK.INFORMATION, RK.NOTED),
    ("Kita-Plätze für neu zugewanderte Familien", PK.RESOLUTION_PROPOSAL, RK.POSTPONED),
    ("Integrationslotsen: Jahresbericht", PK.INFORMATION, RK.NOTED),
    ("Antrag: Dolmetscherpool für Arztbesuche", PK.MOTION, RK.REJECTED),
]
# Non-public items: obviously internal matters, per body.
NONPUBLIC = {
    COMMITTEE: [
        "Personalangelegenheit: Besetzung der Stelle Integrationsmanagement",
        "Vergabeangelegenheit: Auftrag Sprachkursträger (Angebote der Bieter)",
        "Grundstücksangelegenheit: Anmietung einer Unterkunft in der Lindenstraße",
    ],
    INTEGRATION_COUNCIL: [
        "Vertraulich: Härtefallersuchen einer Familie aus Wiesenbrück-Nord",
        "Personalangelegenheit: Nachbesetzung der Geschäftsführung des Integrationsrates",
    ],
}
ROUND_TABLE_TOPICS = [
    "Berichte aus den Arbeitsgruppen",
    "Vorstellung: Migrationsberatung für Erwachsene",
    "Wohnraum für Geflüchtete: Erfahrungen der Initiativen",
    "Planung der Interkulturellen Woche",
    "Neue Angebote der Volkshochschule",
]
SCHWELM = (
    "Bericht über den Workshop Kommunales Integrationsmanagement",
    "Das Thema Kommunales Integrationsmanagement wird zukünftig im Rahmen der monatlichen "
    "Treffen des Integrationsrates mitbehandelt.",
)
ASCHEBERG = (
    "Einrichtung einer Stelle Arbeits- und Integrationsmanagement",
    "Der Ausschuss verweist die Vorlage einstimmig zur Weiterberatung an den Rat.",
)
TWISTRINGEN = "Integration: Stellenprofil für eine Stelle Integrationsmanagement"
SUPPLEMENT = "Stellenprofil für die Schaffung einer entsprechenden Stelle"


def _person(first, last, salutation, fb2=None) -> Person:
    email = f"{first[0].lower()}.{last.lower().replace(' ', '')}@{EMAIL_DOMAIN}"
    email = email.translate(str.maketrans({"ı": "i", "ö": "oe", "ü": "ue", "ä": "ae"}))
    names = {"first_name": first, "last_name": last, "salutation": salutation}
    person, created = Person.objects.get_or_create(email=email, defaults=names)
    if created:
        for purpose in (Consent.Purpose.INVITATIONS, Consent.Purpose.TASKS):
            official = {"basis": "professional", "method": "official", "given_on": TERM_START}
            Consent.objects.create(person=person, purpose=purpose, **official)
        if fb2 is not None and last == "Wittrock":
            Affiliation.objects.create(person=person, organisation=fb2, function="Sachbearbeitung")
    return person


def _gremium_person() -> Person | None:
    """The demo login "gremium" as a network person (idempotent)."""
    user = User.objects.filter(username="gremium").first()
    if user is None:
        return None
    names = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    return Person.objects.get_or_create(user=user, defaults={**names, "salutation": "ms"})[0]


def _members(body, rows, people, by, extra=()) -> None:
    for first, last, _salutation, role, on_behalf_of, start, end in [*extra, *rows]:
        body_services.membership_create(
            by=by,
            body=body,
            person=people[(first, last)],
            role=role,
            on_behalf_of=on_behalf_of,
            start_date=start or FORMER_TERM_START,
            end_date=end,
        )


def _schedule(first: date, today: date, weeks: tuple[int, int], rng) -> list[date]:
    dates, day = [], first
    while day < today:
        if (1, 7) <= (day.month, day.day) <= (12, 18):  # no meetings over the holidays
            dates.append(day)
        day += timedelta(weeks=rng.randint(*weeks))
    return dates


class _Seeder:
    """Builds one body's meetings; state shared across bodies (papers, the clock)."""

    def __init__(self, *, by, fb2, council, today, rng):
        self.by, self.fb2, self.council, self.today, self.rng = by, fb2, council, today, rng
        self.topic, self.main_paper = 0, None

    def paper(self, title, kind, day, *, is_public=True, author=None, main=None) -> Paper:
        common = {"title": title, "date": day, "text": f"Sachverhalt: {title}.", "author": author}
        if main is not None:
            return paper_services.paper_supplement_create(by=self.by, main_paper=main, **common)
        return paper_services.paper_create(
            by=self.by, kind=kind, lead_department=self.fb2, is_public=is_public, **common
        )

    def meeting(self, body, day, *, location, status, members, start=time(18, 0)):
        meeting = Meeting.objects.create(
            body=body, date=day, start_time=start, location=location, status=status
        )
        if status == Meeting.Status.HELD:
            meeting.end_time = time(start.hour + 2, self.rng.choice([0, 15, 30, 52]))
            meeting.save(update_fields=["end_time"])
            seated = [m for m in members if (m.start_date or day) <= day <= (m.end_date or day)]
            excused = {m.pk for m in seated if m.role != R.CHAIR and self.rng.random() < 0.1}
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting,
                    person=m.person,
                    status="excused" if m.pk in excused else "present",
                    has_vote=m.has_vote,
                    function=m.on_behalf_of,
                )
                for m in seated
            )
        return meeting

    def item(self, meeting, position, numbers, title, *, is_public=True, paper=None, text=""):
        key = "public" if is_public else "nonpublic"
        numbers[key] += 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            number=numbers[key],
            is_public=is_public,
            title=title,
            paper=paper,
            minutes_text=text,
        )
        if paper is not None:
            role = "information" if paper.kind == PK.INFORMATION else "decision"
            Consultation.objects.create(paper=paper, body=meeting.body, role=role, agenda_item=item)
        return item

    def resolve(self, item, kind, text, *, counted=False, referred_to=None, vote=V.UNANIMOUS):
        present = item.meeting.attendances.filter(status="present", has_vote=True).count()
        values = {"kind": kind, "text": text, "vote": vote, "referred_to": referred_to}
        if counted:
            # A majority that fits the kind (a tie or more no votes reject).
            ayes, noes = (2, present - 3) if kind == RK.REJECTED else (present - 2, 1)
            values |= {"vote": V.COUNTED, "yes": ayes, "no": noes, "abstentions": 1, "biased": 0}
        if kind == RK.NOTED:
            values["vote"] = V.NONE
        return Resolution.objects.create(agenda_item=item, **values)

    def task(self, item, resolution, title, due, owner):
        task = FollowUpTask(
            agenda_item=item, resolution=resolution, title=title, due_on=due, created_by=self.by
        )
        if isinstance(owner, Organisation):
            task.owner_organisation = owner
        else:
            task.owner_person = owner
        done_share = 0.85 if due < self.today - timedelta(days=90) else 0.4
        if due < self.today and self.rng.random() < done_share:
            task.status, task.closed_on = FollowUpTask.Status.DONE, due - timedelta(days=5)
            task.closing_note = "Erledigt; Bericht in der folgenden Sitzung."
        elif due < self.today:
            task.status = self.rng.choice(
                [FollowUpTask.Status.OPEN, FollowUpTask.Status.IN_PROGRESS]
            )
        task.save()
        return task

    def formal_meeting(self, body, day, *, location, members, status, index):
        secretary = self.secretary
        meeting = self.meeting(body, day, location=location, status=status, members=members)
        held = status == Meeting.Status.HELD
        numbers, position = {"public": 0, "nonpublic": 0}, 0
        chair = next(m.person for m in members if m.role == R.CHAIR)
        speaker = self.rng.choice([m.person for m in members if m.role == R.MEMBER])

        def add(title, **kwargs):
            nonlocal position
            position += 1
            return self.item(meeting, position, numbers, title, **kwargs)

        add(
            "Eröffnung und Feststellung der Beschlussfähigkeit",
            text="Die Sitzung wird ordnungsgemäß eröffnet." if held else "",
        )
        if index:
            add("Genehmigung der Niederschrift der letzten Sitzung")
        specials = self.specials(body, index)
        for title, kind, outcome in specials or [
            TOPICS[(self.topic + n) % len(TOPICS)] for n in (0, 1)
        ]:
            if not specials:
                self.topic += 1
            main = self.main_paper if title == TWISTRINGEN and self.main_paper else None
            paper = self.paper(
                SUPPLEMENT if main else title,
                kind,
                day - timedelta(days=14),
                author=secretary,
                main=main,
            )
            if title == TWISTRINGEN and main is None:
                self.main_paper = paper
            minutes = (
                f"{secretary.first_name} {secretary.last_name} (Verwaltung) stellt die Vorlage "
                f"vor. {speaker} fragt nach den Kosten und dem Zeitplan. {chair} dankt für den "
                "Bericht."
            )
            item = add(title, paper=paper, text=minutes if held else "")
            if held:
                item.speakers.set([secretary, speaker, chair])
                self.outcome(item, title, outcome, chair, secretary)
        questions = add("Mitteilungen und Anfragen")
        if held and (self.today - day).days < 120:
            due = day + timedelta(days=150)
            self.task(
                questions, None, "Antwort auf Anfragen schriftlich nachreichen", due, self.fb2
            )
        internal = NONPUBLIC.get(body.name, [])
        if internal and index % 2 == 0:
            title = internal[(index // 2) % len(internal)]
            paper = None
            if title.startswith("Personal"):
                paper = self.paper(
                    title, PK.RESOLUTION_PROPOSAL, day - timedelta(days=10), is_public=False
                )
            add(title, is_public=False, paper=paper, text="Vertraulich beraten." if held else "")
        return meeting

    def specials(self, body, index):
        """The seeds' cases, each at a fixed meeting of its body."""
        if body.name == COMMITTEE and index == 3:
            return [
                (TWISTRINGEN, PK.INFORMATION, RK.NOTED),
                (ASCHEBERG[0], PK.RESOLUTION_PROPOSAL, RK.REFERRED),
            ]
        if body.name == COMMITTEE and index == 4:
            return [(TWISTRINGEN, PK.INFORMATION, RK.NOTED)]
        if body.name == INTEGRATION_COUNCIL and index == 2:
            return [(SCHWELM[0], PK.INFORMATION, RK.ADOPTED)]
        return None

    def outcome(self, item, title, outcome, chair, secretary):
        day = item.meeting.date
        if title == ASCHEBERG[0]:
            self.resolve(item, RK.REFERRED, ASCHEBERG[1], referred_to=self.council)
        elif title == SCHWELM[0]:
            self.resolve(item, RK.ADOPTED, SCHWELM[1])
        elif title == TWISTRINGEN:
            resolution = self.resolve(
                item, RK.NOTED, "Der Ausschuss nimmt den Bericht zur Kenntnis."
            )
            if item.paper.supplement == 0:
                self.task(
                    item,
                    resolution,
                    "Konkrete Stellenbeschreibung bis zum Ende des Jahres vorlegen",
                    date(day.year, 12, 31),
                    self.fb2,
                )
        elif outcome is None:
            resolution = self.resolve(
                item, RK.ADOPTED, "Die Förderrichtlinie wird beschlossen.", counted=True
            )
            self.task(
                item,
                resolution,
                "Förderrichtlinie veröffentlichen",
                day + timedelta(days=45),
                secretary,
            )
        else:
            text = {
                RK.NOTED: "Der Bericht wird zur Kenntnis genommen.",
                RK.ADOPTED: "Der Beschlussvorschlag wird angenommen.",
                RK.POSTPONED: "Die Beratung wird vertagt.",
                RK.REJECTED: "Der Antrag wird abgelehnt.",
            }[outcome]
            vote = V.NONE if outcome == RK.POSTPONED else V.UNANIMOUS
            counted = outcome == RK.REJECTED
            resolution = self.resolve(item, outcome, text, counted=counted, vote=vote)
            if outcome == RK.ADOPTED:
                owner = self.fb2 if self.rng.random() < 0.5 else secretary
                due = day + timedelta(days=self.rng.randint(60, 150))
                self.task(item, resolution, f"Umsetzung: {title}", due, owner)


def _publish_minutes(body) -> None:
    """Minutes up to the previous held meeting are approved at the next one and published."""
    held = list(body.meetings.filter(status=Meeting.Status.HELD).order_by("date"))
    for meeting, following in pairwise(held):
        meeting.minutes_status = Meeting.MinutesStatus.PUBLISHED
        meeting.minutes_approved_in = following
        meeting.minutes_published_at = timezone.make_aware(
            datetime.combine(following.date + timedelta(days=3), time(10))
        )
        meeting.save(
            update_fields=["minutes_status", "minutes_approved_in", "minutes_published_at"]
        )
    if held:
        held[-1].minutes_status = Meeting.MinutesStatus.DRAFT
        held[-1].save(update_fields=["minutes_status"])


BODIES = [
    # name, short name, kind, description
    (COUNCIL, "Rat", Body.Kind.COUNCIL, ""),
    (COMMITTEE, "ASBI", Body.Kind.COMMITTEE, "Fachausschuss für Soziales, Schule und Integration."),
    (
        INTEGRATION_COUNCIL,
        "IR",
        Body.Kind.INTEGRATION_COUNCIL,
        "Vertretung der Menschen mit Einwanderungsgeschichte (§ 27 GO NRW).",
    ),
]


def _bodies(*, by, people, gremium) -> dict[str, Body]:
    bodies = {
        name: body_services.body_create(
            by=by, name=name, short_name=short, kind=kind, description=description
        )
        for name, short, kind, description in BODIES
    }
    extra = [("Sabine", "Kortmann", "ms", R.MEMBER, "SPD", None, None)] if gremium else []
    _members(bodies[COMMITTEE], COMMITTEE_MEMBERS, people, by, extra=extra)
    _members(bodies[INTEGRATION_COUNCIL], COUNCIL_MEMBERS, people, by)
    circle = Circle.objects.filter(name=ROUND_TABLE).first()
    round_table = body_services.body_create(
        by=by,
        name=ROUND_TABLE_BODY,
        short_name="RTI",
        kind=Body.Kind.ROUND_TABLE,
        description="Offener Austausch der Akteure; viermal im Jahr im Ratssaal.",
        circle=circle,
        is_public=False,
        take_over_circle_members=circle is not None,
    )
    round_table.memberships.update(start_date=FORMER_TERM_START)
    # The circle's first member chairs; the coordination keeps the minutes.
    round_table.memberships.filter(pk=round_table.memberships.order_by("pk")[:1]).update(
        role=R.CHAIR
    )
    wittrock = ("Anke", "Wittrock", "ms", R.SECRETARY, "Integrationskoordination", None, None)
    _members(round_table, [wittrock], people, by)
    bodies[ROUND_TABLE_BODY] = round_table
    return bodies


def _locations() -> list[Location]:
    rows = [("Ratssaal", "Marktplatz 1"), ("Sitzungsraum 2.14", "Marktplatz 1")]
    return [
        Location.objects.get_or_create(
            room=room,
            street_address=street,
            defaults={"postal_code": "49999", "locality": "Wiesenbrück"},
        )[0]
        for room, street in rows
    ]


@transaction.atomic
def seed(*, scale: int, stdout) -> dict:
    """Create the demo committee work once (after the network and the concept)."""
    gremium = _gremium_person()
    if not Body.objects.filter(name=COMMITTEE).exists():
        _seed_bodies(gremium=gremium)
    models = {"bodies": Body, "meetings": Meeting, "papers": Paper, "tasks": FollowUpTask}
    return {name: model.objects.count() for name, model in models.items()}


def _seed_bodies(*, gremium) -> None:
    by = User.objects.get(username="koordination")
    fb2 = Organisation.objects.filter(short_name="FB II").first()
    today = timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    for name, start, end in [
        ("Wahlperiode 2020–2025", FORMER_TERM_START, TERM_START - timedelta(days=1)),
        ("Wahlperiode 2025–2030", TERM_START, date(2030, 10, 31)),
    ]:
        LegislativeTerm.objects.get_or_create(
            name=name, defaults={"start_date": start, "end_date": end}
        )
    town_hall, small_room = _locations()
    people = {
        (first, last): _person(first, last, salutation, fb2)
        for first, last, salutation, *_rest in COMMITTEE_MEMBERS + COUNCIL_MEMBERS
    }
    if gremium is not None:
        people[("Sabine", "Kortmann")] = gremium
    bodies = _bodies(by=by, people=people, gremium=gremium)
    seeder = _Seeder(by=by, fb2=fb2, council=bodies[COUNCIL], today=today, rng=rng)
    seeder.secretary = people[("Anke", "Wittrock")]
    start = today - timedelta(days=730)
    plan = [
        (bodies[COMMITTEE], town_hall, (6, 8), 10, Meeting.Status.INVITED),
        (bodies[INTEGRATION_COUNCIL], small_room, (6, 8), 40, Meeting.Status.PLANNED),
    ]
    for body, location, weeks, ahead, upcoming_status in plan:
        members = list(body.memberships.select_related("person"))
        first = start + timedelta(days=(3 - start.weekday()) % 7)  # a Thursday
        dates = _schedule(first, today, weeks, rng)
        upcoming = today + timedelta(days=ahead + (3 - (today.weekday() + ahead)) % 7)
        for index, day in enumerate([*dates, upcoming]):
            status = Meeting.Status.HELD if day < today else upcoming_status
            seeder.formal_meeting(
                body, day, location=location, members=members, status=status, index=index
            )
        _publish_minutes(body)
    round_table = bodies[ROUND_TABLE_BODY]
    members = list(round_table.memberships.select_related("person"))
    first = start + timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday
    for index, day in enumerate(_schedule(first, today, (13, 13), rng)):
        held, start_time = Meeting.Status.HELD, time(17, 0)
        meeting = seeder.meeting(
            round_table, day, location=town_hall, status=held, members=members, start=start_time
        )
        numbers, topic = {"public": 0, "nonpublic": 0}, ROUND_TABLE_TOPICS[index % 5]
        for position, title in enumerate(["Begrüßung", topic, "Verschiedenes"], start=1):
            seeder.item(meeting, position, numbers, title, text=f"Austausch: {title}.")
    _publish_minutes(round_table)
