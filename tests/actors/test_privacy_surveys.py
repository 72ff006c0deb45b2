"""Data protection of the surveys: what the export (Art. 15) and the erasure (Art. 17) do
with invitations, responses and mails."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.services import privacy
from actors.surveys import tokens
from actors.surveys.models import Answer, Invitation, Mail, Question, Response
from integration.core.models import FieldOfAction

from ..core.factories import FieldOfActionFactory
from .factories import PersonFactory
from .surveys.factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

ANONYMOUS_NOTE = (
    "In einer anonymen Umfrage sind die Antworten nicht mit der Person verknüpft "
    "und können daher nicht exportiert werden."
)
ERASED_ERROR = "Gelöscht (Datenschutz)"


def _moment(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, hour))  # noqa: DTZ001 (made aware)


def _respond(invitation: Invitation, answers: dict[Question, dict]) -> Response:
    """The response of ``invitation`` as ``response_submit`` stores it: linked only when named."""
    response = Response.objects.create(
        survey=invitation.survey,
        key_hash=tokens.response_key_hash(invitation.token),
        invitation=None if invitation.survey.is_anonymous else invitation,
    )
    for question, values in answers.items():
        Answer.objects.create(response=response, question=question, **values)
    Invitation.objects.filter(pk=invitation.pk).update(has_responded=True)
    return response


def _named_answered(person, *, title: str = "Bedarfsabfrage Sprachkurse") -> Invitation:
    """A named survey with a question of each kind, answered by ``person``."""
    survey = SurveyFactory(title=title, is_anonymous=False)
    fields = [
        FieldOfAction.objects.filter(name=name).first() or FieldOfActionFactory(name=name)
        for name in ("Sprache", "Arbeit")
    ]
    kinds = Question.Kind
    questions = {
        "single": QuestionFactory(
            survey=survey,
            kind=kinds.SINGLE_CHOICE,
            text="Wie oft?",
            options=["Wöchentlich", "Monatlich"],
        ),
        "multiple": QuestionFactory(
            survey=survey,
            kind=kinds.MULTIPLE_CHOICE,
            text="Welche Angebote fehlen?",
            options=["Sprachcafé", "Kinderbetreuung", "Fahrdienst"],
            allows_other=True,
        ),
        "fields": QuestionFactory(
            survey=survey, kind=kinds.FIELDS_OF_ACTION, text="Welche Handlungsfelder?"
        ),
        "yes_no": QuestionFactory(survey=survey, kind=kinds.YES_NO, text="Machen Sie weiter?"),
        "number": QuestionFactory(survey=survey, kind=kinds.NUMBER, text="Wie viele Stunden?"),
        "scale": QuestionFactory(survey=survey, kind=kinds.SCALE, text="Wie zufrieden?"),
        "text": QuestionFactory(survey=survey, kind=kinds.LONG_TEXT, text="Was noch?"),
    }
    invitation = InvitationFactory(survey=survey, person=person, opened_at=_moment(4))
    Mail.objects.create(
        invitation=invitation,
        kind=Mail.Kind.INVITATION,
        due_at=_moment(3, 8),
        status=Mail.Status.SENT,
        sent_at=_moment(3, 9),
    )
    _respond(
        invitation,
        {
            questions["single"]: {"choices": ["Monatlich"]},
            questions["multiple"]: {
                "choices": ["Sprachcafé", "Fahrdienst"],
                "other_text": "Sportgruppe",
            },
            questions["fields"]: {"choices": [field.pk for field in fields]},
            questions["yes_no"]: {"boolean": False},
            questions["number"]: {"number": Decimal("12.50")},
            questions["scale"]: {"number": Decimal("4.00")},
            questions["text"]: {"text": "Mehr Abendtermine, bitte."},
        },
    )
    return invitation


def _anonymous_answered(person) -> Invitation:
    """An anonymous survey that ``person`` answered; the refused mail quotes the address."""
    survey = SurveyFactory(title="Anonyme Zufriedenheitsumfrage", is_anonymous=True)
    question = QuestionFactory(survey=survey, kind=Question.Kind.SHORT_TEXT, text="Was fehlt?")
    invitation = InvitationFactory(survey=survey, person=person, opted_out_at=_moment(6))
    Mail.objects.create(
        invitation=invitation,
        kind=Mail.Kind.INVITATION,
        due_at=_moment(3, 8),
        status=Mail.Status.FAILED,
        attempts=1,
        failed_at=_moment(3, 9),
        error=f"Vom Mailserver abgelehnt: 550 <{person.email}>: No such user",
    )
    _respond(invitation, {question: {"text": "Ein Treffpunkt im Quartier"}})
    return invitation


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def test_person_data_export_lists_named_answers_and_anonymous_note(coordinator):
    person = PersonFactory()
    _named_answered(person)
    _anonymous_answered(person)

    export = privacy.person_data_export(by=coordinator, person=person)

    named, anonymous = export["Umfragen"]
    today = timezone.localdate().isoformat()
    assert named["Umfrage"] == "Bedarfsabfrage Sprachkurse"
    assert named["Eingeladen am"] == today
    assert named["Einladung versandt am"] == "2026-03-03"
    assert named["Zuerst geöffnet am"] == "2026-03-04"
    assert named["Beantwortet"] is True
    assert named["Abgemeldet am"] is None
    assert named["Antworten"] == {
        "Wie oft?": "Monatlich",
        "Welche Angebote fehlen?": "Sprachcafé, Fahrdienst, Sonstiges: Sportgruppe",
        "Welche Handlungsfelder?": "Sprache, Arbeit",
        "Machen Sie weiter?": "Nein",
        "Wie viele Stunden?": "12,5",
        "Wie zufrieden?": "4",
        "Was noch?": "Mehr Abendtermine, bitte.",
    }
    [mail] = named["E-Mails"]
    assert (mail["Art"], mail["Status"]) == ("Einladung", "Gesendet")

    assert anonymous["Umfrage"] == "Anonyme Zufriedenheitsumfrage"
    assert anonymous["Einladung versandt am"] is None
    assert anonymous["Beantwortet"] is True
    assert anonymous["Abgemeldet am"] == "2026-03-06"
    assert anonymous["Antworten"] == ANONYMOUS_NOTE
    assert "Treffpunkt" not in json.dumps(export, ensure_ascii=False)


def test_person_data_export_includes_invitations_of_merged_duplicates(coordinator):
    person = PersonFactory()
    duplicate = PersonFactory(merged_into=person)
    _named_answered(duplicate, title="Bedarfsabfrage 2025")
    export = privacy.person_data_export(by=coordinator, person=person)
    [entry] = export["Umfragen"]
    assert entry["Umfrage"] == "Bedarfsabfrage 2025"
    assert entry["Antworten"]["Machen Sie weiter?"] == "Nein"


def test_person_data_export_query_count_does_not_grow_with_invitations(
    coordinator, django_assert_num_queries
):
    person = PersonFactory()
    _named_answered(person)
    _anonymous_answered(person)
    privacy.person_data_export(by=coordinator, person=person)  # caches filled
    with CaptureQueriesContext(connection) as few:
        export = privacy.person_data_export(by=coordinator, person=person)
    assert len(export["Umfragen"]) == 2

    for number in range(4):
        _named_answered(person, title=f"Bedarfsabfrage {number}")
        _anonymous_answered(person)
    with django_assert_num_queries(len(few.captured_queries)):
        export = privacy.person_data_export(by=coordinator, person=person)
    assert len(export["Umfragen"]) == 10


# --------------------------------------------------------------------------
# Erasure
# --------------------------------------------------------------------------


def test_person_erase_unlinks_named_responses_and_keeps_answers_and_invitations(coordinator):
    person = PersonFactory()
    named = _named_answered(person)
    anonymous = _anonymous_answered(person)
    other = _named_answered(PersonFactory(), title="Bedarfsabfrage Kita")
    InvitationFactory(survey=named.survey)
    anonymous_response = Response.objects.get(survey=anonymous.survey)
    answers = Answer.objects.count()

    privacy.person_erase(by=coordinator, person=person, reason="Antrag vom 3. Mai")

    response = Response.objects.get(survey=named.survey)
    assert response.invitation is None
    assert response.answers.count() == 7
    assert Response.objects.get(survey=other.survey).invitation == other
    assert Response.objects.get(pk=anonymous_response.pk).key_hash == anonymous_response.key_hash
    assert Answer.objects.count() == answers
    # The invitations stay, so that the surveys' counts stay true.
    assert Invitation.objects.filter(survey=named.survey).count() == 2
    assert Invitation.objects.filter(survey=anonymous.survey).count() == 1
    responded = Invitation.objects.filter(person=person).values_list("has_responded", flat=True)
    assert list(responded) == [True, True]
    assert Mail.objects.filter(invitation__person=person).count() == 2


def test_person_erase_clears_mail_errors_of_the_person_and_duplicates(coordinator):
    """A mail server's error may quote the address."""
    person = PersonFactory()
    duplicate = PersonFactory(merged_into=person)
    named = _named_answered(person)
    _anonymous_answered(person)
    duplicate_invitation = _anonymous_answered(duplicate)
    other = _anonymous_answered(PersonFactory(email="bleibt@mail.example"))

    privacy.person_erase(by=coordinator, person=person, reason="Antrag vom 3. Mai")

    errors = dict(Mail.objects.values_list("invitation_id", "error"))
    assert errors[named.pk] == ""  # sent without an error: nothing to clear
    assert set(errors.values()) - {""} == {
        ERASED_ERROR,
        "Vom Mailserver abgelehnt: 550 <bleibt@mail.example>: No such user",
    }
    assert errors[duplicate_invitation.pk] == ERASED_ERROR
    assert "bleibt@mail.example" in errors[other.pk]
    assert Mail.objects.filter(error=ERASED_ERROR, status=Mail.Status.FAILED).count() == 2
