"""The shared PDF helper: German, PDF/UA, and only our static files are fetched."""

import contextlib
import re
import shutil
import socket
import subprocess
import zlib

import pytest
from django.template import engines
from django.utils import translation
from weasyprint import HTML

from integration.documents import rendering

SITE = "https://integration.example.org"
TEMPLATE = """{% load static %}<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Bericht {{ name }}</title>
<link rel="stylesheet" href="{% static 'css/report.css' %}"></head>
<body><h1>Bericht {{ name }}</h1><p>{{ text }}</p>
<img src="http://127.0.0.1:9/tracker.png" alt="">
<img src="file:///etc/hostname" alt=""></body></html>"""


def uncompressed(pdf: bytes) -> bytes:
    """The PDF with its Flate streams inflated, to look for catalog entries."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompressobj().decompress(stream))
    return b"\n".join(inflated)


@pytest.fixture
def template(monkeypatch):
    """``pdf_render`` with TEMPLATE instead of a template file."""
    django_template = engines["django"].from_string(TEMPLATE)

    def render_to_string(name, context):
        assert name == "test.html"
        return django_template.render(context)

    monkeypatch.setattr(rendering, "render_to_string", render_to_string)


@pytest.fixture
def no_network(monkeypatch):
    """Records every attempt to open a connection (WeasyPrint swallows errors)."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


def test_static_file_finds_our_stylesheet(settings):
    settings.SITE_URL = SITE
    path = rendering.static_file(f"{SITE}/static/css/report.css")
    assert path is not None
    assert path.name == "report.css"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/tracker.png",
        "https://evil.example/static/css/report.css",
        "http://integration.example.org/static/css/report.css",  # other scheme than SITE_URL
        "file:///etc/hostname",
        f"{SITE}/static/../integration/settings.py",
        f"{SITE}/static/%2e%2e/integration/settings.py",
        f"{SITE}/static/css/missing.css",
        f"{SITE}/admin/",
        "data:text/plain,hello",
    ],
)
def test_fetcher_refuses_everything_but_static_files(settings, no_network, url):
    settings.SITE_URL = SITE
    with pytest.raises(rendering.ResourceRefusedError):
        rendering.StaticFilesFetcher().fetch(url)
    assert no_network == []


def test_fetcher_serves_a_static_file(settings):
    settings.SITE_URL = SITE
    response = rendering.StaticFilesFetcher().fetch(f"{SITE}/static/css/report.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_weasyprint_with_the_fetcher_opens_no_connection(settings, no_network):
    settings.SITE_URL = SITE
    html = HTML(
        string='<img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://a.example/x.css">',
        base_url=rendering.base_url(),
        url_fetcher=rendering.StaticFilesFetcher(),
    )
    assert html.write_pdf().startswith(b"%PDF")
    assert no_network == []


def test_pdf_render_makes_a_tagged_german_pdf_with_title(settings, template, no_network):
    settings.SITE_URL = SITE
    pdf = rendering.pdf_render(
        template="test.html", context={"name": "Mai", "text": "<b>Hallo</b>"}
    )

    assert pdf.startswith(b"%PDF-1.7")
    assert no_network == []
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Title:           Bericht Mai" in info
    assert "Tagged:          yes" in info
    objects = uncompressed(pdf)
    assert b"/Lang (de)" in objects
    assert b"pdfuaid:part" in objects
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "<b>Hallo</b>" in text
    assert "Seite 1 von 1" in text  # report.css was fetched and applied


def test_pdf_render_renders_in_german_whatever_the_active_language(settings, template, monkeypatch):
    settings.SITE_URL = SITE
    seen = []
    render = rendering.render_to_string

    def spy(name, context):
        seen.append(translation.get_language())
        return render(name, context)

    monkeypatch.setattr(rendering, "render_to_string", spy)
    with translation.override("en"):
        rendering.pdf_render(template="test.html", context={"name": "x", "text": ""})
        assert translation.get_language() == "en"
    assert seen == ["de"]
