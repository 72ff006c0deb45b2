"""Discovery of the apps' document kinds, and the shared rendering with the letterhead."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from integration.documents import registry
from integration.documents.rendering import pdf_render


def test_kinds_are_found_in_the_apps_documents_modules(monkeypatch):
    monkeypatch.setattr(registry, "_discovered", False)
    keys = [kind.key for kind in registry.kind_list()]
    assert "measures.concept_report" in keys


def test_register_refuses_bad_keys_and_variants():
    class Slash(registry.DocumentKind):
        key = "a/b"

    class NoVariant(registry.DocumentKind):
        key = "tests.novariant"
        variants = ()

    with pytest.raises(ValueError, match="slashes"):
        registry.register(Slash)
    with pytest.raises(ValueError, match="variants"):
        registry.register(NoVariant)


@pytest.fixture
def letter_template(settings, tmp_path):
    folder = tmp_path / "templates"
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "letter.html").write_text(
        '{% extends "documents/base_document.html" %}'
        "{% block title %}Einladung zur Sitzung{% endblock %}"
        '{% block content %}<h1>Einladung zur Sitzung</h1><p class="document-date">'
        "Stand: 12.03.2026</p><p>Text des Briefes.</p>{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], folder]}
    ]
    settings.DOCUMENTS_LETTERHEAD_NAME = "Stadt Oelde"
    settings.DOCUMENTS_LETTERHEAD_ADDRESS = ["Ratsstiege 1", "59302 Oelde"]
    settings.DOCUMENTS_LETTERHEAD_LOGO = "favicon.svg"
    return "tests/letter.html"


def test_base_document_prints_letterhead_footer_title_and_language(letter_template):
    pdf = pdf_render(template=letter_template, context={})

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(text.stdout.decode().split())
    assert "Stadt Oelde" in text
    assert "Ratsstiege 1 59302 Oelde" in text
    assert "Seite 1 von 1" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Einladung zur Sitzung"
    assert reader.metadata.author == "Stadt Oelde"
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)
    assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_archival_option_writes_pdf_a(letter_template):
    pdf = pdf_render(template=letter_template, context={}, archival=True)
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadata
    assert b'pdfaid:part="3"' in metadata
    assert b'pdfaid:conformance="A"' in metadata
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # level A keeps the tags
