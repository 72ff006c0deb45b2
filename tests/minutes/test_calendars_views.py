"""The calendar page: public feed links for every reader, the personal link for members."""

import pytest
from django.urls import reverse

from minutes.models import CalendarFeed

from .conftest import member_login
from .factories import BodyFactory

pytestmark = pytest.mark.django_db

URL = reverse("minutes:calendar_settings")
PERSONAL_PREFIX = "https://integration.example.org/committees/calendar/personal/"


def personal_link(page) -> str | None:
    field = page.html.find(id="calendar-personal-url")
    return field["value"] if field else None


def renew_form(page):
    return next(
        form for form in page.forms.values() if form.action == reverse("minutes:calendar_renew")
    )


@pytest.mark.parametrize("role", ["committee_member", "administration_user", "coordinator"])
def test_settings_page_lists_public_feeds_for_every_reader(django_app, request, role, body):
    BodyFactory(name="Arbeitskreis Vertrauliches", is_public=False)

    page = django_app.get(URL, user=request.getfixturevalue(role))

    assert page.html.find(id="calendar-all-url")["value"] == (
        "https://integration.example.org/committees/calendar/meetings.ics"
    )
    assert page.html.find(id=f"calendar-body-{body.pk}")
    assert "Arbeitskreis Vertrauliches" not in page.text
    # Logins whose person sits in no body have no personal feed.
    assert personal_link(page) is None
    assert not CalendarFeed.objects.exists()


def test_settings_page_is_refused_without_role(django_app, user_without_role):
    django_app.get(URL, status=302)
    django_app.get(URL, user=user_without_role, status=403)


def test_member_sees_the_link_once_and_renewing_replaces_it(django_app, body):
    member = member_login(BodyFactory(name="Arbeitskreis Vertrauliches", is_public=False))

    first = django_app.get(URL, user=member)
    link = personal_link(first)
    assert link.startswith(PERSONAL_PREFIX)
    assert first.headers["Cache-Control"].startswith("max-age=0")
    django_app.get(link.removeprefix("https://integration.example.org"), status=200)

    # Only the hash is kept: the next visit cannot show the link again.
    again = django_app.get(URL, user=member)
    assert personal_link(again) is None
    assert "Link erneuern" in again.text

    renewed = renew_form(again).submit()
    new_link = personal_link(renewed)
    assert new_link.startswith(PERSONAL_PREFIX)
    assert new_link != link
    assert "funktioniert nicht mehr" in renewed.text
    django_app.get(link.removeprefix("https://integration.example.org"), status=404)
    django_app.get(new_link.removeprefix("https://integration.example.org"), status=200)
    assert CalendarFeed.objects.count() == 1


def test_renew_refuses_a_login_without_membership(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("minutes:calendar_renew"), follow=True)
    assert "Nur Mitglieder eines Gremiums" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_settings_page_keeps_a_constant_query_count(
    django_app, body_member, django_assert_max_num_queries
):
    django_app.get(URL, user=body_member)  # creates the feed
    for number in range(5):
        BodyFactory(name=f"Ausschuss {number}")
    with django_assert_max_num_queries(12):
        django_app.get(URL, user=body_member)


def test_renew_answers_only_post(django_app, body_member):
    django_app.get(reverse("minutes:calendar_renew"), user=body_member, status=405)
