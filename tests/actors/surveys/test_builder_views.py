"""The coordinator's builder screens: permissions, forms, the hub page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.surveys.models import Question, Survey

from ...utils import main_form
from .factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _text(element) -> str:
    return " ".join(element.text.split())


def _form_to(page, url):
    """The form of ``page`` that submits to ``url``."""
    forms = [form for form in page.forms.values() if form.action == url]
    assert len(forms) == 1, f"expected one form to {url}, found {len(forms)}"
    return forms[0]


def _pages(survey, question, invitation) -> list[str]:
    return [
        reverse("surveys:index"),
        reverse("surveys:survey_create"),
        survey.get_absolute_url(),
        reverse("surveys:survey_update", args=[survey.pk]),
        reverse("surveys:survey_delete", args=[survey.pk]),
        reverse("surveys:question_create", args=[survey.pk]),
        reverse("surveys:question_update", args=[question.pk]),
        reverse("surveys:question_delete", args=[question.pk]),
        reverse("surveys:recipient_list", args=[survey.pk]),
    ]


def _post_only(survey, question, invitation) -> list[str]:
    return [
        reverse("surveys:survey_copy", args=[survey.pk]),
        reverse("surveys:question_move", args=[question.pk, "down"]),
        reverse("surveys:recipient_add", args=[survey.pk]),
        reverse("surveys:invitation_remove", args=[invitation.pk]),
    ]


@pytest.fixture
def draft():
    survey = SurveyFactory(title="Bedarfsabfrage Sprachkurse")
    question = QuestionFactory(survey=survey, position=1)
    QuestionFactory(survey=survey, position=2)
    invitation = InvitationFactory(survey=survey)
    return survey, question, invitation


# Permissions


def test_builder_pages_send_anonymous_visitors_to_the_login(django_app, draft):
    for url in _pages(*draft) + _post_only(*draft):
        response = django_app.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith(reverse("login")), url


@pytest.mark.parametrize("role", ["administration_user", "committee_member", "user_without_role"])
def test_builder_pages_are_forbidden_without_the_survey_rights(
    django_app_factory, draft, role, request
):
    user = request.getfixturevalue(role)
    # Without the CSRF check a 403 can only come from the permission check.
    app = django_app_factory(csrf_checks=False)
    for url in _pages(*draft):
        response = app.get(url, user=user, expect_errors=True)
        assert response.status_code == 403, url
        assert "Zugriff verweigert" in response.text, url
    for url in _pages(*draft)[1:] + _post_only(*draft):
        response = app.post(url, {"source": "people"}, user=user, expect_errors=True)
        assert response.status_code == 403, url
    survey, _question, invitation = draft
    assert Survey.objects.count() == 1
    assert survey.questions.count() == 2
    assert survey.invitations.get() == invitation


def test_builder_pages_open_for_the_coordination(django_app, coordinator, draft):
    for url in _pages(*draft):
        assert django_app.get(url, user=coordinator).status_code == 200, url
    for url in _post_only(*draft):
        assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 405, url


def test_builder_pages_of_an_unknown_survey_are_not_found(django_app, coordinator):
    for url in (
        reverse("surveys:survey_detail", args=[999]),
        reverse("surveys:question_create", args=[999]),
        reverse("surveys:recipient_list", args=[999]),
        reverse("surveys:question_update", args=[999]),
    ):
        assert django_app.get(url, user=coordinator, expect_errors=True).status_code == 404


# List


def test_survey_list_shows_figures_and_response_rate(django_app, coordinator):
    survey = SurveyFactory(title="Bedarfsabfrage Twistringen", status=Survey.Status.CLOSED)
    QuestionFactory.create_batch(3, survey=survey)
    InvitationFactory.create_batch(38, survey=survey)
    InvitationFactory.create_batch(7, survey=survey, has_responded=True)
    SurveyFactory(title="Entwurf ohne alles")
    silent = SurveyFactory(title="Ohne Antworten", status=Survey.Status.RUNNING)
    InvitationFactory.create_batch(4, survey=silent)

    page = django_app.get(reverse("surveys:index"), user=coordinator)

    rows = {_text(row.select_one("td a")): _text(row) for row in page.html.select("tbody tr")}
    assert rows["Bedarfsabfrage Twistringen"].endswith("3 45 7 15,6 %")
    assert rows["Entwurf ohne alles"].endswith("0 0 0 –")
    assert rows["Ohne Antworten"].endswith("0 4 0 0,0 %")
    assert page.html.select_one("a.btn-primary").text == "Neue Umfrage"


def test_survey_list_filters_by_status(django_app, coordinator):
    SurveyFactory(title="Laufende Abfrage", status=Survey.Status.RUNNING)
    SurveyFactory(title="Abfrage im Entwurf")
    page = django_app.get(reverse("surveys:index") + "?status=running", user=coordinator)
    titles = [_text(row.select_one("td a")) for row in page.html.select("tbody tr")]
    assert titles == ["Laufende Abfrage"]


def test_survey_list_needs_the_same_queries_for_few_and_many_surveys(django_app, coordinator):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            django_app.get(reverse("surveys:index"), user=coordinator)
        return len(captured)

    survey = SurveyFactory()
    InvitationFactory(survey=survey)
    queries()  # the first request also logs in
    few = queries()
    for _ in range(10):
        survey = SurveyFactory()
        QuestionFactory.create_batch(2, survey=survey)
        InvitationFactory.create_batch(2, survey=survey)
    assert queries() == few


# Creating and changing a survey


def test_survey_create_form_makes_a_draft(django_app, coordinator):
    coordinator.first_name, coordinator.last_name = "Anna", "Koordination"
    coordinator.email = "anna@wiesenbrueck.example"
    coordinator.save()
    page = django_app.get(reverse("surveys:index"), user=coordinator)
    page = page.click("Neue Umfrage")
    form = main_form(page)
    assert form["contact_name"].value == "Anna Koordination"
    assert form["reminder_days"].value == "7, 14"
    assert page.html.select_one("input[name=opens_on]")["type"] == "date"
    today = timezone.localdate()
    form["title"] = "Bedarfsabfrage Integration 2026"
    form["introduction"] = "Wir möchten wissen, wo Sie Unterstützung brauchen."
    form["opens_on"] = today.isoformat()
    form["closes_on"] = (today + timedelta(days=28)).isoformat()
    form["is_anonymous"] = True
    form["reminder_days"] = "14, 7"
    page = form.submit().follow()

    survey = Survey.objects.get()
    assert page.request.path == survey.get_absolute_url()
    assert "Die Umfrage „Bedarfsabfrage Integration 2026“ wurde angelegt." in page.text
    assert (survey.status, survey.reminder_days, survey.created_by) == (
        Survey.Status.DRAFT,
        [7, 14],
        coordinator,
    )
    assert survey.contact_email == "anna@wiesenbrueck.example"


def test_survey_create_form_explains_bad_reminder_days(django_app, coordinator):
    form = main_form(django_app.get(reverse("surveys:survey_create"), user=coordinator))
    today = timezone.localdate()
    form["title"] = "Umfrage"
    form["opens_on"] = today.isoformat()
    form["closes_on"] = today.isoformat()
    form["reminder_days"] = "7, zwei Wochen"
    page = form.submit()
    assert page.status_code == 200
    assert "„zwei“ ist keine ganze Zahl von Tagen." in page.text
    assert not Survey.objects.exists()


def test_survey_update_after_launch_keeps_anonymity_and_opening(django_app, coordinator):
    survey = SurveyFactory(status=Survey.Status.RUNNING, is_anonymous=True)
    opens_on = survey.opens_on
    form = main_form(
        django_app.get(reverse("surveys:survey_update", args=[survey.pk]), user=coordinator)
    )
    assert "disabled" in form.fields["is_anonymous"][0].attrs
    assert "disabled" in form.fields["opens_on"][0].attrs
    later = survey.closes_on + timedelta(days=7)
    form["closes_on"] = later.isoformat()
    form["title"] = "Bedarfsabfrage (verlängert)"
    # A forged value of a disabled field is ignored.
    form.fields["is_anonymous"][0].force_value("")
    form.submit().follow()
    survey.refresh_from_db()
    assert (survey.closes_on, survey.title) == (later, "Bedarfsabfrage (verlängert)")
    assert (survey.is_anonymous, survey.opens_on) == (True, opens_on)


def test_survey_update_of_a_closed_survey_is_refused(django_app, coordinator):
    survey = SurveyFactory(status=Survey.Status.CLOSED)
    response = django_app.get(reverse("surveys:survey_update", args=[survey.pk]), user=coordinator)
    assert response.status_code == 302
    page = response.follow(expect_errors=True)
    assert "Eine abgeschlossene Umfrage kann nicht mehr geändert werden." in page.text


def test_survey_copy_button_opens_the_copy(django_app, coordinator, draft):
    survey, _question, _invitation = draft
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    page = page.forms["survey-copy"].submit().follow()
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert page.request.path == copy.get_absolute_url()
    assert "wurde mit den Fragen kopiert" in page.text
    assert copy.title == "Bedarfsabfrage Sprachkurse (Kopie)"
    assert copy.questions.count() == 2
    assert not copy.invitations.exists()


def test_survey_delete_confirms_and_deletes_a_draft(django_app, coordinator, draft):
    survey, _question, _invitation = draft
    page = django_app.get(survey.get_absolute_url(), user=coordinator).click("Löschen", index=0)
    page = main_form(page).submit().follow()
    assert page.request.path == reverse("surveys:index")
    assert "Die Umfrage „Bedarfsabfrage Sprachkurse“ wurde gelöscht." in page.text
    assert not Survey.objects.exists()


def test_survey_delete_refuses_a_sent_survey(django_app_factory, coordinator):
    django_app = django_app_factory(csrf_checks=False)
    survey = SurveyFactory(status=Survey.Status.RUNNING)
    url = reverse("surveys:survey_delete", args=[survey.pk])
    page = django_app.get(url, user=coordinator).follow(expect_errors=True)
    assert "Nur Entwürfe können gelöscht werden." in page.text
    # Posting anyway is refused by the service.
    page = django_app.post(url, user=coordinator).follow(expect_errors=True)
    assert "Nur Entwürfe können gelöscht werden" in page.text
    assert Survey.objects.filter(pk=survey.pk).exists()


# The hub page and the questions


def _add_question(django_app, coordinator, survey, kind, **fields):
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    form = page.forms["question-add"]
    form["kind"] = kind
    page = form.submit()
    form = page.forms["question-form"]
    assert form["kind"].value == kind
    for name, value in fields.items():
        form[name] = value
    return form.submit()


QUESTIONS = [
    ("short_text", {"text": "Wie heißt Ihre Einrichtung?"}),
    ("long_text", {"text": "Was brauchen Sie?", "help_text": "Gern ausführlich."}),
    (
        "single_choice",
        {"text": "Welcher Kurs?", "options": "A1\nB1\n\n", "allows_other": True},
    ),
    (
        "multiple_choice",
        {"text": "Welche Angebote?", "options": "Kita\nSprachcafé\nBeratung", "is_required": True},
    ),
    (
        "scale",
        {"text": "Wie zufrieden?", "scale_low_label": "gar nicht", "scale_high_label": "sehr"},
    ),
    ("yes_no", {"text": "Kennen Sie das Integrationszentrum?"}),
    ("number", {"text": "Wie viele Ehrenamtliche?", "number_min": "0", "number_max": "500"}),
    ("fields_of_action", {"text": "Welche Handlungsfelder?"}),
]


def test_question_forms_add_every_kind_in_order(django_app, coordinator):
    survey = SurveyFactory()
    for kind, fields in QUESTIONS:
        page = _add_question(django_app, coordinator, survey, kind, **fields).follow()
        assert f"Die Frage „{fields['text']}“ wurde hinzugefügt." in page.text

    questions = list(survey.questions.order_by("position"))
    assert [(q.position, q.kind) for q in questions] == [
        (number, kind) for number, (kind, _fields) in enumerate(QUESTIONS, start=1)
    ]
    single, multiple, scale, number = questions[2], questions[3], questions[4], questions[6]
    assert (single.options, single.allows_other) == (["A1", "B1"], True)
    assert (multiple.options, multiple.is_required) == (["Kita", "Sprachcafé", "Beratung"], True)
    assert (scale.scale_low_label, scale.scale_high_label) == ("gar nicht", "sehr")
    assert (number.number_min, number.number_max) == (0, 500)
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    rows = [_text(row) for row in page.html.select(".question-list tbody tr")]
    assert rows[0].startswith("1 Wie heißt Ihre Einrichtung?")
    assert "A1 · B1 · Sonstiges (Freitext)" in rows[2]


def test_question_form_shows_the_errors_of_a_choice_without_answers(django_app, coordinator):
    survey = SurveyFactory()
    page = _add_question(
        django_app, coordinator, survey, "single_choice", text="Welcher Kurs?", options="A1"
    )
    assert page.status_code == 200
    assert not survey.questions.exists()
    assert page.html.select_one("fieldset[data-kinds='single_choice multiple_choice']")
    assert page.html.select_one("script[src$='js/question_form.js'][defer]")


def test_question_update_form_changes_the_kind(django_app, coordinator):
    question = QuestionFactory(kind=Question.Kind.SINGLE_CHOICE, options=["Ja", "Nein"])
    page = django_app.get(reverse("surveys:question_update", args=[question.pk]), user=coordinator)
    form = page.forms["question-form"]
    assert form["options"].value == "Ja\nNein"
    form["kind"] = "yes_no"
    form.submit().follow()
    question.refresh_from_db()
    assert (question.kind, question.options) == ("yes_no", [])


def test_question_move_buttons_reorder(django_app, coordinator):
    survey = SurveyFactory()
    first, _second, third = (
        QuestionFactory(survey=survey, position=n, text=text)
        for n, text in enumerate(("Erste", "Zweite", "Dritte"), start=1)
    )
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    up = _form_to(page, reverse("surveys:question_move", args=[third.pk, "up"]))
    page = up.submit().follow()
    assert page.request.path == survey.get_absolute_url()
    rows = [_text(row) for row in page.html.select(".question-list tbody tr")]
    assert [row.split(" ")[:2] for row in rows] == [
        ["1", "Erste"],
        ["2", "Dritte"],
        ["3", "Zweite"],
    ]
    # The first cannot move up, the last not down.
    assert (
        "disabled"
        in _form_to(page, reverse("surveys:question_move", args=[first.pk, "up"]))
        .fields[None][0]
        .attrs
    )
    down = _form_to(page, reverse("surveys:question_move", args=[first.pk, "down"]))
    down.submit()
    assert list(survey.questions.order_by("position").values_list("text", flat=True)) == [
        "Dritte",
        "Erste",
        "Zweite",
    ]
    url = reverse("surveys:question_move", args=[first.pk, "sideways"])
    csrf = page.forms["survey-copy"]["csrfmiddlewaretoken"].value
    response = django_app.post(url, {"csrfmiddlewaretoken": csrf}, expect_errors=True)
    assert response.status_code == 404


def test_question_delete_confirms_and_renumbers(django_app, coordinator):
    survey = SurveyFactory()
    first = QuestionFactory(survey=survey, position=1, text="Erste")
    QuestionFactory(survey=survey, position=2, text="Zweite")
    page = django_app.get(reverse("surveys:question_delete", args=[first.pk]), user=coordinator)
    assert "Frage 1, „Erste“, löschen?" in page.text
    main_form(page).submit().follow()
    assert list(survey.questions.values_list("text", "position")) == [("Zweite", 1)]


def test_question_pages_of_a_sent_survey_send_back_with_the_reason(django_app_factory, coordinator):
    django_app = django_app_factory(csrf_checks=False)
    survey = SurveyFactory(status=Survey.Status.RUNNING)
    question = QuestionFactory(survey=survey)
    for url in (
        reverse("surveys:question_create", args=[survey.pk]),
        reverse("surveys:question_update", args=[question.pk]),
        reverse("surveys:question_delete", args=[question.pk]),
    ):
        response = django_app.get(url, user=coordinator)
        assert response.status_code == 302
        assert response.location == survey.get_absolute_url()
    page = response.follow(expect_errors=True)
    assert "Die Fragen können nur vor dem Start geändert werden." in page.text
    # Posting anyway is refused by the service.
    page = django_app.post(
        reverse("surveys:question_delete", args=[question.pk]), user=coordinator
    ).follow(expect_errors=True)
    assert "Die Fragen können nur vor dem Start geändert werden." in page.text
    assert Question.objects.filter(pk=question.pk).exists()


def test_survey_detail_says_what_is_missing_for_the_launch(django_app, coordinator):
    survey = SurveyFactory()
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    missing = [_text(item) for item in page.html.select(".launch-missing li")]
    assert missing == [
        "Die Umfrage hat noch keine Fragen.",
        "Es wurden noch keine Empfänger ausgewählt.",
    ]
    assert page.html.select_one(".launch-box button[disabled]")
    launch = reverse("surveys:survey_launch", args=[survey.pk])
    assert not page.html.select(f"a[href='{launch}']")

    QuestionFactory(survey=survey)
    InvitationFactory(survey=survey)
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    assert not page.html.select(".launch-missing")
    assert page.html.select_one(f"a[href='{launch}']").text == "Starten"
    assert page.html.select_one(f"a[href='{reverse('surveys:survey_preview', args=[survey.pk])}']")


def test_survey_detail_needs_the_same_queries_for_few_and_many_rows(django_app, coordinator):
    survey = SurveyFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            django_app.get(survey.get_absolute_url(), user=coordinator)
        return len(captured)

    QuestionFactory(survey=survey)
    InvitationFactory(survey=survey)
    queries()  # the first request also logs in
    few = queries()
    QuestionFactory.create_batch(30, survey=survey, kind="single_choice", options=["a", "b"])
    InvitationFactory.create_batch(30, survey=survey)
    assert queries() == few


def test_survey_detail_hides_the_builder_from_readers(django_app, coordinator, draft):
    survey, question, _invitation = draft
    reader = coordinator
    reader.groups.clear()
    reader.user_permissions.set([Permission.objects.get(codename="view_survey")])
    page = django_app.get(survey.get_absolute_url(), user=reader)
    assert "question-add" not in page.forms
    assert reverse("surveys:question_update", args=[question.pk]) not in page.text
    assert reverse("surveys:survey_update", args=[survey.pk]) not in page.text


def test_survey_detail_of_a_running_survey_shows_delivery_and_results(django_app, coordinator):
    pytest.importorskip("actors.surveys.selectors.delivery")
    survey = SurveyFactory(status=Survey.Status.RUNNING, launched_at=timezone.now())
    QuestionFactory(survey=survey)
    page = django_app.get(survey.get_absolute_url(), user=coordinator)
    assert page.html.select_one(f"a[href='{reverse('surveys:survey_results', args=[survey.pk])}']")
    assert "question-add" not in page.forms
    assert not page.html.select(".launch-box")
