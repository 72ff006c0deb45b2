"""The answers per question: counts, shares, statistics and free texts.

Computed in Python from one ``values()`` query over the answers, not one per
question. An anonymous survey with fewer than ``MIN_GROUP_ANSWERS`` responses
shows no per-question results at all: the free texts of one or two people
would otherwise be attributable by elimination. Free texts are listed sorted
alphabetically, never in the order they came in.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from integration.core.models import FieldOfAction
from integration.core.numbers import decimal_display, number_display, percent_display

from ...models import Answer, Question, Response, Survey
from .figures import MIN_GROUP_ANSWERS, alphabetical

SCALE_VALUES = (1, 2, 3, 4, 5)


# --- Answers per question --------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    share_display: str  # of the people who answered the question


@dataclass
class QuestionResult:
    question: Question
    number: int  # 1, 2, … in the survey's order
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    other_count: int | None = None  # choice questions offering "Other"
    texts: list[str] = field(default_factory=list)  # free texts, sorted
    statistics: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    mean: str = ""  # scale and number questions

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def is_text(self) -> bool:
        return self.question.kind in Question.TEXT_KINDS

    @property
    def has_chart(self) -> bool:
        return bool(self.options) and self.answered > 0


@dataclass(frozen=True)
class QuestionResults:
    responses: int
    withheld: bool  # an anonymous survey with too few responses to show anything
    questions: tuple[QuestionResult, ...]


def _counted(labels, counter: Counter, answered: int) -> list[OptionCount]:
    return [
        OptionCount(
            label=str(label),
            count=counter[key],
            share_display=percent_display(counter[key], answered),
        )
        for key, label in labels
    ]


def _sorted_texts(texts) -> list[str]:
    # Alphabetical: stable, and says nothing about who answered first.
    return sorted((text for text in texts if text.strip()), key=alphabetical)


def _choice_result(result: QuestionResult, rows: list[dict]) -> None:
    question = result.question
    options = [str(option) for option in question.options]
    counter, others = Counter(), []
    other_count = 0
    for row in rows:
        chosen = [str(choice) for choice in row["choices"] or []]
        counter.update(choice for choice in set(chosen) if choice in options)
        # A choice outside the options can only be the "Other" box, however it is stored.
        if row["other_text"].strip() or any(choice not in options for choice in chosen):
            other_count += 1
            others.append(row["other_text"])
    result.options = _counted([(option, option) for option in options], counter, result.answered)
    if question.allows_other or other_count:
        result.other_count = other_count
        result.options.append(
            OptionCount(
                label=_("Other answer"),
                count=other_count,
                share_display=percent_display(other_count, result.answered),
            )
        )
        result.texts = _sorted_texts(others)


def _fields_result(result: QuestionResult, rows: list[dict], fields: list[tuple]) -> None:
    counter = Counter()
    for row in rows:
        counter.update({str(choice) for choice in row["choices"] or []})
    # Active fields in their order, then archived ones somebody chose.
    labels = [(str(pk), name) for pk, name, active in fields if active or counter[str(pk)]]
    result.options = _counted(labels, counter, result.answered)


def _scale_result(result: QuestionResult, rows: list[dict]) -> None:
    values = [int(row["number"]) for row in rows if row["number"] is not None]
    counter = Counter(values)
    question = result.question
    labels = []
    for value in SCALE_VALUES:
        label = str(value)
        if value == SCALE_VALUES[0] and question.scale_low_label:
            label = f"{value} – {question.scale_low_label}"
        if value == SCALE_VALUES[-1] and question.scale_high_label:
            label = f"{value} – {question.scale_high_label}"
        labels.append((value, label))
    result.options = _counted(labels, counter, result.answered)
    if values:
        result.mean = decimal_display(statistics.fmean(values), 1)
        result.statistics = [(_("Mean"), result.mean)]


def _yes_no_result(result: QuestionResult, rows: list[dict]) -> None:
    counter = Counter(row["boolean"] for row in rows if row["boolean"] is not None)
    result.options = _counted([(True, _("Yes")), (False, _("No"))], counter, result.answered)


def _number_result(result: QuestionResult, rows: list[dict]) -> None:
    values = [Decimal(row["number"]) for row in rows if row["number"] is not None]
    if not values:
        return
    result.mean = decimal_display(sum(values) / len(values), 1)
    result.statistics = [
        (_("Smallest"), number_display(min(values))),
        (_("Largest"), number_display(max(values))),
        (_("Mean"), result.mean),
        (_("Median"), number_display(statistics.median(values))),
    ]


def _question_result(question, number, rows, fields) -> QuestionResult:
    result = QuestionResult(question=question, number=number, answered=len(rows))
    kinds = Question.Kind
    if question.kind in Question.CHOICE_KINDS:
        _choice_result(result, rows)
    elif question.kind == kinds.FIELDS_OF_ACTION:
        _fields_result(result, rows, fields)
    elif question.kind == kinds.SCALE:
        _scale_result(result, rows)
    elif question.kind == kinds.YES_NO:
        _yes_no_result(result, rows)
    elif question.kind == kinds.NUMBER:
        _number_result(result, rows)
    else:
        result.texts = _sorted_texts(row["text"] for row in rows)
    return result


def fields_of_action(questions) -> list[tuple]:
    """(pk, name, is_active) of every field of action, in order, when a question asks for
    them; one query, or none."""
    if not any(question.kind == Question.Kind.FIELDS_OF_ACTION for question in questions):
        return []
    return list(
        FieldOfAction.objects.order_by("position", "name").values_list("pk", "name", "is_active")
    )


ANSWER_VALUES = ("question_id", "text", "number", "boolean", "choices", "other_text")


def question_results(*, survey: Survey) -> QuestionResults:
    """Per question in order: how many answered and what (see the module docstring).

    Choice kinds: count and share per option (+ "Other" with its texts; shares
    of a multiple choice add up to more than 100 %); scale: counts of 1–5 and
    the mean; yes/no: counts; number: n, min, max, mean, median; fields of
    action: counts per name; text kinds: the texts. Four queries at most.
    """
    responses = Response.objects.filter(survey=survey).count()
    questions = list(Question.objects.filter(survey=survey).order_by("position", "pk"))
    if survey.is_anonymous and responses < MIN_GROUP_ANSWERS:
        return QuestionResults(responses=responses, withheld=True, questions=())
    rows_of = defaultdict(list)
    for row in Answer.objects.filter(response__survey=survey).values(*ANSWER_VALUES).order_by():
        rows_of[row["question_id"]].append(row)
    fields = fields_of_action(questions)
    results = tuple(
        _question_result(question, number, rows_of[question.pk], fields)
        for number, question in enumerate(questions, start=1)
    )
    return QuestionResults(responses=responses, withheld=False, questions=results)
