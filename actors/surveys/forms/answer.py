"""The recipient's form: one field per question of a survey, in the questions' order.

The same form and the same template (``surveys/fragments/respond_survey.html``)
serve the recipient's page and the coordinator's preview. Fields are rendered
by hand (``blocks``), so each question is a fieldset or a labelled input with
its help text and errors linked through ``aria-describedby``.

``answer_data()`` hands the valid input to ``services.responses.response_submit``
as ``{question id: {Answer field: value}}``; a question left empty is missing.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction

from ..models import Answer, Question
from ..models.response import ANSWER_MAX_LENGTH, SHORT_ANSWER_MAX_LENGTH

# The value of the "Sonstiges" option; real options are sent by their index.
OTHER = "other"
YES, NO = "yes", "no"
SCALE = range(1, 6)
NUMBER_DIGITS, NUMBER_DECIMALS = 12, 2
TEXT_LIMITS = {
    Question.Kind.SHORT_TEXT: SHORT_ANSWER_MAX_LENGTH,
    Question.Kind.LONG_TEXT: ANSWER_MAX_LENGTH,
}


def number_display(value) -> str:
    """A stored number as the recipient would type it: "12", "2,5" (German separator)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


# "1.000" and "12.500,5" (German grouping), but "12.5" as the decimal point a phone offers.
GROUPED_NUMBER = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d*)?")


