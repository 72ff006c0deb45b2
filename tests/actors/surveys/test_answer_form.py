"""The recipient's form: one field per question kind, German errors, prefilled answers."""

from decimal import Decimal

import pytest

from actors.surveys.forms.answer import OTHER, AnswerForm, fields_of_action_for
from actors.surveys.models import Answer, Question, Response
from tests.core.factories import FieldOfActionFactory

from .factories import QuestionFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def _form(questions, data=None, answers=None, fields_of_action=None):
    questions = list(questions)
    if fields_of_action is None:
        fields_of_action = fields_of_action_for(questions)
    return AnswerForm(data, questions=questions, fields_of_action=fields_of_action, answers=answers)


def _errors(form, question):
    return form.errors.get(AnswerForm.field_name(question), [])


def test_answer_form_required_question_refused_in_german():
    question = QuestionFactory(kind=Kind.SHORT_TEXT, is_required=True)
    form = _form([question], data={})
    assert not form.is_valid()
    assert _errors(form, question) == ["Bitte beantworten Sie diese Frage."]


def test_answer_form_empty_optional_answers_are_left_out():
    survey_questions = [
        QuestionFactory(kind=Kind.SHORT_TEXT),
        QuestionFactory(kind=Kind.NUMBER),
        QuestionFactory(kind=Kind.MULTIPLE_CHOICE, options=["A", "B"]),
        QuestionFactory(kind=Kind.YES_NO),
    ]
    form = _form(survey_questions, data={})
    assert form.is_valid(), form.errors
    assert form.answer_data() == {}


@pytest.mark.parametrize(("kind", "limit"), [(Kind.SHORT_TEXT, 300), (Kind.LONG_TEXT, 5000)])
def test_answer_form_text_is_length_limited(kind, limit):
    question = QuestionFactory(kind=kind)
    name = AnswerForm.field_name(question)
    assert _form([question], data={name: "x" * limit}).is_valid()
    form = _form([question], data={name: "x" * (limit + 1)})
    assert not form.is_valid()
    assert f"höchstens {limit} Zeichen" in _errors(form, question)[0]


def test_answer_form_counts_a_line_break_once_as_the_browser_does():
    # The browser's maxlength counts a break as one character but sends CRLF.
    question = QuestionFactory(kind=Kind.LONG_TEXT)
    text = ("x" * 99 + "\r\n") * 50  # 5,000 characters in the browser, 5,050 sent
    form = _form([question], data={AnswerForm.field_name(question): text.strip()})
    assert form.is_valid(), form.errors
    assert "\r" not in form.answer_data()[question.pk]["text"]


def test_answer_form_text_answer_is_stripped():
    question = QuestionFactory(kind=Kind.LONG_TEXT)
    form = _form([question], data={AnswerForm.field_name(question): "  Sprachkurse \n"})
    assert form.is_valid()
    assert form.answer_data() == {question.pk: {"text": "Sprachkurse"}}


def test_answer_form_single_choice_stores_the_option_text():
    question = QuestionFactory(kind=Kind.SINGLE_CHOICE, options=["Wohnen", "Sprache"])
    form = _form([question], data={AnswerForm.field_name(question): "1"})
    assert form.is_valid()
    assert form.answer_data() == {question.pk: {"choices": ["Sprache"]}}


def test_answer_form_choice_not_offered_is_refused():
    question = QuestionFactory(kind=Kind.SINGLE_CHOICE, options=["Wohnen", "Sprache"])
    form = _form([question], data={AnswerForm.field_name(question): "7"})
    assert not form.is_valid()
    assert _errors(form, question) == ["Bitte wählen Sie eine der angebotenen Antworten."]


def test_answer_form_other_without_text_is_refused():
    question = QuestionFactory(
        kind=Kind.MULTIPLE_CHOICE, options=["Wohnen", "Sprache"], allows_other=True
    )
    form = _form([question], data={AnswerForm.field_name(question): ["0", OTHER]})
    assert not form.is_valid()
    assert _errors(form, question) == ["Bitte geben Sie bei „Sonstiges“ an, was Sie meinen."]


