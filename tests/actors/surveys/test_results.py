"""Results of a survey: figures, curve, rates per group, answers per question, the page.

Responses are built row by row here (the answering service belongs to another
part); ``response_add`` does what answering does to the database.
"""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.models import Organisation
from actors.surveys.models import Answer, Invitation, Mail, Question, Response, ResponseDay, Survey
from actors.surveys.selectors.results import (
    percent_display,
    question_results,
    response_breakdown,
    response_curve,
    survey_figures,
)

from ...core.factories import FieldOfActionFactory
from ..factories import CircleFactory
from .factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN)


# --- Building results as answering would ---------------------------------------------


def response_add(survey, answers=None, *, invitation=None) -> Response:
    """A response with ``answers`` ({question: {field: value}}); marks ``invitation`` answered."""
    response = Response.objects.create(
        survey=survey,
        key_hash=secrets.token_hex(32),
        invitation=None if survey.is_anonymous else invitation,
    )
    for question, values in (answers or {}).items():
        Answer.objects.create(response=response, question=question, **values)
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(has_responded=True)
    return response


def running_survey(**kwargs) -> Survey:
    """A survey launched on 10 March 2026, running until 7 April."""
    defaults = {
        "status": Survey.Status.RUNNING,
        "opens_on": NOW.date().replace(day=10),
        "closes_on": NOW.date().replace(month=4, day=7),
        "launched_at": datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN),
    }
    return SurveyFactory(**(defaults | kwargs))


def twistringen(**kwargs):
    """45 invited, 7 answered (each with a text answer): the Bedarfsabfrage of DOMAIN.md."""
    survey = running_survey(title="Bedarfsabfrage Runder Tisch 2026", **kwargs)
    question = QuestionFactory(survey=survey, kind=Question.Kind.LONG_TEXT, text="Was fehlt?")
    invitations = InvitationFactory.create_batch(45, survey=survey)
    for number, invitation in enumerate(invitations[:7]):
        response_add(survey, {question: {"text": f"Antwort {number}"}}, invitation=invitation)
    ResponseDay.objects.create(survey=survey, day=NOW.date().replace(day=11), responses=4)
    ResponseDay.objects.create(survey=survey, day=NOW.date().replace(day=17), responses=3)
    return survey, invitations


# --- Figures ---------------------------------------------------------------------------


def test_survey_figures_headline_and_rate_of_twistringen():
    survey, invitations = twistringen()
    for invitation in invitations[:40]:
        mail = Mail.objects.create(
            invitation=invitation, kind=Mail.Kind.INVITATION, due_at=NOW, status=Mail.Status.SENT
        )
        assert mail.pk
    Mail.objects.filter(invitation=invitations[0]).update(status=Mail.Status.SENT)
    Mail.objects.create(
        invitation=invitations[41], kind=Mail.Kind.INVITATION, due_at=NOW, status=Mail.Status.FAILED
    )
    Invitation.objects.filter(pk__in=[i.pk for i in invitations[:9]]).update(opened_at=NOW)
    Invitation.objects.filter(pk=invitations[44].pk).update(opted_out_at=NOW)

    figures = survey_figures(survey=survey)

    assert (figures.invited, figures.mailed, figures.opened) == (45, 40, 9)
    assert (figures.answered, figures.opted_out) == (7, 1)
    assert figures.rate_display == "15,6 %"
    assert figures.headline == "45 angeschrieben, 7 Rückmeldungen, 15,6 %"


def test_survey_figures_of_a_survey_without_invitations():
    figures = survey_figures(survey=SurveyFactory())
    assert figures.rate_display == "–"
    assert figures.headline == "0 angeschrieben, 0 Rückmeldungen, –"


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(7, 45, "15,6 %"), (1, 8, "12,5 %"), (2, 3, "66,7 %"), (45, 45, "100,0 %"), (0, 4, "0,0 %")],
)
def test_percent_display_german_with_one_decimal(part, whole, expected):
    assert percent_display(part, whole) == expected


# --- Curve -----------------------------------------------------------------------------


def test_response_curve_adds_up_days_from_the_launch_to_today():
    survey, _invitations = twistringen()
    with time_machine.travel(NOW, tick=False):
        curve = response_curve(survey=survey)
    assert curve.points[0].day == NOW.date().replace(day=10)
    assert curve.points[-1].day == NOW.date()
    totals = {point.day.day: point.total for point in curve.points}
    assert (totals[10], totals[11], totals[16], totals[17], totals[20]) == (0, 4, 4, 7, 7)
    assert curve.invited == 45
    assert curve.rows()[-1][1] == "15,6 %"


