"""A document kind of the tests ("tests.note"), fast to compile, and a private MEDIA_ROOT."""

import io

import pytest
from pypdf import PdfWriter

from integration.documents import registry

# The notes the kind knows: key → {"text", "public", "pages"}; tests change them.
NOTES: dict[str, dict] = {}
# What happened: one entry per render, and a hook a test may set to fail or block it.
CALLS: dict = {"renders": [], "notified": [], "hook": None}


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class NoteKind(registry.DocumentKind):
    """A note: "public" variant for everybody while the note is public, "internal" for
    logins with the right to read the concept."""

    key = "tests.note"
    title = "Notiz"
    variants = ("internal", "public")
    public_variants = ("public",)

    def get_subject(self, key):
        return key if key in NOTES else None

    def fingerprint_inputs(self, subject, variant):
        note = NOTES[subject]
        return f"{note['text']}|{note['public']}|{note['pages']}"

    def render(self, subject, variant, progress):
        CALLS["renders"].append((subject, variant))
        progress(50)
        if CALLS["hook"] is not None:
            CALLS["hook"](subject, variant)
        return blank_pdf(NOTES[subject]["pages"])

    def filename(self, subject, variant):
        return f"notiz-{subject}-{variant}.pdf"

    def can_view(self, user, subject, variant):
        if variant == "public":
            return NOTES[subject]["public"]
        return user.has_perm("measures.view_measure")

    def notify(self, document):
        CALLS["notified"].append(document.pk)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def note_kind(monkeypatch):
    # The machinery's tests need only this kind: other apps' documents modules are
    # not imported (tests/documents/test_registry.py covers the discovery).
    monkeypatch.setattr(registry, "_discovered", True)
    NOTES.clear()
    NOTES["a"] = {"text": "Erste Fassung", "public": True, "pages": 3}
    NOTES["secret"] = {"text": "Vertraulich", "public": False, "pages": 1}
    CALLS.update(renders=[], notified=[], hook=None)
    registry.register(NoteKind)
    yield registry.kind_get("tests.note")
    registry.unregister("tests.note")
