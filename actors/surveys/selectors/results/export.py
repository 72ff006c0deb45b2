"""The export of the answers: one row per response, one column per question."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from actors.models import Affiliation
from actors.selectors import current_q

from ...models import Answer, Question, Response, Survey
from .answers import ANSWER_VALUES, fields_of_action
from .figures import alphabetical

# The separator of several choices in one export cell.
JOIN = "; "


@dataclass(frozen=True)
class ResponseTable:
    headers: list[str]
    rows: list[list]  # str, int or Decimal cells; "" for no answer


def _cell(question: Question, row: dict | None, field_names: dict[str, str]):
    if row is None:
        return ""
    kind = question.kind
    if kind in Question.CHOICE_KINDS:
        options = [str(option) for option in question.options]
        parts = [str(choice) for choice in row["choices"] or [] if str(choice) in options]
        if row["other_text"].strip():
            parts.append(_("Other: %(text)s") % {"text": row["other_text"].strip()})
        return JOIN.join(parts)
    if kind == Question.Kind.FIELDS_OF_ACTION:
        return JOIN.join(
            field_names.get(str(choice), str(choice)) for choice in row["choices"] or []
        )
    if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        if row["number"] is None:
            return ""
        value = Decimal(row["number"])
        return int(value) if value == value.to_integral_value() else value.normalize()
    if kind == Question.Kind.YES_NO:
        return "" if row["boolean"] is None else (_("Yes") if row["boolean"] else _("No"))
    return row["text"]


def _organisations_of(person_ids: list[int]) -> dict[int, str]:
    """Current organisations per person, joined; one query."""
    names = defaultdict(list)
    affiliations = (
        Affiliation.objects.filter(current_q(), person_id__in=person_ids)
        .order_by("organisation__name")
        .values_list("person_id", "organisation__name")
    )
    for person_id, name in affiliations:
        names[person_id].append(name)
    return {person_id: JOIN.join(organisations) for person_id, organisations in names.items()}


PERSON_VALUES = {
    name: F(f"invitation__person__{name}") for name in ("title", "first_name", "last_name", "email")
} | {"person_id": F("invitation__person_id")}


def response_table(*, survey: Survey) -> ResponseTable:
    """The export: one row per response, one column per question.

    Named surveys start with the person's name, email and current organisations
    and are sorted by name. Anonymous surveys hold answers only (no person, no
    invitation or response id, no time), sorted by the answers themselves so
    that the order of rows says nothing about the order of answering. At most
    five queries.
    """
    questions = list(Question.objects.filter(survey=survey).order_by("position", "pk"))
    field_names = {str(pk): name for pk, name, _active in fields_of_action(questions)}
    responses = Response.objects.filter(survey=survey).order_by()
    if survey.is_anonymous:
        response_rows = list(responses.values("id"))
    else:
        response_rows = sorted(
            responses.values("id", **PERSON_VALUES),
            key=lambda row: (
                alphabetical(row["last_name"] or ""),
                alphabetical(row["first_name"] or ""),
            ),
        )
    answers = defaultdict(dict)
    answer_rows = Answer.objects.filter(response__survey=survey).values(
        "response_id", *ANSWER_VALUES
    )
    for row in answer_rows.order_by():
        answers[row["response_id"]][row["question_id"]] = row

    headers = [f"{number}. {question.text}" for number, question in enumerate(questions, start=1)]
    rows = [
        [
            _cell(question, answers[response["id"]].get(question.pk), field_names)
            for question in questions
        ]
        for response in response_rows
    ]
    if survey.is_anonymous:
        rows.sort(key=lambda cells: [alphabetical(str(cell)) for cell in cells])
        return ResponseTable(headers=headers, rows=rows)

    organisations = _organisations_of(
        [row["person_id"] for row in response_rows if row["person_id"]]
    )
    for response, cells in zip(response_rows, rows, strict=True):
        name = " ".join(
            part
            for part in (response["title"], response["first_name"], response["last_name"])
            if part
        )
        cells[:0] = [name, response["email"] or "", organisations.get(response["person_id"], "")]
    return ResponseTable(headers=[_("Name"), _("Email"), _("Organisation"), *headers], rows=rows)