def test_response_curve_of_a_closed_survey_ends_on_its_closing_day():
    survey, _invitations = twistringen(
        status=Survey.Status.CLOSED, closed_at=datetime(2026, 3, 18, 23, 30, tzinfo=BERLIN)
    )
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        curve = response_curve(survey=survey)
    assert curve.points[-1].day == NOW.date().replace(day=18)
    assert curve.total == 7


def test_response_curve_of_a_draft_is_empty():
    assert response_curve(survey=SurveyFactory()).points == ()


# --- Breakdown -------------------------------------------------------------------------


def _invite(survey, count, answered, *, circles=(), kind=""):
    invitations = InvitationFactory.create_batch(count, survey=survey, organisation_kind=kind)
    for index, invitation in enumerate(invitations):
        invitation.circles.set(circles)
        if index < answered:
            response_add(survey, invitation=invitation)
    return invitations


def test_response_breakdown_withholds_groups_with_fewer_than_three_answers():
    survey = running_survey()
    big, small = CircleFactory(name="Runder Tisch"), CircleFactory(name="AG Sprache")
    _invite(survey, 6, 3, circles=[big], kind=Organisation.Kind.WELFARE)
    _invite(survey, 4, 2, circles=[small], kind=Organisation.Kind.JOBCENTER)
    _invite(survey, 2, 1)

    breakdown = response_breakdown(survey=survey)

    circles = {group.label: group for group in breakdown.circles}
    assert (circles["Runder Tisch"].invited, circles["Runder Tisch"].answered) == (6, 3)
    assert circles["Runder Tisch"].rate_display == "50,0 %"
    assert circles["AG Sprache"].invited == 4
    assert circles["AG Sprache"].answered is None
    assert circles["AG Sprache"].rate_display == ""
    assert circles["in keiner Netzwerkrunde"].withheld
    kinds = {group.label: group for group in breakdown.kinds}
    assert kinds["Wohlfahrtsverband"].answered == 3
    assert kinds["Jobcenter"].withheld
    assert kinds["ohne Organisation"].invited == 2
    assert breakdown.any_withheld


def test_response_breakdown_withholds_a_second_group_when_one_alone_could_be_worked_out():
    # Welfare 3 of 6, school 4 of 5, Jobcenter 1 of 4: the total (8) minus the
    # shown groups would give the Jobcenter's 1, so the next smallest goes too.
    survey = running_survey()
    _invite(survey, 6, 3, kind=Organisation.Kind.WELFARE)
    _invite(survey, 5, 4, kind=Organisation.Kind.SCHOOL)
    _invite(survey, 4, 1, kind=Organisation.Kind.JOBCENTER)

    kinds = {group.label: group for group in response_breakdown(survey=survey).kinds}

    assert kinds["Jobcenter"].withheld
    assert kinds["Wohlfahrtsverband"].withheld
    assert kinds["Schule / Kita"].answered == 4


def test_response_breakdown_counts_an_invitation_in_each_of_its_circles():
    survey = running_survey()
    first, second = CircleFactory(), CircleFactory()
    _invite(survey, 3, 3, circles=[first, second])
    circles = response_breakdown(survey=survey).circles
    assert [(group.invited, group.answered) for group in circles] == [(3, 3), (3, 3)]


def test_response_breakdown_runs_three_queries(django_assert_num_queries):
    survey = running_survey()
    for _index in range(3):
        _invite(survey, 3, 3, circles=[CircleFactory()], kind=Organisation.Kind.SCHOOL)
    with django_assert_num_queries(3):
        response_breakdown(survey=survey)


# --- Answers per question --------------------------------------------------------------


@pytest.fixture
def questions():
    """One question of every kind, in a named survey (no threshold for few responses)."""
    survey = running_survey(is_anonymous=False)
    language = FieldOfActionFactory(name="Sprache", position=1)
    work = FieldOfActionFactory(name="Arbeit", position=2)

    def question(kind, **kwargs):
        return QuestionFactory(survey=survey, kind=kind, **kwargs)

    kinds = Question.Kind
    return {
        "survey": survey,
        "language": language,
        "work": work,
        "single": question(kinds.SINGLE_CHOICE, options=["Ja, oft", "Selten"], allows_other=True),
        "multiple": question(kinds.MULTIPLE_CHOICE, options=["Kita", "Schule", "Beruf"]),
        "scale": question(kinds.SCALE, scale_low_label="schlecht", scale_high_label="gut"),
        "yes_no": question(kinds.YES_NO),
        "number": question(kinds.NUMBER),
        "fields": question(kinds.FIELDS_OF_ACTION),
        "text": question(kinds.SHORT_TEXT),
    }


