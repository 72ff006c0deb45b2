"""The first real kind: the concept status report, requested, compiled and downloaded."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from integration.documents import services
from integration.documents.models import Document
from measures.documents import concept_report_variant

from ..measures.factories import ConceptFactory, ConceptVersionFactory, GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db

KIND = "measures.concept_report"


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def url(name, version, variant="full"):
    return reverse(
        f"documents:document_{name}",
        kwargs={"kind": KIND, "subject": str(version.pk), "variant": variant},
    )


@pytest.fixture(autouse=True)
def _only_this_kind(monkeypatch):
    # measures.documents is imported above, which registers the kind; the other apps'
    # documents modules are left out (test_registry.py covers the discovery).
    from integration.documents import registry

    monkeypatch.setattr(registry, "_discovered", True)


@pytest.fixture
def version():
    version = ConceptVersionFactory(
        concept=ConceptFactory(title="Integrationskonzept Oelde"), label="Fortschreibung 2026"
    )
    goal = GoalFactory(version=version, number=3, title="Sprache fördern")
    MeasureFactory(goal=goal, number=1, title="Sprachcafé ausbauen")
    return version


def request(version, user, capture):
    with capture(execute=True):
        document = services.document_request(
            kind=KIND, subject=version, variant=concept_report_variant(user=user), by=user
        )
    document.refresh_from_db()
    return document


def test_concept_report_request_compile_download(
    django_app, coordinator, version, django_capture_on_commit_callbacks
):
    page = django_app.get(url("detail", version), user=coordinator)
    assert "Statusbericht: Integrationskonzept Oelde: Fortschreibung 2026" in page.text
    [form] = [f for f in page.forms.values() if f.action.endswith("/request/")]
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit()
    page = response.follow()
    assert "Das PDF ist fertig." in page.text

    download = page.click("Herunterladen")
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="konzept-statusbericht-fortschreibung-2026.pdf"'
    )
    text = pdf_text(download.body)
    assert "Integrationskonzept Oelde" in text
    assert "Sprachcafé ausbauen" in text
    assert "Seite 1 von" in text
    document = Document.objects.get()
    assert document.status == Document.Status.READY
    assert document.pages >= 2


def test_concept_report_unchanged_is_served_from_storage_changed_is_compiled_again(
    coordinator, version, django_capture_on_commit_callbacks, monkeypatch
):
    import measures.documents

    renders = []
    real = measures.documents.pdf_render
    monkeypatch.setattr(
        measures.documents, "pdf_render", lambda **kw: renders.append(1) or real(**kw)
    )
    first = request(version, coordinator, django_capture_on_commit_callbacks)
    again = request(version, coordinator, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert len(renders) == 1

    measure = version.goals.get().measures.get()
    measure.title = "Sprachcafé verdoppeln"
    measure.save()
    changed = request(version, coordinator, django_capture_on_commit_callbacks)
    assert changed.fingerprint != first.fingerprint
    assert len(renders) == 2
    assert "Sprachcafé verdoppeln" in pdf_text(services.document_path(changed).read_bytes())


def test_concept_report_is_404_for_a_login_without_role_and_login_for_anonymous(
    django_app, user_without_role, version
):
    django_app.get(url("detail", version), user=user_without_role, status=404)
    django_app.get(url("download", version), user=user_without_role, status=404)
    django_app.reset()
    page = django_app.get(url("detail", version), status=302)
    assert page.location.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "administration_user", "committee_member"])
def test_every_role_reading_the_concept_gets_the_full_report(request, role, version):
    assert concept_report_variant(user=request.getfixturevalue(role)) == "full"
