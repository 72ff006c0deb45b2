import pytest
from django.urls import reverse

from actors.surveys.models import Survey

from .factories import SurveyFactory

pytestmark = pytest.mark.django_db


def figures(page) -> dict[str, str]:
    return {
        card.select_one(".card-text").text.strip(): card.select_one(".display-6").text
        for card in page.html.select(".figure-card")
    }


def test_dashboard_counts_running_surveys_and_drafts(django_app, coordinator):
    SurveyFactory.create_batch(2, status=Survey.Status.RUNNING)
    SurveyFactory(status=Survey.Status.CLOSED)
    SurveyFactory()
    page = django_app.get(reverse("core:dashboard"), user=coordinator)
    assert figures(page)["Laufende Umfragen"] == "2"
    assert figures(page)["Umfrage-Entwürfe"] == "1"
    assert page.html.select_one(f'a[href="{reverse("surveys:index")}"]') is not None


@pytest.mark.parametrize("role", ["administration_user", "committee_member"])
def test_dashboard_shows_no_survey_figures_without_the_right(django_app, request, role):
    SurveyFactory.create_batch(3, status=Survey.Status.RUNNING)
    page = django_app.get(reverse("core:dashboard"), user=request.getfixturevalue(role))
    assert "Laufende Umfragen" not in figures(page)