def test_answer_form_other_text_chooses_other():
    single = QuestionFactory(kind=Kind.SINGLE_CHOICE, options=["A", "B"], allows_other=True)
    multiple = QuestionFactory(kind=Kind.MULTIPLE_CHOICE, options=["A", "B"], allows_other=True)
    data = {
        AnswerForm.other_name(single): "Nachbarschaftshilfe",
        AnswerForm.field_name(multiple): ["1"],
        AnswerForm.other_name(multiple): "Fahrdienst",
    }
    form = _form([single, multiple], data=data)
    assert form.is_valid(), form.errors
    assert form.answer_data() == {
        single.pk: {"choices": [], "other_text": "Nachbarschaftshilfe"},
        multiple.pk: {"choices": ["B"], "other_text": "Fahrdienst"},
    }


def test_answer_form_single_choice_with_option_and_other_text_is_refused():
    question = QuestionFactory(kind=Kind.SINGLE_CHOICE, options=["A", "B"], allows_other=True)
    data = {AnswerForm.field_name(question): "0", AnswerForm.other_name(question): "etwas"}
    form = _form([question], data=data)
    assert not form.is_valid()
    assert "„Sonstiges“" in _errors(form, question)[0]


def test_answer_form_required_question_with_other_needs_an_answer():
    question = QuestionFactory(
        kind=Kind.SINGLE_CHOICE, options=["A", "B"], allows_other=True, is_required=True
    )
    form = _form([question], data={})
    assert not form.is_valid()
    assert _errors(form, question) == ["Bitte beantworten Sie diese Frage."]
    answered = _form([question], data={AnswerForm.other_name(question): "C"})
    assert answered.is_valid()


@pytest.mark.parametrize(("value", "valid"), [("0", False), ("1", True), ("5", True), ("6", False)])
def test_answer_form_scale_accepts_only_one_to_five(value, valid):
    question = QuestionFactory(kind=Kind.SCALE)
    form = _form([question], data={AnswerForm.field_name(question): value})
    assert form.is_valid() is valid
    if valid:
        assert form.answer_data() == {question.pk: {"number": Decimal(value)}}


def test_answer_form_scale_labels_name_the_ends():
    question = QuestionFactory(
        kind=Kind.SCALE, scale_low_label="gar nicht", scale_high_label="sehr wichtig"
    )
    labels = [option.label for option in _form([question]).blocks[0].options]
    assert labels == ["1 – gar nicht", "2", "3", "4", "5 – sehr wichtig"]


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("no", False)])
def test_answer_form_yes_no_stores_a_boolean(value, expected):
    question = QuestionFactory(kind=Kind.YES_NO)
    form = _form([question], data={AnswerForm.field_name(question): value})
    assert form.is_valid()
    assert form.answer_data() == {question.pk: {"boolean": expected}}
    assert [option.label for option in form.blocks[0].options] == ["Ja", "Nein"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0", "Bitte geben Sie eine Zahl ab 1 ein."),
        ("101", "Bitte geben Sie eine Zahl bis höchstens 100 ein."),
        ("viele", "Bitte geben Sie eine Zahl ein, z. B. 12 oder 2,5."),
        ("2,555", "Bitte geben Sie höchstens zwei Nachkommastellen an."),
    ],
)
def test_answer_form_number_checks_bounds_in_german(value, error):
    question = QuestionFactory(kind=Kind.NUMBER, number_min=1, number_max=100)
    form = _form([question], data={AnswerForm.field_name(question): value})
    assert not form.is_valid()
    assert _errors(form, question) == [error]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("2,5", "2.5"),
        ("2.5", "2.5"),
        ("1.000", "1000"),
        ("12.500,75", "12500.75"),
        (" 1 000 ", "1000"),
        ("-3", "-3"),
    ],
)
def test_answer_form_number_reads_german_notation(typed, number):
    question = QuestionFactory(kind=Kind.NUMBER)
    form = _form([question], data={AnswerForm.field_name(question): typed})
    assert form.is_valid(), form.errors
    assert form.answer_data() == {question.pk: {"number": Decimal(number)}}


