"""Demo surveys of Wiesenbrück: the closed round-table survey and a running one.

The closed one mirrors Twistringen's Bedarfsabfrage of 2020: 45 members of the
round table asked what a new integration officer should do, 7 answered, all
from refugee work. The running one asks the integration guides and working
groups about language courses and childcare. Idempotent: surveys are matched
by title and created once.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actors.demo import GUIDES_POOL, ROUND_TABLE
from actors.models import Circle
from integration.core.models import FieldOfAction, User

from . import tokens
from .models import Answer, Invitation, Mail, Question, ReminderRound, Response, ResponseDay, Survey
from .services import builder

CLOSED_TITLE = "Aufgaben einer neuen Fachkraft für Integration – Befragung des Runden Tisches"
RUNNING_TITLE = "Bedarfsabfrage Sprachkurse und Kinderbetreuung 2026/27"

K = Question.Kind
CLOSED_QUESTIONS = [
    # kind, text, required, options / labels
    (K.FIELDS_OF_ACTION, "In welchen Handlungsfeldern sehen Sie den größten Bedarf?", True, {}),
    (
        K.LONG_TEXT,
        "Welche Aufgaben sollte eine neue Fachkraft für Integration übernehmen?",
        True,
        {},
    ),
    (
        K.SCALE,
        "Wie gut ist Wiesenbrück im Handlungsfeld Integration aufgestellt?",
        True,
        {"scale_low_label": "sehr schlecht", "scale_high_label": "sehr gut"},
    ),
    (K.YES_NO, "Braucht es mehr Öffentlichkeitsarbeit zur Integration?", False, {}),
    (
        K.SINGLE_CHOICE,
        "Wäre ein Integrationsbeirat aus dem Kreis der Zugewanderten sinnvoll?",
        False,
        {"options": ["Ja", "Eher ja", "Eher nein", "Nein"]},
    ),
    (
        K.MULTIPLE_CHOICE,
        "In welchen Bereichen sind Sie tätig?",
        False,
        {
            "options": ["Flüchtlingsarbeit", "Sprachförderung", "Arbeitsmarkt", "Schule und Kita"],
            "allows_other": True,
        },
    ),
    (K.NUMBER, "Wie viele Stunden im Monat engagieren Sie sich?", False, {}),
]

# The seven answers, in the order of CLOSED_QUESTIONS (fields of action by name prefix,
# "+…" is the free text of "Sonstiges").
CLOSED_ANSWERS = [
    (
        ["Wohnen", "Beratung"],
        "Ansprechperson für die Ehrenamtlichen in der Flüchtlingsarbeit, Wohnungssuche.",
        4,
        True,
        "Eher ja",
        ["Flüchtlingsarbeit"],
        12,
    ),
    (
        ["Beratung", "Arbeit"],
        "Begleitung bei Behördengängen koordinieren; Übersicht der Angebote pflegen.",
        4,
        True,
        "Ja",
        ["Flüchtlingsarbeit", "Arbeitsmarkt"],
        8,
    ),
    (
        ["Sprache", "Beratung"],
        "Mehr Öffentlichkeitsarbeit: viele kennen die Angebote nicht.",
        5,
        True,
        "Eher ja",
        ["Flüchtlingsarbeit", "Sprachförderung"],
        20,
    ),
    (
        ["Wohnen"],
        "Unterstützung bei der Wohnungssuche für anerkannte Geflüchtete.",
        3,
        False,
        "Eher nein",
        ["Flüchtlingsarbeit", "+Kleiderkammer"],
        6,
    ),
    (
        ["Beratung", "Frauen"],
        "Angebote für geflüchtete Frauen bündeln, Kinderbetreuung während der Kurse.",
        4,
        True,
        "Ja",
        ["Flüchtlingsarbeit"],
        10,
    ),
    (
        ["Beratung"],
        "Koordination der Ehrenamtlichen, Fortbildungen anbieten.",
        4,
        None,
        "",
        ["Flüchtlingsarbeit"],
        15,
    ),
    (
        ["Sprache", "Wohnen", "Beratung"],
        "Öffentlichkeitsarbeit und ein Integrationsbeirat aus dem Kreis der Zugewanderten.",
        4,
        True,
        "Ja",
        ["Flüchtlingsarbeit", "Sprachförderung"],
        4,
    ),
]
# Days after the launch on which the seven answers came in.
CLOSED_ANSWER_DAYS = [1, 1, 3, 8, 9, 15, 16]

RUNNING_QUESTIONS = [
    (
        K.SINGLE_CHOICE,
        "Wie viele Personen in Ihrem Umfeld warten auf einen Integrationskurs?",
        True,
        {"options": ["keine", "1 bis 5", "6 bis 20", "mehr als 20"]},
    ),
    (K.YES_NO, "Fehlt Kinderbetreuung während der Kurszeiten?", True, {}),
    (
        K.MULTIPLE_CHOICE,
        "Zu welchen Zeiten sollten Kurse stattfinden?",
        False,
        {"options": ["vormittags", "nachmittags", "abends", "am Wochenende"], "allows_other": True},
    ),
    (K.SHORT_TEXT, "Welche Sprachen werden in Ihrem Umfeld am meisten gesprochen?", False, {}),
    (K.LONG_TEXT, "Was sollte die Stadt aus Ihrer Sicht als Erstes angehen?", False, {}),
]
RUNNING_ANSWERS = [
    ("6 bis 20", True, ["vormittags"], "Arabisch, Dari", "Mehr Kurse mit Kinderbetreuung."),
    ("1 bis 5", True, ["abends"], "Ukrainisch", "Abendkurse für Berufstätige."),
    ("mehr als 20", True, ["vormittags", "nachmittags"], "Arabisch, Türkisch", ""),
    ("1 bis 5", False, ["am Wochenende"], "Farsi", "Fahrdienst zu den Kursen in der Kreisstadt."),
    ("6 bis 20", True, ["vormittags"], "Arabisch", ""),
    ("keine", False, [], "", ""),
    ("6 bis 20", True, ["nachmittags"], "Ukrainisch, Russisch", "Kita-Plätze!"),
    ("1 bis 5", True, ["vormittags", "abends"], "Tigrinya", ""),
    ("mehr als 20", True, ["vormittags"], "Arabisch, Kurdisch", "Sprachcafé ausbauen."),
]
RUNNING_ANSWER_DAYS = [0, 0, 1, 2, 2, 4, 7, 8, 11]


def _survey(*, by, title: str, questions, **fields) -> Survey:
    survey = Survey.objects.create(title=title, created_by=by, **fields)
    Question.objects.bulk_create(
        Question(
            survey=survey, position=position, kind=kind, text=text, is_required=required, **extra
        )
        for position, (kind, text, required, extra) in enumerate(questions, start=1)
    )
    return survey


def _launch(survey: Survey, *, by, launched_at) -> None:
    Survey.objects.filter(pk=survey.pk).update(
        status=Survey.Status.RUNNING, launched_at=launched_at, launched_by=by
    )
    invitations = list(survey.invitations.all())
    Mail.objects.bulk_create(
        Mail(
            invitation=invitation,
            kind=Mail.Kind.INVITATION,
            status=Mail.Status.SENT,
            due_at=launched_at,
            sent_at=launched_at + timedelta(seconds=index // 10),
            attempts=1,
        )
        for index, invitation in enumerate(invitations)
    )


def _answers(survey: Survey, rows, days, *, launched_at, rng: random.Random) -> None:
    """Answers of randomly chosen invited people; only named surveys link them."""
    questions = list(survey.questions.order_by("position"))
    fields = {f.name.split(" ")[0]: f.pk for f in FieldOfAction.objects.all()}
    invitations = rng.sample(list(survey.invitations.all()), len(rows))
    for invitation, row, day in zip(invitations, rows, days, strict=True):
        token = tokens.invitation_token(invitation)
        response = Response.objects.create(
            survey=survey,
            key_hash=tokens.response_key_hash(token),
            invitation=None if survey.is_anonymous else invitation,
        )
        answers = []
        for question, value in zip(questions, row, strict=True):
            answer = Answer(response=response, question=question)
            if value in ("", None, []):
                continue
            if question.kind == K.FIELDS_OF_ACTION:
                answer.choices = [fields[prefix] for prefix in value if prefix in fields]
            elif question.kind in (K.SHORT_TEXT, K.LONG_TEXT):
                answer.text = value
            elif question.kind in (K.SCALE, K.NUMBER):
                answer.number = value
            elif question.kind == K.YES_NO:
                answer.boolean = value
            elif question.kind == K.SINGLE_CHOICE:
                answer.choices = [value]
            else:
                answer.choices = [choice for choice in value if not choice.startswith("+")]
                answer.other_text = "".join(c[1:] for c in value if c.startswith("+"))
            answers.append(answer)
        Answer.objects.bulk_create(answers)
        Invitation.objects.filter(pk=invitation.pk).update(
            has_responded=True, opened_at=launched_at + timedelta(days=day, hours=2)
        )
        day_row, _created = ResponseDay.objects.get_or_create(
            survey=survey, day=timezone.localdate(launched_at + timedelta(days=day))
        )
        ResponseDay.objects.filter(pk=day_row.pk).update(responses=F("responses") + 1)


def _opened(survey: Survey, count: int, *, launched_at, rng: random.Random) -> None:
    """Some opened the link and did not answer."""
    silent = list(survey.invitations.filter(has_responded=False).order_by("pk"))
    for day, invitation in enumerate(rng.sample(silent, min(count, len(silent)))):
        Invitation.objects.filter(pk=invitation.pk).update(
            opened_at=launched_at + timedelta(days=day % 10, hours=5)
        )


def _reminders(survey: Survey, *, by, launched_at) -> None:
    for number, day in enumerate(survey.reminder_days, start=1):
        sent_at = launched_at + timedelta(days=day)
        if sent_at > timezone.now():
            break
        reminder_round = ReminderRound.objects.create(survey=survey, number=number, day=day)
        ReminderRound.objects.filter(pk=reminder_round.pk).update(created_at=sent_at)
        Mail.objects.bulk_create(
            Mail(
                invitation=invitation,
                kind=Mail.Kind.REMINDER,
                reminder_round=reminder_round,
                status=Mail.Status.SENT,
                due_at=sent_at,
                sent_at=sent_at,
                attempts=1,
            )
            for invitation in survey.invitations.filter(has_responded=False)
        )


def seed(*, scale: int, stdout) -> dict:
    """Create the two demo surveys once."""
    by = User.objects.filter(username="koordination").first()
    today = timezone.localdate()
    rng = random.Random(2020)  # noqa: S311 - demo data, not security
    contact = {
        "contact_name": "Miriam Albers",
        "contact_email": "integration@wiesenbrueck.example",
    }
    if not Survey.objects.filter(title=CLOSED_TITLE).exists():
        with transaction.atomic():
            opens_on = today - timedelta(days=240)
            survey = _survey(
                by=by,
                title=CLOSED_TITLE,
                questions=CLOSED_QUESTIONS,
                introduction=(
                    "Der Ausschuss für Soziales hat beschlossen, die Mitglieder des Runden "
                    "Tisches zu fragen, welche Aufgaben eine neue Fachkraft für Integration "
                    "übernehmen soll. Ihre Antworten fließen in die Stellenbeschreibung ein."
                ),
                closing_text="Vielen Dank! Die Ergebnisse stellen wir im Ausschuss vor.",
                opens_on=opens_on,
                closes_on=opens_on + timedelta(days=27),
                is_anonymous=True,
                reminder_days=[7, 14],
                **contact,
            )
            builder.recipients_add(
                by=by, survey=survey, circles=list(Circle.objects.filter(name=ROUND_TABLE))
            )
            launched_at = survey.opens_at + timedelta(hours=9)
            _launch(survey, by=by, launched_at=launched_at)
            _answers(survey, CLOSED_ANSWERS, CLOSED_ANSWER_DAYS, launched_at=launched_at, rng=rng)
            _opened(survey, 6, launched_at=launched_at, rng=rng)
            _reminders(survey, by=by, launched_at=launched_at)
            Survey.objects.filter(pk=survey.pk).update(
                status=Survey.Status.CLOSED, closed_at=survey.closes_at
            )
    if not Survey.objects.filter(title=RUNNING_TITLE).exists():
        with transaction.atomic():
            opens_on = today - timedelta(days=12)
            survey = _survey(
                by=by,
                title=RUNNING_TITLE,
                questions=RUNNING_QUESTIONS,
                introduction=(
                    "Für die Planung der Integrationskurse 2027 möchten wir wissen, wo Kurse und "
                    "Kinderbetreuung fehlen. Die Befragung ist anonym."
                ),
                closing_text="Danke für Ihre Unterstützung!",
                opens_on=opens_on,
                closes_on=today + timedelta(days=16),
                is_anonymous=True,
                reminder_days=[7, 14],
                **contact,
            )
            circles = Circle.objects.filter(kind=Circle.Kind.WORKING_GROUP) | Circle.objects.filter(
                name=GUIDES_POOL
            )
            builder.recipients_add(by=by, survey=survey, circles=list(circles))
            launched_at = survey.opens_at + timedelta(hours=10)
            _launch(survey, by=by, launched_at=launched_at)
            _answers(survey, RUNNING_ANSWERS, RUNNING_ANSWER_DAYS, launched_at=launched_at, rng=rng)
            _reminders(survey, by=by, launched_at=launched_at)
    return {"surveys": Survey.objects.count()}
