"""The invitation pages: Koordination only; send, double click, send again."""

import datetime

import pytest
from django.urls import reverse

from actors.models import Consent
from minutes.models import InvitationRound, Meeting, MeetingMail

from ..actors.factories import ConsentFactory, PersonFactory
from .factories import MeetingFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(body):
    return MeetingFactory(body=body, date=datetime.date(2026, 12, 3))


def member(body, *, consent=True, **kwargs):
    person = PersonFactory(**kwargs)
    MembershipFactory(body=body, person=person)
    if consent:
        ConsentFactory(person=person, purpose=Consent.Purpose.INVITATIONS)
    return person


def list_url(meeting) -> str:
    return reverse("minutes:invitation_list", args=[meeting.pk])


def send_url(meeting) -> str:
    return reverse("minutes:invitation_send", args=[meeting.pk])


def test_invitation_pages_send_anonymous_visitors_to_the_login(client, meeting):
    for response in (client.get(list_url(meeting)), client.post(send_url(meeting))):
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "role", ["user_without_role", "committee_member", "administration_user", "body_member"]
)
def test_invitation_pages_are_for_the_coordination(request, django_app, role, meeting):
    user = request.getfixturevalue(role)
    django_app.get(list_url(meeting), user=user, status=403)
    django_app.post(send_url(meeting), {"last_round": 0}, user=user, status=403)
    assert not InvitationRound.objects.exists()


def test_invitation_send_is_post_only(django_app, coordinator, meeting):
    django_app.get(send_url(meeting), user=coordinator, status=405)


def test_invitation_list_unknown_meeting_is_not_found(django_app, coordinator):
    django_app.get(reverse("minutes:invitation_list", args=[9999]), user=coordinator, status=404)


def test_invitation_list_names_who_is_left_out_and_sends(
    django_app, coordinator, meeting, body, mailoutbox, django_capture_on_commit_callbacks
):
    invited = member(body)
    member(body, consent=False, first_name="Kim", last_name="Ohnezustimmung")
    page = django_app.get(list_url(meeting), user=coordinator)
    assert "Kim Ohnezustimmung: Für „Einladungen“ ist keine Rechtsgrundlage erfasst." in page.text
    form = next(f for f in page.forms.values() if "last_round" in f.fields)
    with django_capture_on_commit_callbacks(execute=True):
        page = form.submit().follow()
    assert "Die Einladung wird an 1 Mitglied gesendet." in page.text
    assert "1 Mitglied wurde nicht eingeladen" in page.text
    assert "Runde 1" in page.text
    assert invited.email in page.text
    assert [m.to for m in mailoutbox] == [[invited.email]]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.INVITED

    # The same form again (a double click): nothing more.
    page = form.submit().follow()
    assert "nichts weiter versandt" in page.text
    assert InvitationRound.objects.count() == 1


def test_invitation_list_send_again_a_failed_mail(
    django_app, coordinator, meeting, body, mailoutbox, django_capture_on_commit_callbacks
):
    person = member(body)
    round_ = InvitationRound.objects.create(meeting=meeting, number=1)
    mail = MeetingMail.objects.create(
        round=round_,
        person=person,
        email=person.email,
        due_at=round_.created_at,
        status=MeetingMail.Status.FAILED,
        error="Vom Mailserver abgelehnt: 550 unknown user",
    )
    page = django_app.get(list_url(meeting), user=coordinator)
    assert "550 unknown user" in page.text
    form = next(f for f in page.forms.values() if "mail" in f.fields)
    with django_capture_on_commit_callbacks(execute=True):
        form.submit().follow()
    mail.refresh_from_db()
    assert mail.status == MeetingMail.Status.SENT
    assert InvitationRound.objects.count() == 1
    assert [m.to for m in mailoutbox] == [[person.email]]


def test_invitation_list_queries_do_not_grow_with_the_members(
    django_app, coordinator, meeting, body, django_assert_max_num_queries
):
    from minutes.services.invitations import invitation_send

    for _ in range(2):
        member(body)
        member(body, consent=False)
    invitation_send(by=coordinator, meeting=meeting, last_round_number=0)
    django_app.get(list_url(meeting), user=coordinator)
    with django_assert_max_num_queries(20) as small:
        django_app.get(list_url(meeting), user=coordinator)
    for _ in range(15):
        member(body)
        member(body, consent=False)
    invitation_send(by=coordinator, meeting=meeting, last_round_number=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        django_app.get(list_url(meeting), user=coordinator)
