"""The portal's paper list and paper pages, per role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minutes.models import Paper

from ..factories import ConsultationFactory, PaperFactory
from .conftest import (
    PUBLIC_PAPER,
    SECRET_FILE,
    SECRET_ITEM,
    SECRET_PAPER,
    SECRET_PAPER_TEXT,
    text,
    without_csrf,
)

pytestmark = pytest.mark.django_db

LIST = reverse("portal:paper_list")


def paper_url(paper):
    return reverse("portal:paper_detail", args=[paper.pk])


def test_anonymous_paper_list_shows_public_papers_only(django_app, town):
    page = django_app.get(LIST)

    rows = [text(row) for row in page.html.select(".portal-papers tbody tr")]
    assert rows[0].startswith("2020/031-1 " + PUBLIC_PAPER)
    assert "Mitteilungsvorlage" in rows[0]
    assert "01.10.2020" in rows[0]
    assert "FB II Familie & Soziales" in rows[0]
    assert SECRET_PAPER not in page.text
    assert "2026/940" not in page.text
    assert "2 Vorlagen" in page.text


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("body_member", True),
        ("department_user", True),
        ("coordinator", True),
        ("other_member", False),
        ("administration_user", False),
    ],
)
def test_nonpublic_papers_in_the_list_per_role(django_app, town, request, role, sees):
    page = django_app.get(LIST, user=request.getfixturevalue(role))

    assert (SECRET_PAPER in page.text) is sees
    if sees:
        row = next(
            text(row)
            for row in page.html.select(".portal-papers tbody tr")
            if SECRET_PAPER in text(row)
        )
        assert "nicht öffentlich" in row


def test_paper_list_filters(django_app, town):
    PaperFactory(title="Antrag der Fraktion auf Sprachkurse", kind=Paper.Kind.MOTION, year=2025)
    consulted = PaperFactory(title="Bericht des Integrationsrates", year=2026)
    ConsultationFactory(paper=consulted, body=town.other_body)

    def titles(**params):
        page = django_app.get(LIST, params)
        return {text(row.select("td")[1]) for row in page.html.select(".portal-papers tbody tr")}

    assert titles(kind="motion") == {"Antrag der Fraktion auf Sprachkurse"}
    assert titles(year="2020") == {PUBLIC_PAPER, "Integrationsarbeit in der Stadt"}
    assert titles(body=town.other_body.pk) == {"Bericht des Integrationsrates"}
    assert titles(body=town.body.pk) == {PUBLIC_PAPER}
    # A value the visitor may not choose leaves that filter unset, not the others.
    assert titles(body=town.closed_body.pk, kind="motion") == {
        "Antrag der Fraktion auf Sprachkurse"
    }

    page = django_app.get(LIST)
    form = next(form for form in page.forms.values() if "kind" in form.fields)
    form["year"] = "2020"
    assert "2 Vorlagen" in form.submit().text


def test_paper_list_paginates_newest_first_at_constant_queries(django_app, town):
    def queries():
        with CaptureQueriesContext(connection) as context:
            page = django_app.get(LIST)
        return len(context), page

    for number in range(3):
        PaperFactory(date=datetime.date(2026, 1, 1) + datetime.timedelta(days=number))
    few, _ = queries()
    for number in range(45):
        PaperFactory(date=datetime.date(2025, 1, 1) + datetime.timedelta(days=number))
    many, page = queries()

    assert many == few
    rows = page.html.select(".portal-papers tbody tr")
    assert len(rows) == 25
    assert "Seite 1 von 2" in page.text
    second = page.click(href=r"page=2", index=0)
    assert len(second.html.select(".portal-papers tbody tr")) == 25


def test_anonymous_paper_page(django_app, town):
    page = django_app.get(paper_url(town.public_paper))

    assert text(page.html.h1) == PUBLIC_PAPER
    assert text(page.html.title).startswith("2020/031-1 " + PUBLIC_PAPER)
    assert "Mitteilungsvorlage" in page.text
    assert "Bredehorst, Jana" in page.text
    assert "FB II Familie &amp; Soziales" in page.text
    # The main paper ("Bezüglich 2020/031") and paragraphs of the text.
    assert page.html.select_one(f'a[href="{paper_url(town.main_paper)}"]')
    assert "<p>Sieben haben geantwortet.</p>" in page.text
    # The Beratungsfolge: the body, the meeting linked, the outcome of published minutes.
    consultations = text(page.html.select_one(".portal-consultations"))
    assert "Ausschuss für Bildung, Erziehung, Senioren und Soziales" in consultations
    assert "15.10.2026" in consultations
    assert "zur Kenntnis genommen" in consultations
    meeting_url = reverse("portal:meeting_detail", args=[town.meeting.pk])
    assert page.html.select_one(f'a[href="{meeting_url}"]')
    assert "Auswertung der Umfrage" in page.text
    file_url = reverse("portal:file_download", args=[town.public_file.pk])
    assert page.html.select_one(f'a[href="{file_url}"]')


def test_supplement_of_a_nonpublic_main_paper_does_not_name_it(django_app, town):
    town.main_paper.is_public = False
    town.main_paper.save()

    page = django_app.get(paper_url(town.public_paper))

    assert "Integrationsarbeit in der Stadt" not in page.text
    assert paper_url(town.main_paper) not in page.text


def test_nonpublic_paper_page_per_role(django_app, town, body_member, other_member):
    unknown = reverse("portal:paper_detail", args=[987654])
    hidden = django_app.get(paper_url(town.secret_paper), status=404)
    assert hidden.text == django_app.get(unknown, status=404).text
    assert SECRET_PAPER not in hidden.text
    other = django_app.get(paper_url(town.secret_paper), user=other_member, status=404)
    assert without_csrf(other.text) == without_csrf(
        django_app.get(unknown, user=other_member, status=404).text
    )

    page = django_app.get(paper_url(town.secret_paper), user=body_member)
    assert SECRET_PAPER in page.text
    assert SECRET_PAPER_TEXT in page.text
    assert "nicht öffentlich" in page.text
    assert SECRET_FILE in page.text
    assert "N 1" in page.text  # the item that treated it


def test_paper_page_does_not_name_a_nonpublic_body(django_app, town):
    ConsultationFactory(paper=town.public_paper, body=town.closed_body, position=2)

    page = django_app.get(paper_url(town.public_paper))

    assert town.closed_body.name not in page.text
    assert SECRET_ITEM not in page.text
