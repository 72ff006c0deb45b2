"""Screens of the delivery: launch, remind, close, the mail list, the progress endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.models import Consent
from actors.services.network import consent_withdraw
from actors.surveys.models import Invitation, Mail, ReminderRound, Survey
from actors.surveys.services import delivery
from actors.surveys.services.delivery.outbox import invitation_mails_create

from .delivery_helpers import running, survey_with_recipients
from .factories import SurveyFactory

pytestmark = pytest.mark.django_db


def text(page, selector: str) -> str:
    return page.html.select_one(selector).get_text(" ", strip=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Permissions ----------------------------------------------------------------------


READ_PAGES = ["survey_close", "survey_launch", "mail_list", "survey_progress"]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("administration_user", 403),
        ("committee_member", 403),
        ("user_without_role", 403),
    ],
)
def test_delivery_pages_by_role(name, role, status, client, request):
    survey = running(survey_with_recipients(1))
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(f"surveys:{name}", args=[survey.pk]))

    assert response.status_code == status


@pytest.mark.parametrize("name", [*READ_PAGES, "survey_remind"])
def test_delivery_pages_send_anonymous_visitors_to_the_login(name, client):
    survey = running(survey_with_recipients(1))

    response = client.get(reverse(f"surveys:{name}", args=[survey.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
def test_delivery_actions_are_refused_without_the_change_permission(role, client, request):
    survey = running(survey_with_recipients(1))
    draft = survey_with_recipients(1)
    mail = Mail.objects.first()
    Mail.objects.filter(pk=mail.pk).update(status=Mail.Status.FAILED)
    client.force_login(request.getfixturevalue(role))

    posts = [
        (reverse("surveys:survey_launch", args=[draft.pk]), {}),
        (reverse("surveys:survey_remind", args=[survey.pk]), {"last_round_number": 0}),
        (reverse("surveys:survey_close", args=[survey.pk]), {}),
        (reverse("surveys:mail_retry", args=[mail.pk]), {}),
    ]

    assert [client.post(url, data).status_code for url, data in posts] == [403] * 4
    draft.refresh_from_db()
    survey.refresh_from_db()
    assert (draft.status, survey.status) == (Survey.Status.DRAFT, Survey.Status.RUNNING)
    assert Mail.objects.get(pk=mail.pk).status == Mail.Status.FAILED


def test_mail_retry_and_remind_answer_get_with_405(client, coordinator):
    survey = running(survey_with_recipients(1))
    client.force_login(coordinator)

    assert client.get(reverse("surveys:survey_remind", args=[survey.pk])).status_code == 405
    mail = Mail.objects.get()
    assert client.get(reverse("surveys:mail_retry", args=[mail.pk])).status_code == 405


# --- Launch ---------------------------------------------------------------------------


def test_survey_launch_page_shows_figures_and_who_is_left_out(
    django_app, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    survey = survey_with_recipients(3, reminder_days=[7, 14], max_reminders=1)
    withdrawn = survey.invitations.order_by("pk").first().person
    consent_withdraw(by=None, person=withdrawn, purpose=Consent.Purpose.SURVEYS)

    page = django_app.get(reverse("surveys:survey_launch", args=[survey.pk]), user=coordinator)

    assert text(page, "[data-launch-recipients]") == "3"
    assert text(page, "[data-launch-sent-to]") == "2"
    left_out = text(page, ".launch-left-out")
    assert withdrawn.full_name in left_out
    assert "widerrufen" in left_out
    assert "Tag 7" in page.text
    assert "höchstens 1 pro Person" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = page.forms["survey-launch-form"].submit()

    assert response.status_code == 302
    assert response.url == survey.get_absolute_url()
    response = response.follow()
    assert "Die Umfrage wurde gestartet" in response.text
    survey.refresh_from_db()
    assert survey.status == Survey.Status.RUNNING
    assert survey.launched_by == coordinator
    assert len(mailoutbox) == 2
    assert Mail.objects.get(invitation__person=withdrawn).status == Mail.Status.CANCELLED


def test_survey_launch_page_of_an_empty_survey_says_why_and_refuses(django_app, coordinator):
    survey = SurveyFactory()

    page = django_app.get(reverse("surveys:survey_launch", args=[survey.pk]), user=coordinator)

    assert "mindestens eine Frage" in text(page, ".launch-problems")
    assert page.html.select_one("#survey-launch-form button[type=submit]").has_attr("disabled")
    form = page.forms["survey-launch-form"]
    response = django_app.post(
        reverse("surveys:survey_launch", args=[survey.pk]),
        user=coordinator,
        params={"csrfmiddlewaretoken": form["csrfmiddlewaretoken"].value},
    ).follow()
    assert "mindestens eine Frage" in response.text
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_survey_launch_post_costs_the_same_queries_for_5_and_50_recipients(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    counts = []
    for size in (5, 50):
        survey = survey_with_recipients(size)
        url = reverse("surveys:survey_launch", args=[survey.pk])
        client.get(url)  # session and permissions warm, as for a real click
        # The commit's dispatch runs in the worker, not in the request.
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.post(url)
        assert response.status_code == 302
        assert len(callbacks) == 1
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= 15
    assert not Mail.objects.exists()


def test_survey_launch_post_on_a_running_survey_sends_nothing_more(
    client, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    survey = survey_with_recipients(2)
    client.force_login(coordinator)
    url = reverse("surveys:survey_launch", args=[survey.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert "Die Umfrage läuft bereits." in messages_of(response)
    assert len(mailoutbox) == 2


# --- The panel, the progress endpoint, reminders, closing ------------------------------


def make_mix(survey: Survey) -> dict[str, Invitation]:
    """Outbox rows in every state: 1 sent, 1 failed, 1 cancelled, 1 queued, 1 without row."""
    first, second, third, fourth, fifth = survey.invitations.order_by("pk")[:5]
    Mail.objects.filter(invitation=fifth).delete()
    Mail.objects.filter(invitation=first).update(status=Mail.Status.SENT)
    Mail.objects.filter(invitation=second).update(
        status=Mail.Status.FAILED,
        attempts=1,
        failed_at=timezone.now(),
        error="Vom Mailserver abgelehnt: 550 5.1.1 User unknown",
    )
    Mail.objects.filter(invitation=third).update(status=Mail.Status.CANCELLED, error="Abgemeldet")
    return {"sent": first, "failed": second, "queued": fourth}


def test_survey_progress_returns_the_figures(client, coordinator):
    survey = running(survey_with_recipients(5))
    mix = make_mix(survey)
    client.force_login(coordinator)

    response = client.get(reverse("surveys:survey_progress", args=[survey.pk]))

    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["total"] == 5
    assert data["invitations"] == {
        "queued": 1,
        "sending": 0,
        "sent": 1,
        "failed": 1,
        "cancelled": 1,
        "planned": 1,
        "waiting": 2,
    }
    assert data["finished"] is False
    assert [s["count"] for s in data["segments"]] == [1, 1, 1, 2]
    assert [s["percent"] for s in data["segments"]] == [20.0, 20.0, 20.0, 40.0]
    assert data["failed"] == [
        {
            "mail_id": Mail.objects.get(invitation=mix["failed"]).pk,
            "name": mix["failed"].person.full_name,
            "kind": Mail.Kind.INVITATION.label,
            "reason": "Vom Mailserver abgelehnt: 550 5.1.1 User unknown",
        }
    ]
    assert data["text"] == "1 von 5 Einladungen gesendet, 1 fehlgeschlagen, 2 noch zu senden."

    Mail.objects.filter(status=Mail.Status.QUEUED).update(status=Mail.Status.SENT)
    invitation_mails_create(survey)
    Mail.objects.filter(status=Mail.Status.QUEUED).update(status=Mail.Status.SENT)
    data = client.get(reverse("surveys:survey_progress", args=[survey.pk])).json()
    assert data["finished"] is True
    assert data["text"].startswith("Versand abgeschlossen: 3 von 5")


def test_survey_progress_costs_the_same_queries_for_5_and_50_recipients(client, coordinator):
    client.force_login(coordinator)
    counts = []
    for size in (5, 50):
        survey = running(survey_with_recipients(size))
        make_mix(survey)
        delivery.survey_remind(by=coordinator, survey=survey, last_round_number=0)
        url = reverse("surveys:survey_progress", args=[survey.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= 10


def test_survey_detail_shows_the_delivery_panel_and_reminds_now(
    django_app, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    survey = running(survey_with_recipients(5))
    mix = make_mix(survey)

    page = django_app.get(survey.get_absolute_url(), user=coordinator)

    panel = page.html.select_one("#delivery-panel")
    assert panel["data-url"] == reverse("surveys:survey_progress", args=[survey.pk])
    assert panel["data-poll"] == "true"
    bars = panel.select("[role=progressbar]")
    assert [bar["aria-valuenow"] for bar in bars] == ["1", "1", "1", "2"]
    assert [bar["data-percent"] for bar in bars] == ["20.0", "20.0", "20.0", "40.0"]
    assert text(page, "[data-count='invitations.sent']") == "1"
    assert "550 5.1.1 User unknown" in text(page, "[data-failed-list]")
    assert panel.select_one("[data-progress-live]")["aria-live"] == "polite"
    assert page.html.select_one("script[src$='survey_progress.js']").has_attr("defer")

    # Only the invitation that was sent can be reminded; the page's round number is 0.
    form = page.forms["survey-remind-form"]
    assert form["last_round_number"].value == "0"
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit().follow()
    assert "Die Erinnerungen an alle" in response.text
    reminders = [m.to for m in mailoutbox if m.subject.startswith("Erinnerung: ")]
    assert reminders == [[mix["sent"].person.email]]
    sent = len(mailoutbox)  # the dispatch also sent the invitations that were due

    # The same page submitted again (a double click): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = form.submit().follow()
    assert "Inzwischen wurden bereits Erinnerungen versendet" in response.text
    assert len(mailoutbox) == sent


def test_survey_close_page_closes_and_cancels_queued_mails(django_app, coordinator):
    survey = running(survey_with_recipients(3))

    page = django_app.get(reverse("surveys:survey_close", args=[survey.pk]), user=coordinator)
    assert "3 Mails wurden noch nicht gesendet" in page.text
    response = page.forms["survey-close-form"].submit().follow()

    assert "Die Umfrage wurde beendet." in response.text
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    assert set(Mail.objects.values_list("status", flat=True)) == {Mail.Status.CANCELLED}


# --- Mail list and retry --------------------------------------------------------------


def test_mail_list_shows_the_reason_and_sends_a_failed_mail_again(
    django_app, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    survey = running(survey_with_recipients(5))
    mix = make_mix(survey)
    failed = Mail.objects.get(invitation=mix["failed"])

    page = django_app.get(
        reverse("surveys:mail_list", args=[survey.pk]) + "?status=failed", user=coordinator
    )

    rows = page.html.select("table.mail-list tbody tr")
    assert len(rows) == 1
    assert "Vom Mailserver abgelehnt: 550 5.1.1 User unknown" in rows[0].get_text()
    assert mix["failed"].person.full_name in rows[0].get_text()
    [retry] = [form for form in page.forms.values() if "/retry/" in form.action]
    assert retry.action == reverse("surveys:mail_retry", args=[failed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = retry.submit().follow()

    assert "wird erneut gesendet" in response.text
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Mail.Status.SENT, 1, "")
    assert [message.to for message in mailoutbox] == [[mix["failed"].person.email]]


def test_mail_list_filters_by_status_and_hides_retry_for_readers(django_app, coordinator):
    survey = running(survey_with_recipients(5))
    make_mix(survey)

    page = django_app.get(reverse("surveys:mail_list", args=[survey.pk]), user=coordinator)
    assert len(page.html.select("table.mail-list tbody tr")) == 4
    assert len(page.html.select("table.mail-list form")) == 1
    page = django_app.get(
        reverse("surveys:mail_list", args=[survey.pk]) + "?status=cancelled", user=coordinator
    )
    assert "Abgemeldet" in text(page, "table.mail-list")
    assert len(page.html.select("table.mail-list tbody tr")) == 1


def test_mail_retry_of_a_mail_that_did_not_fail_says_so(client, coordinator):
    survey = running(survey_with_recipients(1))
    mail = Mail.objects.get()
    client.force_login(coordinator)

    response = client.post(reverse("surveys:mail_retry", args=[mail.pk]), follow=True)

    assert "Nur eine fehlgeschlagene Mail kann erneut gesendet werden." in messages_of(response)
    assert response.redirect_chain[0][0].endswith(f"/surveys/{survey.pk}/mails/?status=failed")


@pytest.mark.parametrize("anonymous", [True, False])
def test_mail_list_of_an_anonymous_survey_shows_reminders_only_when_they_failed(
    django_app, coordinator, anonymous
):
    survey = running(survey_with_recipients(3, is_anonymous=anonymous))
    Mail.objects.update(status=Mail.Status.SENT, sent_at=timezone.now())
    reminder_round = ReminderRound.objects.create(survey=survey, number=1, day=7)
    answered, reminded, failed = survey.invitations.order_by("pk")
    for invitation, status, error in [
        (answered, Mail.Status.CANCELLED, "Bereits geantwortet"),
        (reminded, Mail.Status.SENT, ""),
        (failed, Mail.Status.FAILED, "Vom Mailserver abgelehnt: 550"),
    ]:
        Mail.objects.create(
            invitation=invitation,
            kind=Mail.Kind.REMINDER,
            reminder_round=reminder_round,
            status=status,
            error=error,
            due_at=timezone.now(),
        )

    page = django_app.get(reverse("surveys:mail_list", args=[survey.pk]), user=coordinator)

    rows = page.html.select("table.mail-list tbody tr")
    assert len(rows) == (3 + 1 if anonymous else 3 + 3)
    assert ("Bereits geantwortet" in page.text) is not anonymous
