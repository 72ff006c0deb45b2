"""The sitemap of the public portal: only what an anonymous visitor may see.

Every queryset is built for an anonymous user, so the sitemap is the same for
everybody and never names a non-public body, meeting or paper.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..selectors.access import bodies_visible_to, meetings_visible_to, papers_visible_to


class PortalPagesSitemap(Sitemap):
    """The portal's start page and lists."""

    changefreq = "daily"

    def items(self):
        return ["portal:index", "portal:meeting_list", "portal:body_list", "portal:paper_list"]

    def location(self, item):
        return reverse(item)


class _PublicObjectSitemap(Sitemap):
    url_name = ""

    def location(self, item):
        return reverse(self.url_name, args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class BodySitemap(_PublicObjectSitemap):
    url_name = "portal:body_detail"

    def items(self):
        return bodies_visible_to(AnonymousUser()).only("pk", "updated_at").order_by("pk")


class MeetingSitemap(_PublicObjectSitemap):
    url_name = "portal:meeting_detail"

    def items(self):
        return meetings_visible_to(AnonymousUser()).only("pk", "updated_at").order_by("pk")


class PaperSitemap(_PublicObjectSitemap):
    url_name = "portal:paper_detail"

    def items(self):
        return papers_visible_to(AnonymousUser()).only("pk", "updated_at").order_by("pk")


SITEMAPS = {
    "pages": PortalPagesSitemap,
    "bodies": BodySitemap,
    "meetings": MeetingSitemap,
    "papers": PaperSitemap,
}