def test_answer_form_number_takes_the_german_decimal_comma():
    question = QuestionFactory(kind=Kind.NUMBER, number_min=1, number_max=100)
    form = _form([question], data={AnswerForm.field_name(question): "2,5"})
    assert form.is_valid(), form.errors
    assert form.answer_data() == {question.pk: {"number": Decimal("2.5")}}
    assert form.blocks[0].hint == "Eine Zahl von 1 bis 100."


def test_answer_form_fields_of_action_offers_the_active_ones_in_order():
    second = FieldOfActionFactory(name="Wohnen", position=20)
    first = FieldOfActionFactory(name="Sprache & Bildung", position=10)
    archived = FieldOfActionFactory(name="Alt", position=5, is_active=False)
    question = QuestionFactory(kind=Kind.FIELDS_OF_ACTION)
    form = _form([question], data={AnswerForm.field_name(question): [str(second.pk)]})
    assert [option.label for option in form.blocks[0].options] == ["Sprache & Bildung", "Wohnen"]
    assert form.is_valid()
    assert form.answer_data() == {question.pk: {"choices": [second.pk]}}
    refused = _form([question], data={AnswerForm.field_name(question): [str(archived.pk)]})
    assert not refused.is_valid()
    assert first.pk != archived.pk


def test_answer_form_loads_fields_of_action_only_when_asked(django_assert_num_queries):
    question = QuestionFactory(kind=Kind.SHORT_TEXT)
    with django_assert_num_queries(0):
        assert fields_of_action_for([question]) == []


def test_answer_form_is_filled_with_earlier_answers():
    single = QuestionFactory(kind=Kind.SINGLE_CHOICE, options=["A", "B"], allows_other=True)
    multiple = QuestionFactory(kind=Kind.MULTIPLE_CHOICE, options=["A", "B", "C"])
    number = QuestionFactory(kind=Kind.NUMBER)
    scale = QuestionFactory(kind=Kind.SCALE)
    yes_no = QuestionFactory(kind=Kind.YES_NO)
    text = QuestionFactory(kind=Kind.LONG_TEXT)
    response = Response(survey=single.survey, key_hash="x")
    answers = {
        single.pk: Answer(response=response, question=single, other_text="Fahrdienst"),
        multiple.pk: Answer(response=response, question=multiple, choices=["A", "C"]),
        number.pk: Answer(response=response, question=number, number=Decimal("2.50")),
        scale.pk: Answer(response=response, question=scale, number=Decimal("4.00")),
        yes_no.pk: Answer(response=response, question=yes_no, boolean=False),
        text.pk: Answer(response=response, question=text, text="Mehr Kurse"),
    }
    blocks = _form([single, multiple, number, scale, yes_no, text], answers=answers).blocks

    def checked(block):
        return [option.value for option in block.options if option.checked]

    assert checked(blocks[0]) == [OTHER]
    assert blocks[0].other_value == "Fahrdienst"
    assert checked(blocks[1]) == ["0", "2"]
    assert blocks[2].value == "2,5"
    assert checked(blocks[3]) == ["4"]
    assert checked(blocks[4]) == ["no"]
    assert blocks[5].value == "Mehr Kurse"


def test_answer_form_blocks_link_help_and_errors():
    question = QuestionFactory(
        kind=Kind.YES_NO, is_required=True, help_text="Gemeint ist das letzte Jahr."
    )
    block = _form([question], data={}).blocks[0]
    assert block.is_group
    assert block.errors == ["Bitte beantworten Sie diese Frage."]
    assert block.describedby == f"{block.help_id} {block.error_id}"


def test_answer_form_keeps_typed_values_when_invalid():
    text = QuestionFactory(kind=Kind.SHORT_TEXT)
    number = QuestionFactory(kind=Kind.NUMBER, number_max=10)
    data = {AnswerForm.field_name(text): "Mein Text", AnswerForm.field_name(number): "12,5"}
    form = _form([text, number], data=data)
    assert not form.is_valid()
    assert [block.value for block in form.blocks] == ["Mein Text", "12,5"]
