"""The kinds of documents the apps contribute, each with its content and access rule.

An app describes a document in its ``documents`` module (``measures/documents.py``,
``minutes/documents/__init__.py`` …), found like the dashboard and demo modules
(``integration.core.discovery``): a subclass of ``DocumentKind`` decorated with
``@register``::

    @register
    class ConceptReport(DocumentKind):
        key = "measures.concept_report"
        title = gettext_lazy("Status report")
        subject_model = ConceptVersion
        variants = ("full",)

        def fingerprint_inputs(self, subject, variant):  # cheap: ids, updated_at, hashes
            ...
        def render(self, subject, variant, progress):    # slow: returns the PDF
            return pdf_render(template=..., context=...)
        def filename(self, subject, variant): ...
        def can_view(self, user, subject, variant): ...  # also for anonymous users

The machinery (``services``, ``views``) calls ``can_view`` on every request,
progress poll and download, and answers 404 when it says no, exactly as for an
unknown subject. ``render`` runs in a Celery task, in German, outside any
transaction; it reports how far it is through ``progress(percent)`` and raises
``DocumentError`` with a German reason for an expected failure (the reason is
shown on the page). The fingerprint is the SHA-256 of ``fingerprint_inputs``
together with the kind's ``version`` (raise it when the template changes) and the
letterhead; a document whose fingerprint is unchanged is served from storage.
"""

from collections.abc import Callable

from django.db import models
from django.db.models import Count, Max
from django.utils.functional import Promise

Progress = Callable[[int], None]


class DocumentError(Exception):
    """An expected failure of a compile; ``message`` (German) is shown on the page."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class DocumentKind:
    """One kind of document; subclasses fill in the attributes and methods below."""

    # "app.name", unique; part of the URLs and stored on each row.
    key: str = ""
    # German (lazily translated) title, e.g. "Sitzungsmappe".
    title: str | Promise = ""
    # Subjects are rows of this model, found by primary key; None: plain string
    # keys, and the kind overrides ``get_subject``/``subject_key``.
    subject_model: type[models.Model] | None = None
    # The variants a subject has ("public", "members"); the first is the default.
    variants: tuple[str, ...] = ("standard",)
    # Variants an anonymous visitor may possibly see (``can_view`` still decides per
    # subject); for every other variant an anonymous visitor is sent to the login.
    public_variants: tuple[str, ...] = ()
    # Part of the fingerprint: raise it when the template or the rendering changes,
    # so every stored document of the kind is compiled again on its next request.
    version: str = "1"
    # PDF/A-3a instead of PDF/UA-1 (see ``rendering.pdf_render``): only recorded in
    # the fingerprint here; ``render`` passes it on.
    archival: bool = False
    # Whether the download may serve the newest ready document of an older content
    # state while the current one compiles (or was never requested). Off by default:
    # an older state may hold what is no longer meant to be seen.
    serve_outdated: bool = False

    # ---- subjects ---------------------------------------------------------

    def get_subject(self, key: str):
        """The subject named ``key`` in a URL, or None when there is none."""
        if self.subject_model is None:
            raise NotImplementedError(f"{self.key}: get_subject for plain keys")
        try:
            return self.subject_model._default_manager.filter(pk=key).first()
        except (ValueError, TypeError):
            return None

    def subject_key(self, subject) -> str:
        """How ``subject`` is named in URLs and rows."""
        if self.subject_model is None:
            return str(subject)
        return str(subject.pk)

    def subject_label(self, subject, variant: str) -> str:
        """What the progress page calls the document (shown only to who may view it)."""
        return f"{self.title}: {subject}"

    # ---- content ------------------------------------------------------------

    def fingerprint_inputs(self, subject, variant: str) -> bytes | str:
        """Everything the content depends on, cheaply: ids, ``updated_at``, file hashes."""
        raise NotImplementedError

    def render(self, subject, variant: str, progress: Progress) -> bytes:
        """The PDF (called in German, in the worker, outside any transaction)."""
        raise NotImplementedError

    def filename(self, subject, variant: str) -> str:
        """The German file name of the download, e.g. ``sitzungsmappe-2026-03-12.pdf``."""
        raise NotImplementedError

    # ---- access -------------------------------------------------------------

    def can_view(self, user, subject, variant: str) -> bool:
        """Whether ``user`` (maybe anonymous) may see this document at all."""
        raise NotImplementedError

    def can_request(self, user, subject, variant: str) -> bool:
        """Whether ``user`` may have it compiled; by default whoever may view it."""
        return self.can_view(user, subject, variant)

    def can_retry(self, user, subject, variant: str) -> bool:
        """Whether ``user`` may try a failed compile again; logins who may request it."""
        return user.is_authenticated and self.can_request(user, subject, variant)

    # ---- after the compile ----------------------------------------------------

    def notify(self, document) -> None:
        """Called once a document became ready (e.g. to mail members the link)."""


class WholeDataKind(DocumentKind):
    """A report over the whole of an area (the monitoring, the network): one subject,
    ``"all"``, and one variant; subclasses add the content."""

    SUBJECT = "all"
    subject_model = None
    variants = ("standard",)

    def get_subject(self, key: str):
        return key if key == self.SUBJECT else None

    def subject_label(self, subject, variant: str) -> str:
        return str(self.title)


def stamp(queryset: models.QuerySet, field: str = "updated_at") -> str:
    """``"<count>:<newest field>"`` of ``queryset`` in one query: a fingerprint input that
    changes when a row is added, removed or changed (every model has ``updated_at``)."""
    result = queryset.order_by().aggregate(count=Count("pk"), newest=Max(field))
    newest = result["newest"].isoformat() if result["newest"] is not None else "-"
    return f"{result['count']}:{newest}"


_kinds: dict[str, DocumentKind] = {}
_discovered = False


def register(kind_class: type[DocumentKind]) -> type[DocumentKind]:
    """Class decorator: make a document kind known to the machinery."""
    kind = kind_class()
    if not kind.key or "/" in kind.key:
        raise ValueError(f"{kind_class.__name__}: a key without slashes is required")
    if not kind.variants or any(not v or "/" in v for v in kind.variants):
        raise ValueError(f"{kind.key}: variants must be non-empty names without slashes")
    existing = _kinds.get(kind.key)
    if existing is not None and type(existing).__qualname__ != kind_class.__qualname__:
        raise ValueError(f"Document kind {kind.key} is registered twice")
    _kinds[kind.key] = kind
    return kind_class


def unregister(key: str) -> None:
    """Forget a kind (tests register their own)."""
    _kinds.pop(key, None)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    from integration.core.discovery import app_modules

    # Importing each app's ``documents`` module runs its @register decorators.
    for _config, _module in app_modules("documents"):
        pass
    _discovered = True


def kind_get(key: str) -> DocumentKind | None:
    """The kind registered under ``key``, or None."""
    _discover()
    return _kinds.get(key)


def kind_list() -> list[DocumentKind]:
    """Every registered kind, by key."""
    _discover()
    return [_kinds[key] for key in sorted(_kinds)]
