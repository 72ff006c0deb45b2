"""The portal's start page, bodies and the layout for visitors without a login."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ...actors.factories import PersonFactory
from ..factories import MeetingFactory, MembershipFactory
from .conftest import ARCHIVED_PERSON, CLOSED_BODY, text, without_csrf

pytestmark = pytest.mark.django_db

INDEX = reverse("portal:index")


def body_url(body):
    return reverse("portal:body_detail", args=[body.pk])


def test_index_for_anonymous_visitors(django_app, town):
    page = django_app.get(INDEX)

    assert text(page.html.h1) == "Bürgerinfo"
    upcoming = text(page.html.select_one("#next-meetings").parent)
    assert "Integrationsrat" in upcoming  # 3 December
    assert CLOSED_BODY not in page.text
    assert "12.11.2026" not in upcoming  # past
    published = text(page.html.select_one("#recent-minutes").parent)
    assert "15.10.2026" in published
    assert "veröffentlicht am 02.11.2026" in published
    assert "12.11.2026" not in published  # draft minutes
    search = next(form for form in page.forms.values() if "q" in form.fields)
    assert search.action == reverse("portal:search")
    assert "webcal://integration.example.org/committees/calendar/meetings.ics" in page.text
    # The portal's own header: brand to the portal, a login link, no staff navigation.
    assert page.html.select_one(".navbar-brand")["href"] == INDEX
    assert "Bürgerinfo" in text(page.html.select_one(".navbar-brand"))
    assert page.html.select_one(".portal-login")["href"].startswith(reverse("login"))
    assert not page.html.select("#main-nav")
    assert page.html.select_one(f'footer a[href="{INDEX}"]')


def test_index_shows_a_member_the_meetings_of_their_nonpublic_body(django_app, town):
    from ..conftest import member_login

    member = member_login(town.closed_body)
    page = django_app.get(INDEX, user=member)

    assert CLOSED_BODY in text(page.html.select_one("#next-meetings").parent)
    # Logged in: the staff header stays.
    assert page.html.select_one(".navbar-brand")["href"] == reverse("core:dashboard")
    assert not page.html.select(".portal-login")


def test_index_query_count_is_constant(django_app, town):
    def queries():
        with CaptureQueriesContext(connection) as context:
            django_app.get(INDEX)
        return len(context)

    few = queries()
    for day in range(1, 20):
        MeetingFactory(body=town.other_body, date=datetime.date(2027, 2, day))
    assert queries() == few


def test_body_list_per_role(django_app, town, administration_user):
    page = django_app.get(reverse("portal:body_list"))

    names = [text(link) for link in page.html.select(".portal-body-list h2 a")]
    assert names == ["Ausschuss für Bildung, Erziehung, Senioren und Soziales", "Integrationsrat"]
    assert "Do, 03.12.2026" in page.text  # the Integrationsrat's next meeting

    staff = django_app.get(reverse("portal:body_list"), user=administration_user)
    assert CLOSED_BODY in staff.text


def test_body_page_lists_members_meetings_and_feed(django_app, town):
    page = django_app.get(body_url(town.body))

    assert text(page.html.h1) == town.body.name
    members = [text(row) for row in page.html.select(".portal-members tbody tr")]
    assert members[0] == "Anke Raven Vorsitz SPD"
    assert ARCHIVED_PERSON not in page.text
    assert "@" not in text(page.html.select_one(".portal-members"))  # names only
    past = text(page.html.select_one("#body-past").parent)
    assert "Do, 15.10.2026" in past
    assert "Do, 12.11.2026" in past
    feed = reverse("minutes:calendar_body", args=[town.body.pk])
    assert f"webcal://integration.example.org{feed}" in page.text
    assert f"https://integration.example.org{feed}" in page.text


def test_body_members_follow_the_people_rule(django_app, town):
    MembershipFactory(body=town.body, person=PersonFactory(last_name="Zusammengeführt"))
    merged = PersonFactory(last_name="Doppelteintrag")
    merged.merged_into = PersonFactory(last_name="Hauptperson")
    merged.save()
    MembershipFactory(body=town.body, person=merged)
    MembershipFactory(
        body=town.body,
        person=PersonFactory(last_name="Ehemalig"),
        end_date=datetime.date(2025, 10, 31),
    )

    page = django_app.get(body_url(town.body))

    assert "Zusammengeführt" in page.text
    assert "Doppelteintrag" not in page.text
    assert "Ehemalig" not in page.text


def test_nonpublic_body_page_per_role(django_app, town, body_member, administration_user):
    unknown = reverse("portal:body_detail", args=[987654])
    hidden = django_app.get(body_url(town.closed_body), status=404)
    assert hidden.text == django_app.get(unknown, status=404).text
    assert CLOSED_BODY not in hidden.text
    member = django_app.get(body_url(town.closed_body), user=body_member, status=404)
    assert without_csrf(member.text) == without_csrf(
        django_app.get(unknown, user=body_member, status=404).text
    )

    staff = django_app.get(body_url(town.closed_body), user=administration_user)
    assert CLOSED_BODY in staff.text
    # A non-public body has no public calendar feed to link to.
    assert reverse("minutes:calendar_body", args=[town.closed_body.pk]) not in staff.text


def test_body_page_query_count_is_constant(django_app, town):
    def queries():
        with CaptureQueriesContext(connection) as context:
            django_app.get(body_url(town.body))
        return len(context)

    few = queries()
    for _ in range(15):
        MembershipFactory(body=town.body)
    for day in range(1, 15):
        MeetingFactory(body=town.body, date=datetime.date(2027, 3, day))
    assert queries() == few


def test_login_page_links_to_the_portal(django_app):
    page = django_app.get(reverse("login"))

    assert page.html.select_one(f'.login-portal a[href="{INDEX}"]')