class NumberField(forms.DecimalField):
    """A decimal as people in Germany type it: "2,5", "1.000", "1.000,5"; "2.5" too."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())
            if GROUPED_NUMBER.fullmatch(value):
                value = value.replace(".", "")
            value = value.replace(",", ".")
        return super().to_python(value)


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class QuestionBlock:
    """What the template needs to render one question without any logic of its own."""

    question: Question
    number: int
    name: str
    errors: list[str]
    # Radio buttons and checkboxes form a group with a legend.
    is_group: bool
    input_type: str = ""
    options: list[Option] = field(default_factory=list)
    value: str = ""
    max_length: int | None = None
    other_name: str = ""
    other_value: str = ""
    # What kind of answer fits, e.g. "Eine Zahl von 0 bis 100."
    hint: str = ""

    @property
    def anchor(self) -> str:
        return f"question-{self.question.pk}"

    @property
    def input_id(self) -> str:
        return self.name

    @property
    def help_id(self) -> str:
        return f"{self.name}-help"

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"

    @property
    def other_id(self) -> str:
        return f"{self.name}-other-text"

    @property
    def hint_id(self) -> str:
        return f"{self.name}-hint"

    @property
    def describedby(self) -> str:
        ids = []
        if self.question.help_text:
            ids.append(self.help_id)
        if self.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def is_textarea(self) -> bool:
        return self.question.kind == Question.Kind.LONG_TEXT

    @property
    def is_number(self) -> bool:
        return self.question.kind == Question.Kind.NUMBER


class TextAnswerField(forms.CharField):
    """Text with line breaks as browsers count them: ``maxlength`` counts one per break."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class AnswerForm(forms.Form):
    """The answers to ``questions``; ``answers`` (question id → Answer) fill it in again."""

    # Required questions are checked by the server with a German message; the
    # browser's own bubbles would speak the browser's language and, on
    # checkbox groups, demand every box.
    use_required_attribute = False

    def __init__(
        self,
        *args,
        questions,
        fields_of_action=(),
        answers: dict[int, Answer] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields_of_action = list(fields_of_action)
        answers = answers or {}
        for question in self.questions:
            self._add_fields(question, answers.get(question.pk))

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    @classmethod
    def other_name(cls, question: Question) -> str:
        return f"{cls.field_name(question)}-other"

    @staticmethod
    def _messages() -> dict[str, str]:
        return {
            "required": _("Please answer this question."),
            "max_length": _(
                "Please shorten your answer to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
            "invalid_choice": _("Please choose one of the answers offered."),
            "invalid": _("Please enter a number, e.g. 12 or 2,5."),
            "max_digits": _("This number is too long."),
            "max_whole_digits": _("This number is too long."),
            "max_decimal_places": _("Please enter at most two decimal places."),
        }

    def _choice_options(self, question: Question) -> list[tuple[str, str]]:
        kind = question.kind
        if kind in Question.CHOICE_KINDS:
            choices = [(str(index), str(option)) for index, option in enumerate(question.options)]
            if question.allows_other:
                choices.append((OTHER, _("Other answer")))
            return choices
        if kind == Question.Kind.SCALE:
            return [(str(value), str(value)) for value in SCALE]
        if kind == Question.Kind.YES_NO:
            return [(YES, _("Yes")), (NO, _("No"))]
        # Fields of action: the active ones in their order.
        return [(str(entry.pk), entry.name) for entry in self.fields_of_action]

    def _add_fields(self, question: Question, answer: Answer | None) -> None:
        name = self.field_name(question)
        kind = question.kind
        required = question.is_required
        messages = self._messages()
        if kind in Question.TEXT_KINDS:
            self.fields[name] = TextAnswerField(
                required=required, max_length=TEXT_LIMITS[kind], error_messages=messages
            )
        elif kind == Question.Kind.NUMBER:
            self.fields[name] = self._number_field(question, messages)
        elif kind in (Question.Kind.MULTIPLE_CHOICE, Question.Kind.FIELDS_OF_ACTION):
            self.fields[name] = forms.MultipleChoiceField(
                required=required and not question.allows_other,
                choices=self._choice_options(question),
                error_messages=messages,
            )
        else:
            self.fields[name] = forms.ChoiceField(
                required=required and not question.allows_other,
                choices=self._choice_options(question),
                error_messages=messages,
            )
        if question.allows_other and kind in Question.CHOICE_KINDS:
            # Required-ness of a question with "Other" is checked in clean(),
            # after text typed into "Other" may have chosen it.
            self.fields[self.other_name(question)] = forms.CharField(
                required=False, max_length=SHORT_ANSWER_MAX_LENGTH, error_messages=messages
            )
        if answer is not None:
            self._set_initial(question, answer)

    def _number_field(self, question: Question, messages: dict) -> forms.DecimalField:
        messages = dict(messages)
        # Bounds formatted as the recipient reads them ("1.000" is not "1,000.00").
        if question.number_min is not None:
            messages["min_value"] = _("Please enter a number of at least %(min)s.") % {
                "min": number_display(question.number_min)
            }
        if question.number_max is not None:
            messages["max_value"] = _("Please enter a number of at most %(max)s.") % {
                "max": number_display(question.number_max)
            }
        return NumberField(
            required=question.is_required,
            max_digits=NUMBER_DIGITS,
            decimal_places=NUMBER_DECIMALS,
            min_value=question.number_min,
            max_value=question.number_max,
            error_messages=messages,
        )

    def _set_initial(self, question: Question, answer: Answer) -> None:
        name = self.field_name(question)
        kind = question.kind
        if kind in Question.TEXT_KINDS:
            self.initial[name] = answer.text
        elif kind == Question.Kind.NUMBER:
            self.initial[name] = answer.number
        elif kind == Question.Kind.SCALE:
            self.initial[name] = "" if answer.number is None else str(int(answer.number))
        elif kind == Question.Kind.YES_NO:
            self.initial[name] = {True: YES, False: NO}.get(answer.boolean, "")
        elif kind == Question.Kind.FIELDS_OF_ACTION:
            self.initial[name] = [str(value) for value in answer.choices]
        else:
            options = [str(option) for option in question.options]
            selected = [
                str(options.index(choice)) for choice in answer.choices if choice in options
            ]
            if answer.other_text:
                selected.append(OTHER)
                self.initial[self.other_name(question)] = answer.other_text
            if kind == Question.Kind.SINGLE_CHOICE:
                self.initial[name] = selected[0] if selected else ""
            else:
                self.initial[name] = selected

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.allows_other and question.kind in Question.CHOICE_KINDS:
                self._clean_other(question, cleaned)
        return cleaned

    def _clean_other(self, question: Question, cleaned: dict) -> None:
        name, other_name = self.field_name(question), self.other_name(question)
        if name not in cleaned or other_name not in cleaned:
            return  # already has an error
        other_text = cleaned[other_name]
        single = question.kind == Question.Kind.SINGLE_CHOICE
        selected = [cleaned[name]] if single and cleaned[name] else list(cleaned[name] or [])
        if other_text and OTHER not in selected:
            # Typing into "Other" means choosing it, unless another single answer was chosen.
            if single and selected:
                self.add_error(
                    name,
                    _(
                        "Please choose “Other answer” if you enter something there, "
                        "or empty the field."
                    ),
                )
                return
            selected.append(OTHER)
        if OTHER in selected and not other_text:
            self.add_error(name, _("Please say what you mean by “Other answer”."))
            return
        if question.is_required and not selected:
            self.add_error(name, _("Please answer this question."))
            return
        cleaned[name] = (selected[0] if selected else "") if single else selected

    def answer_data(self) -> dict[int, dict]:
        """The valid answers as ``{question id: {field: value}}``; empty answers are left out."""
        data = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            values = self._answer_values(question, value)
            if values:
                data[question.pk] = values
        return data

    def _answer_values(self, question: Question, value) -> dict:
        kind = question.kind
        if value in (None, "", []):
            return {}
        if kind in Question.TEXT_KINDS:
            return {"text": value}
        if kind == Question.Kind.NUMBER:
            return {"number": value}
        if kind == Question.Kind.SCALE:
            return {"number": Decimal(value)}
        if kind == Question.Kind.YES_NO:
            return {"boolean": value == YES}
        if kind == Question.Kind.FIELDS_OF_ACTION:
            return {"choices": [int(pk) for pk in value]}
        selected = [value] if isinstance(value, str) else value
        values = {"choices": [question.options[int(index)] for index in selected if index != OTHER]}
        if OTHER in selected:
            values["other_text"] = self.cleaned_data.get(self.other_name(question), "")
        return values

    # ------------------------------------------------------------------
    # Rendering
    # ------------------------------------------------------------------

    @property
    def blocks(self) -> list[QuestionBlock]:
        """One block per question, numbered, with the values to show (typed or stored)."""
        return [
            self._block(number, question) for number, question in enumerate(self.questions, start=1)
        ]

    def _block(self, number: int, question: Question) -> QuestionBlock:
        name = self.field_name(question)
        bound = self[name]
        errors = list(bound.errors)
        kind = question.kind
        block = QuestionBlock(
            question=question, number=number, name=name, errors=errors, is_group=True
        )
        if kind == Question.Kind.NUMBER:
            block.is_group = False
            block.value = number_display(bound.value())
            block.hint = _number_hint(question)
            return block
        if kind in Question.TEXT_KINDS:
            block.is_group = False
            block.value = bound.value() or ""
            block.max_length = bound.field.max_length
            block.hint = _("At most %(count)s characters.") % {
                "count": formats.number_format(block.max_length, force_grouping=True)
            }
            return block
        multiple = kind in (Question.Kind.MULTIPLE_CHOICE, Question.Kind.FIELDS_OF_ACTION)
        block.input_type = "checkbox" if multiple else "radio"
        if multiple:
            block.hint = _("Several answers possible.")
        value = bound.value()
        selected = {str(item) for item in value or []} if multiple else {str(value or "")}
        block.options = [
            Option(value=value, label=label, id=f"{name}-{value}", checked=value in selected)
            for value, label in bound.field.choices
        ]
        if kind == Question.Kind.SCALE:
            # The ends' meaning belongs to the option, so a screen reader says it.
            ends = {"1": question.scale_low_label, "5": question.scale_high_label}
            for option in block.options:
                if ends.get(option.value):
                    option.label = f"{option.value} – {ends[option.value]}"
        if question.allows_other and kind in Question.CHOICE_KINDS:
            other = self[self.other_name(question)]
            block.other_name = other.html_name
            block.other_value = other.value() or ""
            block.errors += list(other.errors)
        return block


def _number_hint(question: Question) -> str:
    low, high = number_display(question.number_min), number_display(question.number_max)
    if low and high:
        return _("A number from %(min)s to %(max)s.") % {"min": low, "max": high}
    if low:
        return _("A number of at least %(min)s.") % {"min": low}
    if high:
        return _("A number of at most %(max)s.") % {"max": high}
    return _("A number, e.g. 12 or 2,5.")


def fields_of_action_for(questions) -> list[FieldOfAction]:
    """The fields of action a form offers: only loaded when a question asks for them."""
    if not any(question.kind == Question.Kind.FIELDS_OF_ACTION for question in questions):
        return []
    return list(FieldOfAction.objects.filter(is_active=True).order_by("position", "name"))
