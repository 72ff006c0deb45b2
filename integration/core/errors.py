"""German error pages. 500 renders without context processors: the database may be down."""

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request, exception):
    template = loader.get_template("400.html")
    return HttpResponseBadRequest(template.render({"static_url": settings.STATIC_URL}))


def csrf_failure(request, reason=""):
    """German page for a failed CSRF check (stale form, blocked cookies); the reason is logged."""
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({"static_url": settings.STATIC_URL}))


def permission_denied(request, exception):
    return defaults.permission_denied(request, exception, template_name="403.html")


def page_not_found(request, exception):
    return defaults.page_not_found(request, exception, template_name="404.html")


@requires_csrf_token
def server_error(request):
    # Plain static URL, not {% static %}: a broken manifest must not break the error page.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"static_url": settings.STATIC_URL}))
