import functools

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The main navigation. An area whose app has no pages yet is shown disabled,
# so the structure is visible without links that lead nowhere.
NAVIGATION = (
    ("dashboard", _("Overview"), "core:dashboard", "core.view_dashboard"),
    ("network", _("Network"), "actors:index", "actors.view_organisation"),
    ("concept", _("Concept"), "measures:index", "measures.view_measure"),
    ("surveys", _("Surveys"), "surveys:index", "surveys.view_survey"),
    ("committees", _("Committees"), "minutes:index", "minutes.view_meeting"),
)


@functools.cache
def _navigation_urls() -> tuple[tuple[str, str, str, str], ...]:
    """Resolve the menu once per process: URLs do not change while it runs."""
    resolved = []
    for key, label, url_name, permission in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = ""
        resolved.append((key, label, url, permission))
    return tuple(resolved)


def _navigation(request):
    items = []
    if not request.user.is_authenticated:
        return items
    path = request.path
    for key, label, url, permission in _navigation_urls():
        if not url:
            items.append({"key": key, "label": label, "url": "", "active": False})
            continue
        if not request.user.has_perm(permission):
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append({"key": key, "label": label, "url": url, "active": active})
    return items


def site(request):
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "navigation": _navigation(request),
    }
