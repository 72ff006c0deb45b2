"""A survey from the builder to a really delivered mail, the answer on a phone, and the results.

The mails go through Django's SMTP backend to an SMTP server inside the test
(``smtp_sink``); Celery runs eagerly in the live server, as on a laptop.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from playwright.sync_api import expect

from actors.models import Consent
from actors.surveys import tokens
from actors.surveys.models import Invitation, Mail, Response, Survey
from integration.core.roles import Role
from integration.core.services import roles_sync

from ..actors.factories import CircleFactory, CircleMembershipFactory, ConsentFactory, PersonFactory
from ..core.factories import UserFactory
from .conftest import PHONE, assert_accessible, login, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https://integration\.example\.org(/surveys/r/[0-9a-f]{64}/)")
PASSWORD = "Sichere-Umfrage-2026"


@pytest.fixture
def mail_through_smtp(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_sink


@pytest.fixture
def working_group():
    circle = CircleFactory(name="AG Sprache & Bildung")
    asked = []
    for first, last in [("Amina", "Haddad"), ("Olena", "Kovalenko"), ("Tarek", "Al-Masri")]:
        person = PersonFactory(first_name=first, last_name=last)
        ConsentFactory(person=person, purpose=Consent.Purpose.SURVEYS)
        CircleMembershipFactory(circle=circle, person=person)
        asked.append(person)
    # Sits in the group but never agreed to be asked.
    CircleMembershipFactory(
        circle=circle, person=PersonFactory(first_name="Rolf", last_name="Ohnezustimmung")
    )
    return circle, asked


@pytest.fixture
def coordinator_login():
    user = UserFactory(username="miriam", first_name="Miriam", last_name="Albers")
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([roles_sync()[Role.COORDINATION.value]])
    return user


def test_survey_from_builder_to_delivered_mail_to_answer_and_results(
    page, new_page, live_server, mail_through_smtp, working_group, coordinator_login
):
    circle, asked = working_group
    problems = watch(page)
    login(page, live_server, "miriam", PASSWORD)

    # Build: settings, then two questions.
    page.goto(live_server.url + reverse("surveys:index"))
    page.get_by_role("link", name="Neue Umfrage").click()
    today = timezone.localdate()
    page.fill("input[name=title]", "Bedarfsabfrage Sprachkurse 2027")
    page.fill("textarea[name=introduction]", "Wo fehlen Sprachkurse in Wiesenbrück?")
    page.fill("input[name=opens_on]", today.isoformat())
    page.fill("input[name=closes_on]", (today + timedelta(days=21)).isoformat())
    page.fill("input[name=reminder_days]", "7, 14")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    survey = Survey.objects.get(title="Bedarfsabfrage Sprachkurse 2027")
    assert page.url.endswith(reverse("surveys:survey_detail", args=[survey.pk]))

    page.locator("#question-add select[name=kind]").select_option("single_choice")
    with page.expect_navigation():
        page.locator("#question-add [type=submit]").click()
    page.fill("input[name=text]", "Wie lange warten Sie auf einen Integrationskurs?")
    page.check("input[name=is_required]")
    page.fill("textarea[name=options]", "gar nicht\nbis 3 Monate\nlänger als 3 Monate")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    page.locator("#question-add select[name=kind]").select_option("long_text")
    with page.expect_navigation():
        page.locator("#question-add [type=submit]").click()
    page.fill("input[name=text]", "Was sollte die Stadt als Erstes angehen?")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert survey.questions.count() == 2

    # Recipients: the whole working group; the one without consent is left out, with why.
    page.goto(live_server.url + reverse("surveys:recipient_list", args=[survey.pk]))
    page.check(f"#circle-{circle.pk}")
    with page.expect_navigation():
        page.locator("#add-circles [type=submit]").click()
    left_out = page.get_by_text("Ohnezustimmung")
    assert left_out.count() >= 1
    assert "Rechtsgrundlage" in page.locator("main").inner_text()
    assert Invitation.objects.filter(survey=survey).count() == 3
    screenshot(page, "survey-recipients-left-out")

    # Launch: one personal mail each, really delivered over SMTP.
    page.goto(live_server.url + reverse("surveys:survey_launch", args=[survey.pk]))
    with page.expect_navigation():
        page.locator("#survey-launch-form [type=submit]").click()
    assert sorted(mail_through_smtp.recipients()) == sorted(person.email for person in asked)
    assert Mail.objects.filter(invitation__survey=survey, status=Mail.Status.SENT).count() == 3
    page.reload()
    assert "gesendet: 3" in page.locator("main").inner_text()
    screenshot(page, "survey-launched")

    # The recipient follows the link out of the delivered mail, on a phone.
    mail = next(m for m in mail_through_smtp.accepted if m["To"] == asked[0].email)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["List-Unsubscribe"]
    assert formats.date_format(survey.closes_on) in text
    path = LINK.search(text).group(1)
    phone = new_page(**PHONE)
    phone_problems = watch(phone)
    phone.goto(live_server.url + path)
    assert phone.locator("h1").inner_text() == "Bedarfsabfrage Sprachkurse 2027"
    phone.get_by_label("bis 3 Monate").check()
    phone.locator("textarea").fill("Kurse am Vormittag mit Kinderbetreuung.")
    screenshot(phone, "survey-answer-phone")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Antworten senden").click()
    assert "gespeichert" in phone.locator("main").inner_text()
    assert Response.objects.filter(survey=survey).count() == 1
    # The same link shows the answers again, to change them.
    phone.goto(live_server.url + path)
    assert phone.get_by_label("bis 3 Monate").is_checked()

    # The coordinator sees the answer counted.
    page.goto(live_server.url + reverse("surveys:survey_results", args=[survey.pk]))
    headline = page.locator("main").inner_text()
    assert "3 angeschrieben, 1 Rückmeldung, 33,3 %" in headline
    screenshot(page, "survey-results")
    # The report: created in the background, then downloaded from the document page.
    with page.expect_navigation():
        page.get_by_role("button", name="Umfragebericht erstellen (PDF)").click()
    download_link = page.get_by_role("link", name="herunterladen")
    download_link.wait_for()
    report = page.request.get(live_server.url + download_link.first.get_attribute("href"))
    assert report.ok
    assert report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF")

    assert problems.page_errors == []
    assert problems.csp_violations == []
    assert phone_problems.page_errors == []
    assert phone_problems.csp_violations == []


@pytest.mark.parametrize(
    "url_name",
    ["surveys:index", "surveys:survey_detail", "surveys:survey_results", "surveys:respond"],
)
def test_survey_pages_are_accessible(axe_page, live_server, demo_data, url_name):
    survey = Survey.objects.filter(status=Survey.Status.RUNNING).first()
    if url_name == "surveys:respond":
        # The recipient's page, on a phone, through a demo invitation's link.
        axe_page.set_viewport_size(PHONE["viewport"])
        args = [tokens.invitation_token(survey.invitations.first())]
    else:
        login(axe_page, live_server, "koordination", demo_data["koordination"])
        args = [survey.pk] if url_name != "surveys:index" else []
    axe_page.goto(live_server.url + reverse(url_name, args=args))
    assert_accessible(axe_page)


def test_delivery_panel_follows_the_sending_without_a_reload(page, live_server, coordinator_login):
    from django.utils import timezone as tz

    from actors.surveys.services.delivery.outbox import invitation_mails_create

    from ..actors.surveys.factories import (
        InvitationFactory,
        QuestionFactory,
        SurveyFactory,
        consenting_person,
    )

    survey = SurveyFactory(status=Survey.Status.RUNNING, launched_at=tz.now())
    QuestionFactory(survey=survey)
    for _number in range(3):
        InvitationFactory(survey=survey, person=consenting_person())
    invitation_mails_create(survey)
    problems = watch(page)
    login(page, live_server, "miriam", PASSWORD)
    page.goto(live_server.url + reverse("surveys:survey_detail", args=[survey.pk]))
    sent = page.locator('#delivery-panel [data-count="invitations.sent"]')
    assert sent.inner_text() == "0"

    # A worker sends them meanwhile; the panel asks the server again by itself.
    Mail.objects.filter(invitation__survey=survey).update(status=Mail.Status.SENT, sent_at=tz.now())
    expect(sent).to_have_text("3", timeout=10_000)
    assert problems.page_errors == []
    assert problems.csp_violations == []
