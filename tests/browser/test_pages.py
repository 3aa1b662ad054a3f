"""The pages in a real browser: the GOV.UK look with the council's header, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import AXE
from tests.browser.axe import accessibility_violations as _accessibility_violations
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

pytestmark = pytest.mark.browser


def _sign_in(page, base_url: str, password: str = ADMIN_PASSWORD) -> None:
    sign_in(page, base_url, ADMIN_EMAIL, password)


@pytest.fixture
def context_for(browser):
    contexts = []

    def make(javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(
            java_script_enabled=javascript, bypass_csp=bypass_csp, viewport={"width": 1280, "height": 800}
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def test_sign_in_shows_the_dashboard_in_the_council_look(live_server, context_for, tmp_path):
    page = context_for().new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    _sign_in(page, live_server)

    expect(page.locator("h1")).to_have_text("Administration")
    expect(page).to_have_title("Administration – Children's workforce training")
    assert ADMIN_EMAIL in page.locator(".govuk-service-navigation").inner_text()
    assert page.locator("header svg").count() == 0, "the header must not show the crown"
    assert page.locator(".govuk-header__logotype, .govuk-footer__crown").count() == 0
    assert "partnership" in page.locator(".govuk-generic-header").inner_text()
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" not in font
    assert "arial" in font.lower()
    assert page.evaluate("getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor") == (
        "rgb(11, 12, 12)"
    ), "the GOV.UK Frontend stylesheet did not load"
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert problems == [], "the page raised errors (a Content-Security-Policy violation?)"
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_a_wrong_password_shows_the_error_summary(live_server, context_for, tmp_path):
    page = context_for().new_page()

    _sign_in(page, live_server, password="not the password")

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))  # waits for the page the POST brings
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    # A locator assertion, not wait_for_function: polling a string predicate needs eval, which the CSP forbids.
    expect(summary).to_be_focused()
    page.screenshot(path=str(tmp_path / "sign-in-error.png"), full_page=True)


def test_signing_in_and_out_works_without_javascript(live_server, context_for):
    page = context_for(javascript=False).new_page()

    _sign_in(page, live_server)

    expect(page.locator("h1")).to_have_text("Administration")
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    assert "You have signed out." in page.locator(".govuk-notification-banner").inner_text()
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/sign-in?next=")


def test_sign_in_page_and_its_errors_and_the_dashboard_meet_wcag_2_2_aa(live_server, context_for):
    assert AXE.exists(), "axe-core is missing: run npm ci"
    page = context_for(bypass_csp=True).new_page()  # the test injects axe-core as an inline script
    page.goto(live_server + "/sign-in")
    assert _accessibility_violations(page) == []
    _sign_in(page, live_server, password="not the password")
    assert _accessibility_violations(page) == []
    _sign_in(page, live_server)
    expect(page.locator("h1")).to_have_text("Administration")
    assert _accessibility_violations(page) == []


def test_the_trained_by_area_report_works_without_javascript_and_meets_wcag_2_2_aa(live_server, context_for):
    page = context_for(javascript=False).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    _sign_in(page, live_server)

    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("8")
    page.get_by_label("Year").fill("2008")
    page.get_by_role("button", name="Show report").click()

    expect(page.locator("h1")).to_have_text("Trained by area")
    assert page.locator("caption").first.inner_text() == "Staff trained to 31/08/2008"
    expect(page.get_by_role("row", name="Total Number Trained")).to_be_visible()
    page.get_by_label("Month").fill("13")
    page.get_by_role("button", name="Show report").click()
    assert "The date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert problems == [], "the page raised errors (a Content-Security-Policy violation?)"

    checked = context_for(bypass_csp=True).new_page()  # the test injects axe-core as an inline script
    _sign_in(checked, live_server)
    checked.goto(live_server + "/reports/trained-by-area?as_of=31&as_of=8&as_of=2008")
    assert _accessibility_violations(checked) == []
    checked.goto(live_server + "/reports/trained-by-area?as_of=31&as_of=13&as_of=2008")
    assert _accessibility_violations(checked) == []
