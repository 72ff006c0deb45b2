"""HTML templates to PDF with WeasyPrint: German, accessible (PDF/UA-1), offline.

``pdf_render`` is what a document kind's ``render`` calls (see ``registry``);
the stored documents, the task and the views live beside it. Templates extend
``documents/base_document.html`` for the town's letterhead and the running
footer; ``letterhead`` is in every context.

WeasyPrint would fetch whatever a document links to, including ``http://``
and ``file://`` URLs: a free text that slipped through unescaped could make
the server read local files into a PDF or call into the internal network.
The fetcher here serves our static files and nothing else.
"""

import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_LANGUAGE = "de"
PDF_VARIANT = "pdf/ua-1"
# The archival option: PDF/A-3 level A, the PDF/A variant of WeasyPrint that keeps
# the tagged structure (level B would drop it), so an archived copy stays accessible.
PDF_ARCHIVAL_VARIANT = "pdf/a-3a"


class ResourceRefusedError(ValueError):
    """A document asked for something other than one of our static files."""


def base_url() -> str:
    """The address relative links in documents resolve against: the site's root."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_prefix() -> str:
    """The path below which static files are served, e.g. ``/static/``."""
    prefix = urlsplit(urljoin(base_url(), settings.STATIC_URL)).path
    return prefix if prefix.endswith("/") else prefix + "/"


def static_file(url: str) -> Path | None:
    """The file behind ``url`` if it names one of our static files, else None."""
    parts = urlsplit(url)
    site = urlsplit(base_url())
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    path = unquote(parts.path)
    if not path.startswith(static_prefix()):
        return None
    name = path.removeprefix(static_prefix())
    if not name or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    # Production: hashed names of the manifest storage live in STATIC_ROOT only.
    if staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None


class StaticFilesFetcher(URLFetcher):
    """Serves ``<SITE_URL>/static/…`` from the static files; refuses every other URL."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        path = static_file(url)
        if path is None:
            raise ResourceRefusedError(f"Only our static files are fetched, not {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def letterhead() -> dict:
    """The town's letterhead from the settings: name, address lines, logo (static path)."""
    return {
        "name": settings.DOCUMENTS_LETTERHEAD_NAME,
        "address": list(settings.DOCUMENTS_LETTERHEAD_ADDRESS),
        "logo": settings.DOCUMENTS_LETTERHEAD_LOGO,
    }


def pdf_render(*, template: str, context: dict, archival: bool = False) -> bytes:
    """``template`` rendered with ``context`` in German, as a tagged PDF/UA-1 document.

    The template must be a complete HTML document with ``<html lang="de">`` and a
    ``<title>`` (the PDF's language and title); ``documents/base_document.html``
    provides both with the letterhead. Links to ``{% static %}`` files work, every
    other resource is refused. ``archival``: PDF/A-3a instead, for the archive.
    """
    with translation.override(PDF_LANGUAGE):
        html = render_to_string(template, {"letterhead": letterhead(), **context})
        document = HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesFetcher())
        return document.write_pdf(pdf_variant=PDF_ARCHIVAL_VARIANT if archival else PDF_VARIANT)


def pdf_page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)
