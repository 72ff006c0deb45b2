"""Building a survey: settings, copies, questions and their order."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actors.surveys.forms.builder import QuestionForm, SurveyForm
from actors.surveys.models import Question, Survey
from actors.surveys.services import builder

from .factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _settings(**changes) -> dict:
    today = timezone.localdate()
    return {
        "title": "Bedarfsabfrage Sprachkurse",
        "introduction": "Wir planen die Sprachkurse für das nächste Jahr.",
        "closing_text": "Danke!",
        "opens_on": today,
        "closes_on": today + timedelta(days=21),
        "is_anonymous": True,
        "contact_name": "",
        "contact_email": "",
        "reminder_days": [7, 14],
        "max_reminders": 2,
    } | changes


def _positions(survey) -> list[tuple[str, int]]:
    return list(survey.questions.order_by("position").values_list("text", "position"))


# Surveys


def test_survey_create_makes_a_draft_with_the_user_as_contact(coordinator):
    coordinator.first_name, coordinator.last_name = "Anna", "Koordination"
    coordinator.email = "anna@wiesenbrueck.example"

    survey = builder.survey_create(by=coordinator, **_settings())

    assert survey.status == Survey.Status.DRAFT
    assert survey.created_by == coordinator
    assert (survey.contact_name, survey.contact_email) == (
        "Anna Koordination",
        "anna@wiesenbrueck.example",
    )


def test_survey_create_keeps_a_given_contact(coordinator):
    survey = builder.survey_create(
        by=coordinator,
        **_settings(contact_name="Büro Integration", contact_email="buero@example.org"),
    )
    assert survey.contact_email == "buero@example.org"


def test_survey_create_refuses_a_closing_date_in_the_past(coordinator):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        builder.survey_create(by=coordinator, **_settings(opens_on=yesterday, closes_on=yesterday))
    assert error.value.message_dict["closes_on"] == [
        "Das Enddatum darf nicht in der Vergangenheit liegen."
    ]


def test_survey_update_changes_everything_of_a_draft(coordinator):
    survey = SurveyFactory(is_anonymous=True)
    later = survey.opens_on + timedelta(days=7)
    builder.survey_update(
        by=coordinator, survey=survey, is_anonymous=False, opens_on=later, title="Neu"
    )
    survey.refresh_from_db()
    assert (survey.is_anonymous, survey.opens_on, survey.title) == (False, later, "Neu")


def test_survey_update_after_launch_changes_texts_closing_and_reminders(coordinator):
    survey = SurveyFactory(status=Survey.Status.RUNNING)
    closes_on = survey.closes_on + timedelta(days=14)
    builder.survey_update(
        by=coordinator,
        survey=survey,
        title="Bedarfsabfrage (verlängert)",
        closes_on=closes_on,
        reminder_days=[10],
        max_reminders=1,
        contact_name="Vertretung",
        # Unchanged values of frozen fields are no change.
        is_anonymous=survey.is_anonymous,
        opens_on=survey.opens_on,
    )
    survey.refresh_from_db()
    assert survey.closes_on == closes_on
    assert survey.reminder_days == [10]
    assert survey.contact_name == "Vertretung"


@pytest.mark.parametrize(
    "changes",
    [{"is_anonymous": False}, {"opens_on": date(2030, 1, 1)}],
    ids=["anonymity", "opening"],
)
def test_survey_update_after_launch_refuses_anonymity_and_opening(coordinator, changes):
    survey = SurveyFactory(status=Survey.Status.RUNNING, is_anonymous=True)
    with pytest.raises(ValidationError) as error:
        builder.survey_update(by=coordinator, survey=survey, **changes)
    assert "Nach dem Start können diese Einstellungen nicht mehr geändert werden" in str(
        error.value
    )
    survey.refresh_from_db()
    assert survey.is_anonymous
    assert survey.opens_on != date(2030, 1, 1)


def test_survey_update_after_launch_refuses_closing_before_today(coordinator):
    today = timezone.localdate()
    survey = SurveyFactory(
        status=Survey.Status.RUNNING, opens_on=today - timedelta(days=10), closes_on=today
    )
    with pytest.raises(ValidationError, match="Vergangenheit"):
        builder.survey_update(by=coordinator, survey=survey, closes_on=today - timedelta(days=1))
    # Shortening to today is allowed.
    builder.survey_update(by=coordinator, survey=survey, closes_on=today)


def test_survey_update_refuses_a_closed_survey(coordinator):
    survey = SurveyFactory(status=Survey.Status.CLOSED)
    with pytest.raises(ValidationError, match="abgeschlossene Umfrage"):
        builder.survey_update(by=coordinator, survey=survey, title="Anders")
    survey.refresh_from_db()
    assert survey.title != "Anders"


def test_survey_delete_deletes_a_draft_with_questions_and_recipients(coordinator):
    survey = SurveyFactory()
    QuestionFactory(survey=survey)
    InvitationFactory(survey=survey)
    builder.survey_delete(by=coordinator, survey=survey)
    assert not Survey.objects.exists()
    assert not Question.objects.exists()


@pytest.mark.parametrize("status", [Survey.Status.RUNNING, Survey.Status.CLOSED])
def test_survey_delete_refuses_sent_surveys(coordinator, status):
    survey = SurveyFactory(status=status)
    with pytest.raises(ValidationError, match="Nur Entwürfe"):
        builder.survey_delete(by=coordinator, survey=survey)
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_survey_copy_copies_settings_and_questions_a_year_later(coordinator):
    original = SurveyFactory(
        title="Bedarfsabfrage 2026",
        status=Survey.Status.CLOSED,
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 3, 29),
        is_anonymous=False,
        reminder_days=[5],
    )
    QuestionFactory(survey=original, position=2, text="Zweite", kind=Question.Kind.YES_NO)
    QuestionFactory(
        survey=original,
        position=1,
        text="Erste",
        kind=Question.Kind.MULTIPLE_CHOICE,
        options=["Deutschkurs", "Kita-Platz"],
        allows_other=True,
    )
    InvitationFactory(survey=original)

    copy = builder.survey_copy(by=coordinator, survey=original)

    assert copy.title == "Bedarfsabfrage 2026 (Kopie)"
    assert copy.status == Survey.Status.DRAFT
    assert (copy.opens_on, copy.closes_on) == (date(2027, 3, 1), date(2027, 3, 29))
    assert (copy.is_anonymous, copy.reminder_days) == (False, [5])
    assert copy.copied_from == original
    assert copy.created_by == coordinator
    assert _positions(copy) == [("Erste", 1), ("Zweite", 2)]
    first = copy.questions.get(position=1)
    assert (first.kind, first.options, first.allows_other) == (
        Question.Kind.MULTIPLE_CHOICE,
        ["Deutschkurs", "Kita-Platz"],
        True,
    )
    assert not copy.invitations.exists()
    # The original is untouched.
    original.refresh_from_db()
    assert original.status == Survey.Status.CLOSED
    assert original.questions.count() == 2
    assert original.invitations.count() == 1


def test_survey_copy_moves_a_leap_day_to_the_28th(coordinator):
    original = SurveyFactory(opens_on=date(2028, 2, 1), closes_on=date(2028, 2, 29))
    copy = builder.survey_copy(by=coordinator, survey=original)
    assert copy.closes_on == date(2029, 2, 28)


def test_survey_copy_keeps_a_long_title_within_its_length(coordinator):
    original = SurveyFactory(title="B" * 200)
    copy = builder.survey_copy(by=coordinator, survey=original)
    assert len(copy.title) == 200
    assert copy.title.endswith(" (Kopie)")


# Reminder days, as typed


@pytest.mark.parametrize(
    ("typed", "days"),
    [("14, 7", [7, 14]), ("7;14 21", [7, 14, 21]), ("7, 7", [7]), ("", [])],
)
def test_survey_form_reads_reminder_days(typed, days):
    data = _settings(reminder_days=typed, opens_on="2030-01-01", closes_on="2030-01-31")
    form = SurveyForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reminder_days"] == days


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7, vierzehn", "„vierzehn“ ist keine ganze Zahl von Tagen."),
        ("7, -3", "„-3“ ist keine ganze Zahl von Tagen."),
        ("7.5", "„7.5“ ist keine ganze Zahl von Tagen."),
    ],
)
def test_survey_form_explains_bad_reminder_days_in_german(typed, message):
    data = _settings(reminder_days=typed, opens_on="2030-01-01", closes_on="2030-01-31")
    form = SurveyForm(data=data)
    assert not form.is_valid()
    assert form.errors["reminder_days"][0].startswith(message)


def test_survey_form_refuses_reminder_days_out_of_range():
    data = _settings(reminder_days="0, 400", opens_on="2030-01-01", closes_on="2030-01-31")
    form = SurveyForm(data=data)
    assert not form.is_valid()
    assert "reminder_days" in form.errors


# Questions


def test_question_create_appends_the_question_last(coordinator):
    survey = SurveyFactory()
    QuestionFactory(survey=survey, position=4, text="Alt")
    question = builder.question_create(
        by=coordinator,
        survey=survey,
        kind=Question.Kind.SINGLE_CHOICE,
        text="Welcher Kurs?",
        options=[" A1 ", "B1"],
        allows_other=True,
        is_required=True,
    )
    assert question.position == 5
    assert question.options == ["A1", "B1"]


def test_question_create_drops_what_does_not_fit_the_kind(coordinator):
    question = builder.question_create(
        by=coordinator,
        survey=SurveyFactory(),
        kind=Question.Kind.SHORT_TEXT,
        text="Was fehlt?",
        options=["A", "B"],
        allows_other=True,
        scale_low_label="schlecht",
        number_min=Decimal(1),
    )
    assert (question.options, question.allows_other, question.scale_low_label) == ([], False, "")
    assert question.number_min is None


def test_question_create_needs_two_answers_for_a_choice(coordinator):
    with pytest.raises(ValidationError) as error:
        builder.question_create(
            by=coordinator,
            survey=SurveyFactory(),
            kind=Question.Kind.SINGLE_CHOICE,
            text="Welcher Kurs?",
            options=["A1"],
        )
    assert "options" in error.value.message_dict


@pytest.mark.parametrize("status", [Survey.Status.RUNNING, Survey.Status.CLOSED])
def test_question_changes_are_refused_after_the_launch(coordinator, status):
    survey = SurveyFactory(status=status)
    question = QuestionFactory(survey=survey, position=1)
    QuestionFactory(survey=survey, position=2)
    frozen = "Die Fragen können nur vor dem Start geändert werden."
    with pytest.raises(ValidationError, match=frozen):
        builder.question_create(by=coordinator, survey=survey, kind="yes_no", text="Neu?")
    with pytest.raises(ValidationError, match=frozen):
        builder.question_update(by=coordinator, question=question, text="Anders")
    with pytest.raises(ValidationError, match=frozen):
        builder.question_move(by=coordinator, question=question, direction="down")
    with pytest.raises(ValidationError, match=frozen):
        builder.question_delete(by=coordinator, question=question)
    assert _positions(survey)[0] == (question.text, 1)
    assert survey.questions.count() == 2


def test_question_update_to_another_kind_drops_the_options(coordinator):
    question = QuestionFactory(
        kind=Question.Kind.SINGLE_CHOICE, options=["Ja", "Nein"], allows_other=True
    )
    question = builder.question_update(
        by=coordinator, question=question, kind=Question.Kind.NUMBER, number_max=Decimal(10)
    )
    question.refresh_from_db()
    assert (question.kind, question.options, question.allows_other) == ("number", [], False)
    assert question.number_max == 10


def test_question_move_swaps_neighbours_and_numbers_densely(coordinator):
    survey = SurveyFactory()
    for position, text in ((3, "A"), (7, "B"), (8, "C")):
        QuestionFactory(survey=survey, position=position, text=text)
    c = survey.questions.get(text="C")

    builder.question_move(by=coordinator, question=c, direction="up")
    assert _positions(survey) == [("A", 1), ("C", 2), ("B", 3)]
    builder.question_move(by=coordinator, question=c, direction="up")
    assert _positions(survey) == [("C", 1), ("A", 2), ("B", 3)]
    # At the top, up changes nothing.
    builder.question_move(by=coordinator, question=c, direction="up")
    assert _positions(survey) == [("C", 1), ("A", 2), ("B", 3)]
    builder.question_move(by=coordinator, question=c, direction="down")
    assert _positions(survey) == [("A", 1), ("C", 2), ("B", 3)]


def test_question_move_refuses_an_unknown_direction(coordinator):
    with pytest.raises(ValueError, match="sideways"):
        builder.question_move(by=coordinator, question=QuestionFactory(), direction="sideways")


def test_question_delete_closes_the_gap(coordinator):
    survey = SurveyFactory()
    for position, text in ((1, "A"), (2, "B"), (3, "C")):
        QuestionFactory(survey=survey, position=position, text=text)
    builder.question_delete(by=coordinator, question=survey.questions.get(text="B"))
    assert _positions(survey) == [("A", 1), ("C", 2)]
    later = builder.question_create(by=coordinator, survey=survey, kind="yes_no", text="D")
    assert later.position == 3


# The question form


def _question_data(**changes) -> dict:
    return {
        "kind": Question.Kind.SINGLE_CHOICE,
        "text": "Welcher Kurs passt?",
        "help_text": "",
        "options": "A1\n\n  B1  \nC1\n",
        "allows_other": "on",
        "scale_low_label": "",
        "scale_high_label": "",
        "number_min": "",
        "number_max": "",
    } | changes


def test_question_form_reads_one_answer_per_line():
    form = QuestionForm(data=_question_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["options"] == ["A1", "B1", "C1"]


def test_question_form_ignores_the_fields_of_other_kinds():
    form = QuestionForm(
        data=_question_data(
            kind=Question.Kind.SCALE,
            options="nur eine",
            number_min="keine Zahl",
            scale_low_label="gar nicht",
        )
    )
    assert form.is_valid(), form.errors
    data = form.data_for_service()
    assert (data["options"], data["allows_other"], data["number_min"]) == ([], False, None)
    assert data["scale_low_label"] == "gar nicht"


def test_question_form_shows_stored_options_one_per_line():
    question = QuestionFactory(kind=Question.Kind.SINGLE_CHOICE, options=["Ja", "Nein"])
    assert QuestionForm(instance=question).initial["options"] == "Ja\nNein"


def test_question_form_limits_the_length_of_an_answer():
    form = QuestionForm(data=_question_data(options="A\n" + "x" * 201))
    assert not form.is_valid()
    assert form.errors["options"] == ["Jede Antwort darf höchstens 200 Zeichen lang sein."]
