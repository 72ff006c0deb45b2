"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Reusable pieces for user journeys:

- ``page``: a fresh browser context (German, Berlin time, CSP enforced) per test;
- ``axe_page``: the same, but with the page's CSP bypassed so axe-core can be injected;
- ``new_page(**context_options)``: more pages, e.g. a phone viewport or a second user;
- ``demo_data``: the demo town from ``seed_demo``, logins in ``DEMO_LOGINS``;
- ``login(page, live_server, username, password)``, ``assert_accessible(page)``,
  ``watch(page)`` (console errors, CSP violations, failed requests) and ``screenshot``.
"""

import functools
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import sync_playwright

from integration.core.demo import DEMO_LOGINS, DEMO_PASSWORD

from ..conftest import require_service

# Playwright's sync API keeps an asyncio loop running in the main thread for as
# long as the browser is open, and Django then refuses ORM calls from fixtures
# and tests ("You cannot call this from an async context"). Nothing here is
# really async, so the check is switched off; set at import, because the
# session-scoped browser stays open for the tests collected after this folder.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "var" / "screenshots"
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_PATH = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here; Debian's package is used instead.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A journey step that takes longer than this on the live server is a failure.
TIMEOUT_MS = 10_000
# The impacts axe-core reports that fail a test; "minor" and "moderate" only warn.
BLOCKING_IMPACTS = ("serious", "critical")
# How Chromium words a blocked inline script, style or foreign origin in the console.
CSP_MESSAGE = "Content Security Policy"
FAVICON_PATH = "/favicon.ico"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    require_service(
        "Chromium",
        CHROMIUM_PATH.exists(),
        f"{CHROMIUM_PATH} is missing; install the Debian package `chromium`",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in its own context; keyword arguments go to ``browser.new_context``."""
    contexts = []

    def factory(**context_options):
        options = {
            "base_url": live_server.url,
            "locale": "de-DE",
            "timezone_id": "Europe/Berlin",
            **context_options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page that enforces the app's Content-Security-Policy, as a real browser does."""
    return new_page()


@pytest.fixture
def axe_page(new_page):
    """A page for ``assert_accessible``: axe-core is injected as inline script, so CSP is off."""
    return new_page(bypass_csp=True)


@pytest.fixture
def demo_data(transactional_db):
    """The demo town of every app. pytest-django runs tests with DEBUG off, hence ``force``."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    return {username: DEMO_PASSWORD for username, *_ in DEMO_LOGINS}


@pytest.fixture
def coordination_page(page, live_server, demo_data):
    """``page``, logged in as the demo coordinator."""
    return login(page, live_server, "koordination", demo_data["koordination"])


@dataclass
class PageProblems:
    """What the browser reported while a journey ran: console errors, CSP, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [message for message in self.console_errors if CSP_MESSAGE in message]


def watch(page) -> PageProblems:
    """Record console errors, uncaught JS errors and 4xx/5xx responses of ``page`` from now on."""
    problems = PageProblems()

    def on_console(message):
        where = message.location.get("url", "")
        # Chromium fetches the icon once per browser, not per context: its error shows up
        # only in whichever test comes first. test_pages_link_an_icon_that_loads checks it.
        if message.type == "error" and not where.endswith(FAVICON_PATH):
            problems.console_errors.append(f"{message.text} ({where})")

    def on_response(response):
        if response.status >= 400:
            problems.failed_requests.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on("response", on_response)
    return problems


def login(page, live_server, username: str, password: str):
    """Log in through the login form and return ``page`` on the page after it."""
    login_path = reverse("login")
    page.goto(live_server.url + login_path)
    form = page.locator(f"form[action='{login_path}']")
    form.locator("input[name='username']").fill(username)
    form.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    if page.url.split("?")[0].endswith(login_path):
        feedback = page.locator(".alert, .invalid-feedback").all_inner_texts()
        raise AssertionError(f"Login as {username!r} failed: {feedback}")
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as ``var/screenshots/<name>.png`` (git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@functools.cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def assert_accessible(page, *, options: dict | None = None) -> dict:
    """Run axe-core on the page and fail on serious or critical violations.

    The page must come from ``axe_page`` (or a context with ``bypass_csp=True``).
    Returns axe's result, for journeys that want to look at more than violations.
    """
    require_service("axe-core", AXE_PATH.exists(), f"{AXE_PATH} is missing; run `npm ci`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            raise AssertionError(
                "axe-core could not be injected; the Content-Security-Policy blocks inline "
                "script unless the page comes from `axe_page` (bypass_csp=True)."
            )
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"resultTypes": ["violations"], **(options or {})},
    )
    violations = results["violations"]
    for violation in violations:
        if violation["impact"] not in BLOCKING_IMPACTS:
            warnings.warn(f"axe-core on {page.url}: {_describe(violation)}", stacklevel=2)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        details = "\n".join(_describe(violation) for violation in blocking)
        pytest.fail(f"axe-core violations on {page.url}:\n{details}")
    return results


def _describe(violation: dict) -> str:
    lines = [f"{violation['id']} [{violation['impact']}] {violation['help']}"]
    lines[0] += f" ({violation['helpUrl']})"
    for node in violation["nodes"]:
        target = " ".join(map(str, node["target"]))
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"  - {target}: {summary}")
    return "\n".join(lines)
