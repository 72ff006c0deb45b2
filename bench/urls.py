"""The app's URLs plus a minimal view, the baseline every page is compared with."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from integration import urls as integration_urls

MINIMAL_PAGE = b"<!doctype html><html><head><title>Benchmark</title></head><body>ok</body></html>"


@require_GET
@login_not_required
def minimal(request: HttpRequest) -> HttpResponse:
    """A small fixed page through the full middleware stack, with no template or query."""
    return HttpResponse(MINIMAL_PAGE)


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include(integration_urls)),
]

# Error handlers are read from the root URLconf: keep the app's.
handler403 = integration_urls.handler403
handler404 = integration_urls.handler404
handler500 = integration_urls.handler500
