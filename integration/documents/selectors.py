"""What a page says about a document: its state for a user, what may be downloaded."""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from .models import Document, DocumentDownload
from .registry import DocumentKind, kind_get
from .services import document_current, fingerprint_compute


@dataclass
class DocumentState:
    """A document as one user sees it; ``None`` fields mean "there is none"."""

    kind: DocumentKind
    subject: object
    subject_key: str
    variant: str
    fingerprint: str
    # The row of the current content (any status), if it was requested.
    current: Document | None
    # What the download serves: the current row when ready, else (only for kinds
    # with ``serve_outdated``) the newest ready row of an older content.
    servable: Document | None
    can_request: bool
    can_retry: bool
    changed_since_download: bool
    # How the page names the variant ("öffentliche Fassung"), part of the button's
    # label where a page shows several variants of one kind; "" for none.
    variant_label: str = ""

    @property
    def status(self) -> str:
        """``none`` (never requested), ``queued``, ``rendering``, ``ready`` or ``failed``."""
        return self.current.status if self.current is not None else "none"

    @property
    def is_compiling(self) -> bool:
        return self.status in {Document.Status.QUEUED, Document.Status.RENDERING}

    @property
    def is_outdated(self) -> bool:
        """The download serves an older content than the current one."""
        return self.servable is not None and self.servable is not self.current

    @property
    def finished(self) -> bool:
        """Nothing changes by itself any more (the page stops polling)."""
        return not self.is_compiling

    @property
    def label(self) -> str:
        return self.kind.subject_label(self.subject, self.variant)

    def _url(self, name: str) -> str:
        return reverse(
            f"documents:document_{name}",
            kwargs={"kind": self.kind.key, "subject": self.subject_key, "variant": self.variant},
        )

    @property
    def detail_url(self) -> str:
        return self._url("detail")

    @property
    def status_url(self) -> str:
        return self._url("status")

    @property
    def request_url(self) -> str:
        return self._url("request")

    @property
    def retry_url(self) -> str:
        return self._url("retry")

    @property
    def download_url(self) -> str:
        return self._url("download")


def document_servable(*, kind: DocumentKind, subject, variant: str, current: Document | None):
    """The ready row the download serves (see ``DocumentState.servable``); at most one query."""
    if current is not None and current.status == Document.Status.READY:
        return current
    if not kind.serve_outdated:
        return None
    return (
        Document.objects.filter(
            kind=kind.key,
            subject=kind.subject_key(subject),
            variant=variant,
            status=Document.Status.READY,
        )
        .order_by("-rendered_at", "-pk")
        .first()
    )


def _last_download(*, user, kind: DocumentKind, subject, variant: str):
    if user is None or not user.is_authenticated:
        return None
    return DocumentDownload.objects.filter(
        user=user, kind=kind.key, subject=kind.subject_key(subject), variant=variant
    ).first()


def document_changed_since_download(*, user, kind: DocumentKind, subject, variant: str) -> bool:
    """Whether the content changed since ``user`` last downloaded this document.

    False when they never downloaded it (nothing to compare with) or are anonymous.
    """
    download = _last_download(user=user, kind=kind, subject=subject, variant=variant)
    if download is None:
        return False
    fingerprint = fingerprint_compute(kind=kind, subject=subject, variant=variant)
    return download.fingerprint != fingerprint


def _state(*, user, kind, subject, variant, fingerprint, current, download, variant_label=""):
    return DocumentState(
        kind=kind,
        subject=subject,
        subject_key=kind.subject_key(subject),
        variant=variant,
        fingerprint=fingerprint,
        current=current,
        servable=document_servable(kind=kind, subject=subject, variant=variant, current=current),
        can_request=kind.can_request(user, subject, variant),
        can_retry=(
            current is not None
            and current.status == Document.Status.FAILED
            and kind.can_retry(user, subject, variant)
        ),
        changed_since_download=download is not None and download.fingerprint != fingerprint,
        variant_label=str(variant_label),
    )


def document_state(*, user, kind: DocumentKind, subject, variant: str) -> DocumentState:
    """The state of a document for ``user``, who must be allowed to view it (the caller
    checks ``kind.can_view``). The kind's fingerprint queries and up to three more."""
    fingerprint = fingerprint_compute(kind=kind, subject=subject, variant=variant)
    return _state(
        user=user,
        kind=kind,
        subject=subject,
        variant=variant,
        fingerprint=fingerprint,
        current=document_current(
            kind=kind, subject=subject, variant=variant, fingerprint=fingerprint
        ),
        download=_last_download(user=user, kind=kind, subject=subject, variant=variant),
    )


def document_states(*, user, specs: dict[str, tuple]) -> dict[str, DocumentState | None]:
    """The documents a page shows, for its context (templates run no queries): ``specs``
    maps a name to ``(kind key, subject, variant)`` or ``(kind key, subject, variant,
    variant label)``; the answer maps each name to its state, or None where ``user``
    (maybe anonymous) may not view it or the subject is None. Each kind's
    ``can_view`` and fingerprint queries, then one query for the current rows and
    one for the user's downloads of all of them (plus one per document of a kind
    with ``serve_outdated`` that is not ready)."""
    states: dict[str, DocumentState | None] = {}
    wanted = {}
    for name, (kind_key, subject, variant, *label) in specs.items():
        kind = kind_get(kind_key)
        if kind is None:
            raise LookupError(f"Unknown document kind {kind_key}")
        variant = variant or kind.variants[0]
        states[name] = None
        if subject is None or not kind.can_view(user, subject, variant):
            continue
        fingerprint = fingerprint_compute(kind=kind, subject=subject, variant=variant)
        key = (kind.key, kind.subject_key(subject), variant)
        wanted[name] = (kind, subject, variant, key, fingerprint, label[0] if label else "")
    if not wanted:
        return states
    rows = Q()
    for *_head, key, fingerprint, _label in wanted.values():
        rows |= Q(kind=key[0], subject=key[1], variant=key[2], fingerprint=fingerprint)
    currents = {
        (row.kind, row.subject, row.variant): row
        for row in Document.objects.filter(rows).order_by("pk")
    }
    downloads = {}
    if user is not None and user.is_authenticated:
        rows = Q()
        for *_head, key, _fingerprint, _label in wanted.values():
            rows |= Q(kind=key[0], subject=key[1], variant=key[2])
        downloads = {
            (row.kind, row.subject, row.variant): row
            for row in DocumentDownload.objects.filter(rows, user=user)
        }
    for name, (kind, subject, variant, key, fingerprint, label) in wanted.items():
        states[name] = _state(
            user=user,
            kind=kind,
            subject=subject,
            variant=variant,
            fingerprint=fingerprint,
            current=currents.get(key),
            download=downloads.get(key),
            variant_label=label,
        )
    return states
