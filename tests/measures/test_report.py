"""The concept status report for the committee: a real PDF, its content and who may get it."""

import contextlib
import re
import shutil
import subprocess
import zlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from integration.documents import services
from measures.documents import concept_report_context, concept_report_variant
from measures.models import ConceptVersion, Grant, Measure
from measures.services.catalogue import version_revise

from ..core.factories import FieldOfActionFactory
from .factories import (
    ConceptFactory,
    ConceptVersionFactory,
    GoalFactory,
    GrantFactory,
    GrantYearFactory,
    IndicatorFactory,
    MeasureFactory,
    ObservationFactory,
    PositionFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db

# The report's date in every test: "Stand: 23.11.2026".
TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # The compiled reports are stored files: kept out of the checkout's var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report_pdf(django_capture_on_commit_callbacks):
    """The stored report of a version in the user's variant, compiled at the commit."""

    def get(version, user) -> bytes:
        with django_capture_on_commit_callbacks(execute=True):
            document = services.document_request(
                kind="measures.concept_report",
                subject=version,
                variant=concept_report_variant(user=user),
                by=user,
            )
        document.refresh_from_db()
        return services.document_path(document).read_bytes()

    return get


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def uncompressed(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated, to look for catalog entries."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompressobj().decompress(stream))
    return b"\n".join(inflated)


def _measure(goal, number, title, *, status=Measure.Status.IN_PROGRESS, updated=None, **kwargs):
    """A measure whose last update (if any) is recorded both as a row and on the measure."""
    measure = MeasureFactory(
        goal=goal, number=number, title=title, status=status, last_update_on=updated, **kwargs
    )
    if updated:
        StatusUpdateFactory(
            measure=measure, date=updated, status=status, note=f"Stand von {title}."
        )
    return measure


def oelde() -> ConceptVersion:
    """A small concept in two fields of action, with funding, a position and an indicator."""
    version = ConceptVersionFactory(
        concept=ConceptFactory(title="Integrationskonzept der Stadt Oelde"),
        label="Fortschreibung 2026",
        adopted_on=date(2026, 6, 30),
    )
    housing = FieldOfActionFactory(name="Wohnen und Unterbringung", position=10)
    language = FieldOfActionFactory(name="Sprache und Bildung", position=20)
    goal = GoalFactory(version=version, number=3, title="Sprache fördern", field_of_action=language)
    _measure(goal, 1, "Sprachcafé ausbauen", status=Measure.Status.DONE, updated=date(2026, 10, 1))
    _measure(goal, 2, "Lernpaten gewinnen", updated=date(2026, 9, 1))
    # Stale (no update for six months) and overdue (end passed, still in progress).
    _measure(goal, 3, "Elternkurse", updated=date(2025, 1, 10), end_on=date(2026, 3, 31))
    other = GoalFactory(
        version=version, number=8, title="Dezentral wohnen", field_of_action=housing
    )
    _measure(other, 1, "Wohnungsbörse", status=Measure.Status.PLANNED)

    grant = GrantFactory(title="KIM-Case-Management", status=Grant.Status.GRANTED)
    for year in (2019, 2020):
        GrantYearFactory(grant=grant, year=year, applied=Decimal(200000), granted=Decimal(200000))
    PositionFactory(title="Integrationsbeauftragte", fte=Decimal("0.65"), grant=grant)
    indicator = IndicatorFactory(
        field_of_action=language, name="Teilnehmende an Integrationskursen", unit="Personen"
    )
    ObservationFactory(indicator=indicator, period_end=date(2024, 12, 31), value=Decimal(180))
    ObservationFactory(indicator=indicator, period_end=date(2025, 12, 31), value=Decimal(260))
    return version


def report_url(version) -> str:
    return reverse("measures:concept_report", args=[version.pk])


def test_concept_report_is_a_pdf_with_catalogue_funding_and_monitoring(
    committee_member, report_pdf
):
    version = oelde()

    text = pdf_text(report_pdf(version, committee_member))
    flat = " ".join(text.split())
    assert "Integrationskonzept der Stadt Oelde" in text
    assert "Stand: 23.11.2026" in flat
    assert "beschlossen am 30.06.2026" in flat
    assert "Wohnen und Unterbringung" in text
    assert "Sprache und Bildung" in text
    assert "3.2" in text
    assert "Lernpaten gewinnen" in text
    assert "4 Maßnahmen: 1 Geplant (25 %), 2 In Umsetzung (50 %), 1 Umgesetzt (25 %)" in flat
    assert "Stand von Lernpaten gewinnen." in flat
    assert "2019" in text
    assert "200.000,00" in text
    assert "400.000,00" in text  # the total over both years
    assert "Integrationsbeauftragte" in text
    assert "Teilnehmende an Integrationskursen" in flat
    assert "steigend" in flat  # the trend column of the monitoring
    assert "Seite 1 von" in text


def test_concept_report_pdf_has_title_language_and_tags(coordinator, report_pdf):
    version = oelde()
    pdf = report_pdf(version, coordinator)

    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    info = info.stdout.decode()
    assert "Title:           Statusbericht: Integrationskonzept der Stadt Oelde" in info
    assert "Tagged:          yes" in info
    objects = uncompressed(pdf)
    assert b"/Lang (de)" in objects
    assert b"pdfuaid:part" in objects


@pytest.mark.parametrize("role", ["coordinator", "administration_user", "committee_member"])
def test_concept_report_old_address_leads_every_reader_to_the_document_page(
    django_app, request, role
):
    version = ConceptVersionFactory()
    page = django_app.get(report_url(version), user=request.getfixturevalue(role))
    assert page.status_code == 302
    assert page.location == reverse(
        "documents:document_detail",
        kwargs={"kind": "measures.concept_report", "subject": version.pk, "variant": "full"},
    )


def test_concept_report_refuses_user_without_role(django_app, user_without_role):
    version = ConceptVersionFactory()
    django_app.get(report_url(version), user=user_without_role, status=403)


def test_concept_report_sends_anonymous_to_login(django_app):
    version = ConceptVersionFactory()
    page = django_app.get(report_url(version), status=302)
    assert page.location.startswith(reverse("login"))


def test_concept_report_of_unknown_version_is_404(django_app, coordinator):
    django_app.get(reverse("measures:concept_report", args=[999]), user=coordinator, status=404)


def test_concept_report_context_summary_counts_statuses_stale_and_overdue():
    summary = concept_report_context(version=oelde())["summary"]
    assert (summary.goals, summary.measures) == (2, 4)
    assert [(share.label, share.count, share.percent) for share in summary.shares] == [
        ("Geplant", 1, 25),
        ("In Umsetzung", 2, 50),
        ("Umgesetzt", 1, 25),
    ]
    # "Elternkurse" (old update) and "Wohnungsbörse" (never updated) are stale; done is not.
    assert summary.stale == 2
    assert summary.overdue == 1
    assert summary.stale_months == 6


def _measures(context) -> dict[str, Measure]:
    return {
        measure.code: measure
        for entry in context["catalogue"].fields
        for item in entry.goals
        for measure in item.measures
    }


def test_concept_report_context_groups_by_field_and_shows_newest_note_shortened():
    version = oelde()
    measure = Measure.objects.get(goal__version=version, title="Lernpaten gewinnen")
    StatusUpdateFactory(measure=measure, date=date(2026, 8, 1), note="Älterer Stand.")
    StatusUpdateFactory(measure=measure, date=date(2026, 9, 1), note="Neuer " + "x" * 300)
    context = concept_report_context(version=version)

    fields = [entry.field.name for entry in context["catalogue"].fields]
    assert fields == ["Wohnen und Unterbringung", "Sprache und Bildung"]
    note = _measures(context)["3.2"].latest_note
    assert note.startswith("Neuer xxx")
    assert len(note) == 200
    assert note.endswith("…")
    assert _measures(context)["8.1"].latest_note == ""


def test_concept_report_context_of_a_revision_shows_the_predecessors_note():
    adopted = oelde()
    revision = version_revise(by=None, version=adopted)
    context = concept_report_context(version=revision)
    assert _measures(context)["3.2"].latest_note == "Stand von Lernpaten gewinnen."
    assert context["version"].is_editable


def test_concept_report_context_leaves_out_what_the_user_may_not_read(django_user_model):
    from django.contrib.auth.models import Permission

    version = oelde()
    reader = django_user_model.objects.create_user("leser", password="geheim-123")
    reader.user_permissions.add(Permission.objects.get(codename="view_measure"))

    context = concept_report_context(version=version, user=reader)

    assert not context["show_funding"]
    assert not context["show_positions"]
    assert not context["show_monitoring"]
    assert context["positions"] == []
    assert context["monitoring"] == []


def test_concept_report_context_builds_indicator_charts():
    context = concept_report_context(version=oelde())
    [entry] = context["monitoring"]
    [status] = entry.indicators
    assert status.indicator.chart.startswith("<svg")
    assert status.indicator.latest_display == "260 Personen"
    assert status.indicator.target_display == "50 Personen"


def test_catalogue_offers_the_report_to_the_committee(django_app, committee_member):
    version = ConceptVersionFactory()
    page = django_app.get(version.get_absolute_url(), user=committee_member)
    link = page.html.find("a", string=re.compile("Statusbericht"))
    assert link["href"] == report_url(version)