def _answers(q, *, single, other="", multiple, scale, yes, number, fields, text):
    return {
        q["single"]: {"choices": single, "other_text": other},
        q["multiple"]: {"choices": multiple},
        q["scale"]: {"number": Decimal(scale)},
        q["yes_no"]: {"boolean": yes},
        q["number"]: {"number": Decimal(number)},
        q["fields"]: {"choices": fields},
        q["text"]: {"text": text},
    }


def test_question_results_aggregate_every_kind(questions):
    q = questions
    language, work = q["language"].pk, q["work"].pk
    survey = q["survey"]
    response_add(
        survey,
        _answers(q, single=["Ja, oft"], multiple=["Kita", "Schule"], scale=5, yes=True,
                 number="3", fields=[language, work], text="Zeit"),
    )  # fmt: skip
    response_add(
        survey,
        _answers(q, single=[], other="Nur im Winter", multiple=["Schule"], scale=4, yes=True,
                 number="4.5", fields=[language], text="Anerkennung"),
    )  # fmt: skip
    response_add(
        survey,
        _answers(q, single=["Selten"], multiple=["Schule", "Beruf"], scale=2, yes=False,
                 number="10", fields=[str(work)], text="ärztliche Hilfe"),
    )  # fmt: skip
    response_add(survey, {q["single"]: {"choices": ["Ja, oft"]}})  # answered one question only

    results = question_results(survey=survey)

    assert results.responses == 4
    assert not results.withheld
    by_kind = {result.kind: result for result in results.questions}
    assert [result.number for result in results.questions] == list(range(1, 8))

    single = by_kind[Question.Kind.SINGLE_CHOICE]
    assert single.answered == 4
    assert [(o.label, o.count, o.share_display) for o in single.options] == [
        ("Ja, oft", 2, "50,0 %"),
        ("Selten", 1, "25,0 %"),
        ("Sonstiges", 1, "25,0 %"),
    ]
    assert single.other_count == 1
    assert single.texts == ["Nur im Winter"]

    multiple = by_kind[Question.Kind.MULTIPLE_CHOICE]
    assert [(o.label, o.count) for o in multiple.options] == [
        ("Kita", 1),
        ("Schule", 3),
        ("Beruf", 1),
    ]
    assert multiple.options[1].share_display == "100,0 %"
    assert multiple.other_count is None

    scale = by_kind[Question.Kind.SCALE]
    assert [o.count for o in scale.options] == [0, 1, 0, 1, 1]
    assert scale.options[0].label == "1 – schlecht"
    assert scale.options[4].label == "5 – gut"
    assert scale.mean == "3,7"

    yes_no = by_kind[Question.Kind.YES_NO]
    assert [(o.label, o.count) for o in yes_no.options] == [("Ja", 2), ("Nein", 1)]

    number = by_kind[Question.Kind.NUMBER]
    assert dict(number.statistics) == {
        "Kleinster Wert": "3",
        "Größter Wert": "10",
        "Mittelwert": "5,8",
        "Median": "4,5",
    }
    assert number.options == []

    fields = by_kind[Question.Kind.FIELDS_OF_ACTION]
    counted = {o.label: o.count for o in fields.options}
    assert (counted["Sprache"], counted["Arbeit"]) == (2, 2)

    text = by_kind[Question.Kind.SHORT_TEXT]
    # Alphabetical, whatever the order of answering.
    assert text.texts == ["Anerkennung", "ärztliche Hilfe", "Zeit"]


def test_question_results_of_an_anonymous_survey_wait_for_three_responses():
    survey = running_survey(is_anonymous=True)
    question = QuestionFactory(survey=survey, kind=Question.Kind.LONG_TEXT)
    response_add(survey, {question: {"text": "Nur ich weiß das."}})
    response_add(survey, {question: {"text": "Und ich das."}})

    results = question_results(survey=survey)
    assert results.withheld
    assert results.questions == ()

    response_add(survey, {question: {"text": "Ich auch."}})
    results = question_results(survey=survey)
    assert not results.withheld
    assert results.questions[0].texts == ["Ich auch.", "Nur ich weiß das.", "Und ich das."]


def test_question_results_of_a_named_survey_show_even_one_response():
    survey = running_survey(is_anonymous=False)
    question = QuestionFactory(survey=survey, kind=Question.Kind.SHORT_TEXT)
    response_add(survey, {question: {"text": "Danke"}})
    assert question_results(survey=survey).questions[0].texts == ["Danke"]


