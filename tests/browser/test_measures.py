"""A department keeps its measures current: "Meine Maßnahmen" → status update → timeline."""

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from actors.models import Organisation
from integration.core.roles import Role
from integration.core.services import roles_sync
from measures.models import Measure, StatusUpdate

from ..actors.factories import OrganisationFactory, PersonFactory
from ..core.factories import UserFactory
from ..measures.factories import MeasureFactory, ResponsibilityFactory
from .conftest import assert_accessible, login, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sichere-Verwaltung-2026"


@pytest.fixture
def department():
    return OrganisationFactory(
        name="FB II Familie & Soziales", short_name="FB II", kind=Organisation.Kind.ADMINISTRATION
    )


@pytest.fixture
def administration_login(department):
    user = UserFactory(username="jonas", first_name="Jonas", last_name="Becker")
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([roles_sync()[Role.ADMINISTRATION.value]])
    ResponsibilityFactory(user=user, organisation=department)
    return user


@pytest.fixture
def measures(department):
    mine = MeasureFactory(
        lead=department, title="Sprachcafé im Familienzentrum", status=Measure.Status.PLANNED
    )
    other = MeasureFactory(
        goal=mine.goal,
        lead=OrganisationFactory(name="Jobcenter Wiesenbrück"),
        title="Jobbörse für Geflüchtete",
    )
    return mine, other


def test_administration_user_updates_a_measure_from_my_measures(
    page, live_server, administration_login, measures
):
    mine, other = measures
    problems = watch(page)
    login(page, live_server, "jonas", PASSWORD)

    page.goto(live_server.url + reverse("measures:my_measures"))
    assert page.locator("h1").inner_text() == "Meine Maßnahmen"
    table = page.locator("#my-measures")
    assert "Sprachcafé im Familienzentrum" in table.inner_text()
    assert "Jobbörse" not in table.inner_text()
    screenshot(page, "measures-my-measures")

    with page.expect_navigation():
        page.locator(f"#my-measures tr[data-measure='{mine.pk}']").get_by_role(
            "link", name="Stand aktualisieren"
        ).click()
    assert page.url.endswith(reverse("measures:statusupdate_create", args=[mine.pk]))
    assert page.locator("input[name=date]").input_value() == timezone.localdate().isoformat()
    page.locator("select[name=status]").select_option(label="In Umsetzung")
    page.fill(
        "textarea[name=note]", "Das Sprachcafé trifft sich seit März jeden Dienstag; 14 Gäste."
    )
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()

    # Back on the measure: the message and the note on its timeline.
    assert page.url.endswith(mine.get_absolute_url())
    assert "aktualisiert" in page.locator(".alert").first.inner_text()
    timeline = page.locator(".measure-timeline")
    assert "jeden Dienstag; 14 Gäste" in timeline.inner_text()
    assert formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT") in timeline.inner_text()
    screenshot(page, "measures-timeline")
    update = StatusUpdate.objects.get()
    assert update.author == administration_login
    mine.refresh_from_db()
    assert mine.status == Measure.Status.IN_PROGRESS
    assert mine.last_update_on == timezone.localdate()

    # Another department's measure stays closed to this login.
    response = page.goto(live_server.url + reverse("measures:statusupdate_create", args=[other.pk]))
    assert response.status == 403

    assert problems.page_errors == []
    assert problems.csp_violations == []


def test_updates_pages_are_accessible(axe_page, live_server, administration_login, measures):
    mine, _ = measures
    login(axe_page, live_server, "jonas", PASSWORD)
    for url in (
        reverse("measures:my_measures"),
        reverse("measures:statusupdate_create", args=[mine.pk]),
    ):
        axe_page.goto(live_server.url + url)
        assert_accessible(axe_page)


def test_stale_list_is_accessible(axe_page, live_server, measures):
    mine, _ = measures
    mine.contact = PersonFactory(last_name="Ohnezustimmung")
    mine.save()
    user = UserFactory(username="miriam")
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([roles_sync()[Role.COORDINATION.value]])
    login(axe_page, live_server, "miriam", PASSWORD)

    axe_page.goto(live_server.url + reverse("measures:stale_list"))

    assert "Ohnezustimmung" in axe_page.locator("main").inner_text()
    screenshot(axe_page, "measures-stale")
    assert_accessible(axe_page)
