"""The first journeys: log in, see the dashboard; accessibility and CSP of both pages."""

from urllib.parse import urljoin

import pytest
from django.urls import reverse

from integration.core.demo import FIELDS_OF_ACTION

from .conftest import PHONE, assert_accessible, login, screenshot, watch

pytestmark = pytest.mark.browser


def test_anonymous_visit_lands_on_login_page(page, live_server):
    page.goto(live_server.url + "/")

    login_url = live_server.url + reverse("login")
    assert page.url == f"{login_url}?next=/"
    assert page.locator(f"form[action='{reverse('login')}'] input[type='password']").count() == 1


def test_login_as_coordinator_shows_dashboard(page, live_server, demo_data):
    page.goto(live_server.url + reverse("login"))
    screenshot(page, "login")

    login(page, live_server, "koordination", demo_data["koordination"])

    assert page.url == live_server.url + reverse("core:dashboard")
    assert page.locator("main h1").count() == 1
    assert page.locator("main h1").inner_text() == "Übersicht"
    fields_card = page.locator(".figure-card").filter(
        has=page.locator(f"a[href='{reverse('core:fieldofaction_list')}']")
    )
    assert fields_card.locator(".display-6").inner_text() == str(len(FIELDS_OF_ACTION))
    screenshot(page, "dashboard")


def test_dashboard_fits_a_phone_screen(new_page, live_server, demo_data):
    page = new_page(**PHONE)

    login(page, live_server, "koordination", demo_data["koordination"])

    assert page.locator(".figure-card").count() >= 1
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the dashboard scrolls sideways by {overflow}px on a phone"
    screenshot(page, "dashboard-phone")


def test_login_page_is_accessible(axe_page, live_server):
    axe_page.goto(live_server.url + reverse("login"))

    assert_accessible(axe_page)


def test_dashboard_is_accessible(axe_page, live_server, demo_data):
    login(axe_page, live_server, "koordination", demo_data["koordination"])

    assert_accessible(axe_page)


def test_login_and_dashboard_run_without_csp_violations_or_errors(page, live_server, demo_data):
    problems = watch(page)

    login(page, live_server, "koordination", demo_data["koordination"])
    # Bootstrap's bundle is the only script: its collapse and dropdown must work under CSP.
    page.set_viewport_size(PHONE["viewport"])
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.collapse.show").wait_for()  # after the slide-down animation
    page.locator("#main-nav .dropdown-toggle").click()
    page.locator("#main-nav .dropdown-menu.show").wait_for()
    screenshot(page, "dashboard-phone-menu")
    # Late requests (the favicon) report after "load"; wait for them, or the test is flaky.
    page.wait_for_load_state("networkidle")

    assert not problems.csp_violations, problems.csp_violations
    assert not problems.page_errors, problems.page_errors
    assert not problems.console_errors, problems.console_errors
    assert not problems.failed_requests, problems.failed_requests


def test_pages_link_an_icon_that_loads(page, live_server):
    # Without <link rel="icon">, every fresh browser asks for /favicon.ico and gets a 404.
    page.goto(live_server.url + reverse("login"))

    icons = page.locator("head link[rel~='icon']")
    assert icons.count() >= 1, "base.html links no icon"
    href = icons.first.get_attribute("href")
    assert page.request.get(urljoin(page.url, href)).ok, f"the icon {href} does not load"