def test_question_results_run_a_fixed_number_of_queries(questions, django_assert_num_queries):
    q = questions
    for number in range(5):
        response_add(
            q["survey"],
            _answers(q, single=["Selten"], multiple=["Kita"], scale=3, yes=True,
                     number=str(number), fields=[q["work"].pk], text=f"T{number}"),
        )  # fmt: skip
    with django_assert_num_queries(4):
        question_results(survey=q["survey"])


# --- The page --------------------------------------------------------------------------


def test_results_page_shows_figures_groups_and_answers(django_app, coordinator):
    survey, invitations = twistringen()
    question = survey.questions.get()
    response_add(survey, {question: {"text": "<script>alert(1)</script> mehr Kurse"}})
    small = CircleFactory(name="AG Wohnen")
    for invitation in invitations[6:9]:
        invitation.circles.set([small])

    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]), user=coordinator)

    text = page.html.get_text(" ")
    assert "45 angeschrieben, 7 Rückmeldungen, 15,6 %" in text
    assert "Rückmeldungen im Zeitverlauf" in text
    assert "weniger als 3 Antworten – nicht ausgewiesen" in text
    assert "1. Was fehlt?" in text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; mehr Kurse" in page.text
    assert page.html.select("svg[role=img] title")
    # The report is a stored document compiled in the background: the page offers to create it.
    request_url = reverse(
        "documents:document_request", args=["surveys.survey_report", survey.pk, "standard"]
    )
    assert page.html.select_one(f"form[action='{request_url}']")


def test_results_page_withholds_anonymous_answers_below_three(django_app, coordinator):
    survey = running_survey(is_anonymous=True)
    question = QuestionFactory(survey=survey, kind=Question.Kind.SHORT_TEXT, text="Ihr Name?")
    response_add(survey, {question: {"text": "Geheimnis"}})

    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]), user=coordinator)

    assert "Ergebnisse werden ab 3 Antworten angezeigt" in page.text
    assert "Geheimnis" not in page.text


def test_results_page_of_a_draft(django_app, coordinator):
    survey = SurveyFactory()
    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]), user=coordinator)
    assert "Die Umfrage wurde noch nicht gestartet." in page.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("administration_user", 403), ("committee_member", 403),
     ("user_without_role", 403)],
)  # fmt: skip
def test_results_page_by_role(django_app, request, role, status):
    survey = SurveyFactory()
    user = request.getfixturevalue(role)
    url = reverse("surveys:survey_results", args=[survey.pk])
    assert django_app.get(url, user=user, status=status).status_code == status


def test_results_page_sends_anonymous_visitors_to_the_login(django_app):
    survey = SurveyFactory()
    page = django_app.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert page.status_code == 302
    assert reverse("login") in page.location


def test_results_page_of_an_unknown_survey_is_404(django_app, coordinator):
    django_app.get(reverse("surveys:survey_results", args=[999999]), user=coordinator, status=404)


def _survey_with(responses: int, rounds: int) -> Survey:
    """``responses`` answers to ``rounds`` questions of every kind."""
    survey = running_survey(is_anonymous=True)
    circle = CircleFactory()
    created = [
        QuestionFactory(survey=survey, kind=kind, options=["A", "B"], allows_other=True)
        if kind in Question.CHOICE_KINDS
        else QuestionFactory(survey=survey, kind=kind)
        for _round in range(rounds)
        for kind in Question.Kind
    ]
    FieldOfActionFactory()
    for index, invitation in enumerate(InvitationFactory.create_batch(responses, survey=survey)):
        invitation.circles.set([circle])
        values = {
            "text": f"Text {index}",
            "number": Decimal(index % 5 + 1),
            "boolean": bool(index % 2),
            "choices": ["A"],
            "other_text": "anders" if index % 3 == 0 else "",
        }
        response_add(survey, dict.fromkeys(created, values), invitation=invitation)
    for day in range(responses % 7 + 1):
        ResponseDay.objects.create(
            survey=survey, day=timezone.localdate() - timedelta(days=day), responses=1
        )
    return survey


def test_results_page_runs_the_same_queries_for_3_and_30_responses(django_app, coordinator):
    small, large = _survey_with(3, 1), _survey_with(30, 3)
    counts = []
    for survey in (small, large):
        url = reverse("surveys:survey_results", args=[survey.pk])
        django_app.get(url, user=coordinator)  # sessions and permission caches warm
        with CaptureQueriesContext(connection) as queries:
            page = django_app.get(url, user=coordinator)
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # 14 for the page, the rest the report document's fingerprint (constant too).
    assert counts[1] <= 26, counts
