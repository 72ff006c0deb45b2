"""Export of the answers: CSV and XLSX, anonymous without any person data, safe in Excel."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from actors.surveys.models import Question
from actors.surveys.selectors.results import response_table

from ...core.factories import FieldOfActionFactory
from ..factories import AffiliationFactory, OrganisationFactory, PersonFactory
from .factories import InvitationFactory, QuestionFactory
from .test_results import response_add, running_survey

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example","Klick")'


def export(django_app, user, survey, fmt, **kwargs):
    return django_app.get(
        reverse("surveys:survey_export", args=[survey.pk, fmt]), user=user, **kwargs
    )


def csv_rows(response) -> list[list[str]]:
    text = response.body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def questions():
    def make(survey):
        kinds = Question.Kind
        return [
            QuestionFactory(survey=survey, kind=kinds.SHORT_TEXT, text="Was fehlt?"),
            QuestionFactory(
                survey=survey,
                kind=kinds.MULTIPLE_CHOICE,
                text="Welche Angebote?",
                options=["Kita", "Schule"],
                allows_other=True,
            ),
            QuestionFactory(survey=survey, kind=kinds.NUMBER, text="Wie viele?"),
            QuestionFactory(survey=survey, kind=kinds.YES_NO, text="Dolmetscher?"),
            QuestionFactory(survey=survey, kind=kinds.FIELDS_OF_ACTION, text="Handlungsfelder?"),
        ]

    return make


def _people(survey, count):
    people = [
        PersonFactory(first_name=f"Vorname{index}", last_name=f"Nachname{index}")
        for index in range(count)
    ]
    return [InvitationFactory(survey=survey, person=person) for person in people]


def test_anonymous_export_holds_answers_only(django_app, coordinator, questions):
    survey = running_survey(is_anonymous=True)
    text, choice, number, yes_no, fields = questions(survey)
    housing = FieldOfActionFactory(name="Wohnen")
    invitations = _people(survey, 3)
    answers = [
        ("Zeit", ["Kita", "Schule"], "", "2.5", True),
        ("Anerkennung", [], "Sportverein", "4", False),
        ("Busverbindungen", ["Schule"], "", "12", True),
    ]
    responses = []
    for invitation, (free, chosen, other, amount, yes) in zip(invitations, answers, strict=True):
        responses.append(
            response_add(
                survey,
                {
                    text: {"text": free},
                    choice: {"choices": chosen, "other_text": other},
                    number: {"number": Decimal(amount)},
                    yes_no: {"boolean": yes},
                    fields: {"choices": [housing.pk]},
                },
                invitation=invitation,
            )
        )

    page = export(django_app, coordinator, survey, "csv")

    assert page.content_type == "text/csv"
    assert page.headers["Content-Disposition"] == (
        f'attachment; filename="umfrage-{survey.title.lower().replace(" ", "-")}-ergebnisse.csv"'
    )
    rows = csv_rows(page)
    assert rows[0] == [
        "1. Was fehlt?",
        "2. Welche Angebote?",
        "3. Wie viele?",
        "4. Dolmetscher?",
        "5. Handlungsfelder?",
    ]
    # Sorted by the answers, not by the order of answering.
    assert rows[1:] == [
        ["Anerkennung", "Sonstiges: Sportverein", "4", "Nein", "Wohnen"],
        ["Busverbindungen", "Schule", "12", "Ja", "Wohnen"],
        ["Zeit", "Kita; Schule", "2,5", "Ja", "Wohnen"],
    ]
    body = page.body.decode("utf-8-sig")
    for invitation in invitations:
        person = invitation.person
        for value in (person.first_name, person.last_name, person.email, str(invitation.uuid)):
            assert value not in body
        assert str(invitation.pk) not in [cell for row in rows for cell in row]
    for response in responses:
        assert str(response.pk) not in body


def test_named_export_adds_name_email_and_organisation(django_app, coordinator, questions):
    survey = running_survey(is_anonymous=False)
    text, *_rest = questions(survey)
    first, second = _people(survey, 2)
    organisation = OrganisationFactory(name="Caritas Wiesenbrück")
    AffiliationFactory(person=first.person, organisation=organisation)
    # Answered in the other order: rows are sorted by name.
    response_add(survey, {text: {"text": "Wohnraum"}}, invitation=second)
    response_add(survey, {text: {"text": "Mehr Kurse"}}, invitation=first)

    rows = xlsx_rows(export(django_app, coordinator, survey, "xlsx"))

    assert rows[0][:4] == ["Name", "E-Mail", "Organisation", "1. Was fehlt?"]
    assert rows[1][:4] == [
        "Vorname0 Nachname0",
        first.person.email,
        "Caritas Wiesenbrück",
        "Mehr Kurse",
    ]
    assert rows[2][:4] == ["Vorname1 Nachname1", second.person.email, None, "Wohnraum"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formulas(django_app, coordinator, questions, fmt):
    survey = running_survey(is_anonymous=True)
    text, choice, *_rest = questions(survey)
    for _index in range(3):
        response_add(survey, {text: {"text": FORMULA}, choice: {"choices": [], "other_text": "x"}})

    page = export(django_app, coordinator, survey, fmt)

    cells = [cell for row in (csv_rows(page) if fmt == "csv" else xlsx_rows(page)) for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(page.body)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_of_an_unknown_format_is_404(django_app, coordinator):
    survey = running_survey()
    export(django_app, coordinator, survey, "pdf", status=404)


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_export_is_refused_without_the_right(django_app, request, role):
    survey = running_survey()
    export(django_app, request.getfixturevalue(role), survey, "csv", status=403)


def test_response_table_runs_a_fixed_number_of_queries(questions, django_assert_num_queries):
    survey = running_survey(is_anonymous=False)
    text, *_rest = questions(survey)
    for invitation in _people(survey, 6):
        AffiliationFactory(person=invitation.person)
        response_add(survey, {text: {"text": "x"}}, invitation=invitation)
    with django_assert_num_queries(5):
        table = response_table(survey=survey)
    assert len(table.rows) == 6
