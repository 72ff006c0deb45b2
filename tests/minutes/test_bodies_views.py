"""Screens of the bodies: list, detail, forms, member logins."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import Circle
from minutes.models import Body, Membership

from ..actors.factories import CircleFactory, CircleMembershipFactory, PersonFactory
from ..utils import main_form
from .conftest import member_login
from .factories import BodyFactory, MeetingFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
D = datetime.date


def _bodies(count, prefix="Gremium"):
    for n in range(count):
        kind = Body.Kind.WORKING_GROUP if n % 2 else Body.Kind.COMMITTEE
        body = BodyFactory(name=f"{prefix} {n}", kind=kind)
        MembershipFactory.create_batch(2, body=body)
        MeetingFactory(body=body, date=TODAY() + datetime.timedelta(days=n + 1))


@pytest.mark.parametrize(
    "url",
    [
        lambda body: reverse("minutes:body_list"),
        lambda body: body.get_absolute_url(),
        lambda body: reverse("minutes:body_create"),
        lambda body: reverse("minutes:body_update", args=[body.pk]),
        lambda body: reverse("minutes:membership_create", args=[body.pk]),
        lambda body: reverse("minutes:membership_update", args=[MembershipFactory(body=body).pk]),
    ],
)
def test_body_pages_need_login_and_role(django_app, body, user_without_role, url):
    page = django_app.get(url(body))
    assert page.status_code == 302
    assert page.location.startswith(reverse("login"))
    django_app.get(url(body), user=user_without_role, status=403)


@pytest.mark.parametrize(
    "url",
    [
        lambda body: reverse("minutes:body_create"),
        lambda body: reverse("minutes:body_update", args=[body.pk]),
        lambda body: reverse("minutes:membership_create", args=[body.pk]),
        lambda body: reverse("minutes:membership_update", args=[MembershipFactory(body=body).pk]),
    ],
)
def test_body_forms_are_for_coordination(django_app, body, body_member, administration_user, url):
    for user in (body_member, administration_user):
        django_app.get(url(body), user=user, status=403)


def test_body_list_formal_and_informal_apart(django_app, body, administration_user):
    MembershipFactory.create_batch(3, body=body)
    MembershipFactory(body=body, end_date=D(2021, 1, 1))  # former: not counted
    meeting = MeetingFactory(body=body, date=TODAY() + datetime.timedelta(days=10))
    MeetingFactory(body=body, date=TODAY() + datetime.timedelta(days=3), status="cancelled")
    MeetingFactory(body=body, date=TODAY() - datetime.timedelta(days=10))
    BodyFactory(name="Runder Tisch Integration", kind=Body.Kind.ROUND_TABLE, is_public=False)
    page = django_app.get(reverse("minutes:body_list"), user=administration_user)
    formal = page.html.select_one("#formal-bodies").find_parent("section")
    informal = page.html.select_one("#informal-bodies").find_parent("section")
    row = formal.select_one("tbody tr")
    assert body.name in row.text
    assert row.select("td")[2].text.strip() == "3"
    assert row.select_one(f'a[href="{meeting.get_absolute_url()}"]')
    assert "Runder Tisch Integration" in informal.text
    assert "nicht öffentlich" in informal.text
    assert body.name not in informal.text


def test_body_list_constant_queries(django_app, coordinator, django_assert_max_num_queries):
    _bodies(2)
    url = reverse("minutes:body_list")
    with django_assert_max_num_queries(20) as small:
        django_app.get(url, user=coordinator)
    _bodies(12, prefix="Arbeitskreis")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = django_app.get(url, user=coordinator)
    assert len(page.html.select("tbody tr")) == 14


def test_body_detail_members_by_role_and_meetings(
    django_app, body, coordinator, django_assert_max_num_queries
):
    chair = MembershipFactory(
        body=body, role=Membership.Role.CHAIR, person=PersonFactory(last_name="Schulze")
    )
    MembershipFactory(body=body, on_behalf_of="SPD", person=PersonFactory(last_name="Küpker"))
    MembershipFactory(
        body=body, end_date=D(2024, 12, 31), person=PersonFactory(last_name="Ehemalig")
    )
    member_login(body)  # a member with a login
    upcoming = MeetingFactory(body=body, date=TODAY() + datetime.timedelta(days=5))
    past = MeetingFactory(body=body, date=D(2025, 3, 1), status="held")
    url = body.get_absolute_url()
    django_app.get(url, user=coordinator)
    with django_assert_max_num_queries(14):
        page = django_app.get(url, user=coordinator)
    groups = [th.text.strip() for th in page.html.select('th[scope="rowgroup"]')]
    assert groups == ["Vorsitz (1)", "Mitglied (2)"]
    table = page.html.select_one("#body-members").find_parent("section").select_one("table")
    assert "SPD" in table.text
    assert chair.person.last_name in table.text
    assert "Ehemalig" not in table.text
    assert "Ehemalig" in page.html.select_one("details").text
    assert "hat ein Konto" in table.text
    assert page.html.select_one(f'a[href="{upcoming.get_absolute_url()}"]')
    assert page.html.select_one(f'a[href="{past.get_absolute_url()}"]')


def test_body_detail_queries_do_not_grow(
    django_app, body, coordinator, django_assert_max_num_queries
):
    MembershipFactory.create_batch(2, body=body)
    url = body.get_absolute_url()
    with django_assert_max_num_queries(20) as small:
        django_app.get(url, user=coordinator)
    MembershipFactory.create_batch(15, body=body)
    for n in range(10):
        MeetingFactory(body=body, date=D(2024, 1, 1) + datetime.timedelta(days=30 * n))
    with django_assert_max_num_queries(len(small.captured_queries)):
        django_app.get(url, user=coordinator)


def test_body_detail_nonpublic_body_for_members_and_staff(
    django_app, body_member, other_member, administration_user, coordinator
):
    secret = BodyFactory(name="Koordinierungsstab", kind="coordination_staff", is_public=False)
    member = member_login(secret)
    url = secret.get_absolute_url()
    for user in (member, coordinator, administration_user):
        django_app.get(url, user=user, status=200)


def test_body_detail_shows_informal_body_circle(django_app, coordinator):
    circle = CircleFactory(name="Runder Tisch Wiesenbrück", kind=Circle.Kind.ROUND_TABLE)
    body = BodyFactory(name="Runder Tisch", kind=Body.Kind.ROUND_TABLE, circle=circle)
    page = django_app.get(body.get_absolute_url(), user=coordinator)
    assert page.html.select_one(f'a[href="{circle.get_absolute_url()}"]')


def test_body_create_with_circle_members(django_app, coordinator):
    circle = CircleFactory(name="Runder Tisch Wiesenbrück", kind=Circle.Kind.ROUND_TABLE)
    CircleMembershipFactory.create_batch(3, circle=circle)
    form = main_form(django_app.get(reverse("minutes:body_create"), user=coordinator))
    form["name"] = "Runder Tisch Integration"
    form["kind"] = Body.Kind.ROUND_TABLE
    form["circle"] = circle.pk
    form["take_over_circle_members"] = True
    page = form.submit().follow()
    body = Body.objects.get(name="Runder Tisch Integration")
    assert body.memberships.count() == 3
    assert "Aus dem Kreis als Mitglieder übernommen: 3." in page.text


def test_body_create_error_keeps_input(django_app, coordinator):
    circle = CircleFactory()
    form = main_form(django_app.get(reverse("minutes:body_create"), user=coordinator))
    form["name"] = "Integrationsrat"
    form["short_name"] = "IR"
    form["kind"] = Body.Kind.INTEGRATION_COUNCIL
    form["circle"] = circle.pk
    page = form.submit()
    assert page.status_code == 200
    assert "Nur ein informelles Gremium" in page.text
    assert main_form(page)["short_name"].value == "IR"
    assert not Body.objects.exists()


def test_body_update(django_app, body, coordinator):
    form = main_form(
        django_app.get(reverse("minutes:body_update", args=[body.pk]), user=coordinator)
    )
    form["short_name"] = "ABESS"
    form.submit().follow()
    body.refresh_from_db()
    assert body.short_name == "ABESS"


def test_membership_create_with_search(django_app, body, coordinator):
    person = PersonFactory(first_name="Anke", last_name="Raven")
    PersonFactory(last_name="Andere")
    url = reverse("minutes:membership_create", args=[body.pk])
    page = django_app.get(url, {"q": "Raven"}, user=coordinator)
    form = page.forms["membership-form"]
    assert [value for value, *_ in form["person"].options if value] == [str(person.pk)]
    form["person"] = person.pk
    form["role"] = Membership.Role.SECRETARY
    form["on_behalf_of"] = "FB II Familie & Soziales"
    form.submit().follow()
    membership = body.memberships.get()
    assert (membership.role, membership.on_behalf_of) == ("secretary", "FB II Familie & Soziales")


def test_membership_create_overlap_keeps_input(django_app, body, coordinator):
    person = MembershipFactory(body=body).person
    url = reverse("minutes:membership_create", args=[body.pk])
    form = django_app.get(url, {"q": person.last_name}, user=coordinator).forms["membership-form"]
    form["person"] = person.pk
    form["on_behalf_of"] = "CDU"
    page = form.submit()
    assert "ist in diesem Zeitraum bereits Mitglied dieses Gremiums" in page.text
    assert page.forms["membership-form"]["on_behalf_of"].value == "CDU"
    assert body.memberships.count() == 1


def test_membership_update_ends_it(django_app, body, coordinator):
    membership = MembershipFactory(body=body, person=PersonFactory(last_name="Dießelberg"))
    url = reverse("minutes:membership_update", args=[membership.pk])
    form = django_app.get(url, user=coordinator).forms["membership-form"]
    assert "person" not in form.fields
    form["end_date"] = "2025-10-31"
    page = form.submit().follow()
    membership.refresh_from_db()
    assert membership.end_date == D(2025, 10, 31)
    assert "Dießelberg" in page.html.select_one("details").text


def test_membership_update_unknown_is_404(django_app, coordinator):
    membership = MembershipFactory()
    url = reverse("minutes:membership_update", args=[membership.pk + 1000])
    django_app.get(url, user=coordinator, status=404)


# Member logins


def _account_url(membership):
    return reverse("minutes:member_account", args=[membership.pk])


@pytest.fixture
def app(django_app_factory):
    """POSTs without a form: this view has no page of its own."""
    return django_app_factory(csrf_checks=False)


def test_member_account_post_only_and_for_coordination(
    app, body, body_member, administration_user, user_without_role
):
    membership = MembershipFactory(body=body)
    url = _account_url(membership)
    assert app.post(url).location.startswith(reverse("login"))
    for user in (body_member, administration_user, user_without_role):
        app.post(url, user=user, status=403)
    assert membership.person.user is None


def test_member_account_creates_login_and_mails_link(
    django_app,
    django_app_factory,
    body,
    coordinator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    person = PersonFactory(first_name="Horst", last_name="Küpker", email="h.kuepker@example.org")
    membership = MembershipFactory(body=body, person=person)
    page = django_app.get(body.get_absolute_url(), user=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms[f"account-{membership.pk}"].submit().follow()
    person.refresh_from_db()
    assert person.user.username == "h.kuepker@example.org"
    assert "Für Horst Küpker wurde das Konto „h.kuepker@example.org“ angelegt" in page.text
    (mail,) = mailoutbox
    assert mail.to == ["h.kuepker@example.org"]
    assert "Passwort noch nicht gesetzt" in page.text
    # Again: no second login; the link is sent again as long as no password was chosen.
    with django_capture_on_commit_callbacks(execute=True):
        page = page.forms[f"account-{membership.pk}"].submit().follow()
    assert "hat bereits das Konto" in page.text
    assert len(mailoutbox) == 2
    person.user.set_password("Gremium-2026!")
    person.user.save()
    page = django_app.get(body.get_absolute_url(), user=coordinator)
    assert f"account-{membership.pk}" not in page.forms
    page = django_app_factory(csrf_checks=False).post(_account_url(membership), user=coordinator)
    page = page.follow()
    assert "Horst Küpker hat bereits ein Konto." in page.text
    assert len(mailoutbox) == 2


def test_member_account_without_email_is_refused(app, body, coordinator, mailoutbox):
    membership = MembershipFactory(body=body, person=PersonFactory(email=""))
    page = app.post(_account_url(membership), user=coordinator).follow()
    assert "keine E-Mail-Adresse hinterlegt" in page.text
    assert membership.person.user is None
    assert not mailoutbox


def test_member_account_get_is_not_allowed(django_app, body, coordinator):
    django_app.get(_account_url(MembershipFactory(body=body)), user=coordinator, status=405)


def test_member_account_mail_goes_through_a_retrying_task(
    app, body, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    """The request never waits on the mail server: a failing send is the task's to retry."""
    import smtplib

    from minutes import tasks

    calls = []

    def fail(*, user_id):
        calls.append(user_id)
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(tasks.bodies, "member_account_mail_send", fail)
    membership = MembershipFactory(body=body)
    with django_capture_on_commit_callbacks(execute=True):
        page = app.post(_account_url(membership), user=coordinator).follow()
    membership.person.refresh_from_db()
    assert membership.person.user is not None
    assert calls == [membership.person.user.pk]
    assert "wird an" in page.text  # the page does not wait for the mail server
