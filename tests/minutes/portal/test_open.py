"""What crawlers read: the sitemap (public objects only) and robots.txt."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sitemap_lists_public_objects_only(django_app, town, coordinator):
    page = django_app.get("/sitemap.xml")

    assert page.content_type == "application/xml"
    for public in (
        reverse("portal:index"),
        reverse("portal:meeting_list"),
        reverse("portal:paper_list"),
        reverse("portal:body_detail", args=[town.body.pk]),
        reverse("portal:meeting_detail", args=[town.meeting.pk]),
        reverse("portal:meeting_detail", args=[town.draft_meeting.pk]),
        reverse("portal:paper_detail", args=[town.public_paper.pk]),
    ):
        assert f"{public}</loc>" in page.text
    for hidden in (
        reverse("portal:body_detail", args=[town.closed_body.pk]),
        reverse("portal:meeting_detail", args=[town.closed_meeting.pk]),
        reverse("portal:paper_detail", args=[town.secret_paper.pk]),
        "/committees/",
    ):
        assert f"{hidden}</loc>" not in page.text
    # The same for everybody.
    assert django_app.get("/sitemap.xml", user=coordinator).text == page.text


def test_robots_txt_allows_the_portal_only(django_app):
    response = django_app.get("/robots.txt")

    assert response.content_type == "text/plain"
    lines = response.text.splitlines()
    assert "Allow: /public/" in lines
    assert "Disallow: /" in lines
    assert "Sitemap: https://integration.example.org/sitemap.xml" in lines
