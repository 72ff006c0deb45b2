"""The pages: progress, JSON status, request, retry, download; who gets a 404."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from integration.documents.models import Document, DocumentDownload

from .conftest import CALLS, NOTES

pytestmark = pytest.mark.django_db


def url(name, subject="a", variant="public", kind="tests.note"):
    return reverse(
        f"documents:document_{name}", kwargs={"kind": kind, "subject": subject, "variant": variant}
    )


def post(django_app, target, user=None, **kwargs):
    """POST with a valid CSRF token (taken from a page of a visible document)."""
    django_app.get(url("detail"), user=user)
    token = django_app.cookies["csrftoken"]
    return django_app.post(target, params={"csrfmiddlewaretoken": token}, user=user, **kwargs)


def form(page, action: str):
    """The page's form posting to ``action`` (a logged-in page also has the logout form)."""
    [found] = [f for f in page.forms.values() if f.action.endswith(f"/{action}/")]
    return found


def compile_from_page(django_app, capture, user=None, subject="a", variant="public"):
    page = django_app.get(url("detail", subject, variant), user=user)
    with capture(execute=True):
        response = form(page, "request").submit()
    return response.follow()


def test_citizen_creates_and_downloads_the_public_document(
    django_app, note_kind, django_capture_on_commit_callbacks
):
    page = django_app.get(url("detail"))
    assert "Das PDF wurde noch nicht erstellt." in page.text
    assert page.forms[0].action == url("request")

    page = compile_from_page(django_app, django_capture_on_commit_callbacks)

    assert "Das PDF ist fertig." in page.text
    assert "3 Seiten" in page.text
    download = page.click("Herunterladen")
    assert download.content_type == "application/pdf"
    assert download.body.startswith(b"%PDF")
    assert download.headers["Content-Disposition"] == ('attachment; filename="notiz-a-public.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-cache"
    document = Document.objects.get()
    assert download.headers["ETag"] == f'"{document.fingerprint}"'
    # Anonymous downloads are not recorded.
    assert not DocumentDownload.objects.exists()


def test_download_with_matching_etag_answers_304(
    django_app, note_kind, django_capture_on_commit_callbacks
):
    compile_from_page(django_app, django_capture_on_commit_callbacks)
    etag = django_app.get(url("download")).headers["ETag"]

    cached = django_app.get(url("download"), headers={"If-None-Match": etag}, status=304)
    assert cached.body == b""
    assert cached.headers["ETag"] == etag
    NOTES["a"]["text"] = "Neu"  # the stored document no longer matches: nothing served
    django_app.get(url("download"), headers={"If-None-Match": etag}, status=404)


@pytest.mark.parametrize("name", ["detail", "status", "download"])
def test_non_public_document_is_404_like_an_unknown_one(django_app, note_kind, name):
    secret = django_app.get(url(name, "secret"), status=404)
    unknown = django_app.get(url(name, "gibt-es-nicht"), status=404)
    assert secret.text == unknown.text
    assert "Vertraulich" not in secret.text


@pytest.mark.parametrize("name", ["request", "retry"])
def test_non_public_document_refuses_posts_with_404(django_app, note_kind, name):
    post(django_app, url(name, "secret"), status=404)


def test_unknown_kind_or_variant_is_404(django_app, note_kind, coordinator):
    django_app.get(url("detail", kind="tests.unknown"), user=coordinator, status=404)
    django_app.get(url("detail", variant="entwurf"), user=coordinator, status=404)


def test_anonymous_visitor_of_a_members_variant_goes_to_the_login(django_app, note_kind):
    for subject in ("a", "gibt-es-nicht"):  # the same answer: nothing is looked up
        page = django_app.get(url("detail", subject, "internal"), status=302)
        assert page.location.startswith(reverse("login"))


def test_login_without_the_right_gets_404(django_app, note_kind, user_without_role):
    django_app.get(url("detail", variant="internal"), user=user_without_role, status=404)
    django_app.get(url("download", variant="internal"), user=user_without_role, status=404)


def test_download_before_ready_is_404(django_app, note_kind, coordinator):
    django_app.get(url("download", variant="internal"), user=coordinator, status=404)


def test_status_json_reports_progress_and_then_the_fragment(
    django_app, note_kind, coordinator, django_capture_on_commit_callbacks
):
    page = django_app.get(url("detail", variant="internal"), user=coordinator)
    # Queued, the compile not run yet (the on-commit enqueue is only captured).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        form(page, "request").submit()
    status = django_app.get(url("status", variant="internal"), user=coordinator).json
    assert status["status"] == "queued"
    assert status["finished"] is False
    assert status["text"] == "Das PDF wartet auf die Erstellung …"
    page = django_app.get(url("detail", variant="internal"), user=coordinator)
    assert page.html.find("progress") is not None
    assert page.html.find(id="document-progress")["data-status"] == "queued"
    assert "Seite neu laden" in page.text

    callbacks[0]()
    status = django_app.get(url("status", variant="internal"), user=coordinator).json
    assert status["status"] == "ready"
    assert status["finished"] is True
    assert "Herunterladen" in status["html"]


def test_request_as_json(django_app, note_kind, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            django_app,
            url("request", variant="internal"),
            user=coordinator,
            headers={"Accept": "application/json"},
        )
    # Queued when answered; the compile ran once the request's transaction committed.
    assert response.json["status"] == "queued"
    assert response.json["finished"] is False
    status = django_app.get(url("status", variant="internal"), user=coordinator).json
    assert status["status"] == "ready"


def test_failed_document_shows_the_reason_and_a_login_may_retry(
    django_app, note_kind, coordinator, django_capture_on_commit_callbacks
):
    from integration.documents.registry import DocumentError

    def fail(subject, variant):
        raise DocumentError("Die Anlage ist beschädigt.")

    CALLS["hook"] = fail
    page = compile_from_page(
        django_app, django_capture_on_commit_callbacks, user=coordinator, variant="internal"
    )
    assert "Das PDF konnte nicht erstellt werden." in page.text
    assert "Die Anlage ist beschädigt." in page.text

    CALLS["hook"] = None
    with django_capture_on_commit_callbacks(execute=True):
        response = form(page, "retry").submit()
    assert "Das PDF ist fertig." in response.follow().text


def test_anonymous_visitor_sees_the_reason_but_may_not_retry(
    django_app, note_kind, django_capture_on_commit_callbacks
):
    CALLS["hook"] = lambda subject, variant: (_ for _ in ()).throw(KeyError("x"))
    page = compile_from_page(django_app, django_capture_on_commit_callbacks)
    assert "unerwarteten Fehlers" in page.text
    assert "Erneut versuchen" not in page.text
    post(django_app, url("retry"), status=403)


def test_page_says_when_the_document_changed_since_the_last_download(
    django_app, note_kind, coordinator, django_capture_on_commit_callbacks
):
    page = compile_from_page(
        django_app, django_capture_on_commit_callbacks, user=coordinator, variant="internal"
    )
    page.click("Herunterladen")
    assert DocumentDownload.objects.get(user=coordinator).fingerprint == (
        Document.objects.get().fingerprint
    )
    page = django_app.get(url("detail", variant="internal"), user=coordinator)
    assert "Geändert seit Ihrem letzten Download" not in page.text

    NOTES["a"]["text"] = "Zweite Fassung"
    page = compile_from_page(
        django_app,
        django_capture_on_commit_callbacks,
        user=coordinator,
        variant="internal",
    )
    assert "Geändert seit Ihrem letzten Download" in page.text


def _button(user, subject="a", variant="internal", label=""):
    """The button as a page shows it: the view gets the state, the tag only renders it."""
    from integration.documents.selectors import document_states

    states = document_states(user=user, specs={"note": ("tests.note", subject, variant, label)})
    template = Template("{% load document_tags %}{% document_button state %}")
    return template.render(Context({"state": states["note"]}))


def test_document_button_offers_create_then_download(
    note_kind, coordinator, django_capture_on_commit_callbacks
):
    from integration.documents import services

    assert "Notiz erstellen (PDF)" in _button(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_request(
            kind="tests.note", subject="a", variant="internal", by=coordinator
        )
    html = _button(coordinator)
    assert "Notiz herunterladen" in html
    assert "3 Seiten" in html
    # A page showing several variants names the variant in the label.
    assert "Notiz herunterladen (interne Fassung)" in _button(coordinator, label="interne Fassung")


def test_document_states_answer_several_documents_without_template_queries(
    note_kind, coordinator, django_assert_num_queries
):
    from integration.documents.selectors import document_states

    states = document_states(
        user=coordinator,
        specs={"a": ("tests.note", "a", "internal"), "b": ("tests.note", "a", "public")},
    )
    assert [state.variant for state in states.values()] == ["internal", "public"]
    template = Template("{% load document_tags %}{% document_button state %}")
    with django_assert_num_queries(0):
        template.render(Context({"state": states["a"]}))


def test_document_button_shows_nothing_to_who_may_not_view(note_kind, user_without_role):
    from django.contrib.auth.models import AnonymousUser

    assert _button(user_without_role).strip() == ""
    assert _button(AnonymousUser(), subject="secret", variant="public").strip() == ""
