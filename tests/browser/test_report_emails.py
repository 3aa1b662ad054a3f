"""Report emails in a real browser (SPEC 3.11): a coordinator on a phone, without JavaScript, asks for the
trained-by-area workbook every week from its page and stops it from the list; the pages meet WCAG 2.2 AA."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import accessibility_violations
from tests.browser.conftest import COORDINATOR_EMAIL, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(live_server, browser):
    """A coordinator's phone without JavaScript, and a desktop page axe-core may be injected into."""
    contexts = [
        browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False),
        browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True),
    ]
    signed_in = []
    for context in contexts:
        page = context.new_page()
        sign_in(page, live_server, COORDINATOR_EMAIL)
        signed_in.append(page)
    yield signed_in
    for context in contexts:
        context.close()


def _fits(page) -> None:
    wide, shown = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert wide <= shown, f"{page.url} scrolls sideways at 390 px"


def test_a_coordinator_subscribes_on_a_phone_and_stops_from_the_list(live_server, pages):
    phone, desktop = pages
    phone.goto(live_server + "/reports/trained-by-area?as_of=2008-08-31")
    _fits(phone)
    box = phone.locator("#report-email-trained-by-area")
    with phone.expect_navigation():
        box.get_by_role("button", name="Email me this every week").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("every week, on Mondays, at 07:30")
    expect(box.get_by_role("button", name="Stop emailing me this")).to_be_visible()
    _fits(phone)

    phone.goto(live_server + "/report-emails")
    expect(phone.get_by_role("row", name="Trained by area")).to_contain_text("Every week, on Mondays")
    _fits(phone)
    violations = []
    for path in ("/report-emails", "/reports/trained-by-area", "/targets", "/reports/attendance-by-authority"):
        desktop.goto(live_server + path)
        violations += [f"{path} {line}" for line in accessibility_violations(desktop)]
    assert violations == []

    with phone.expect_navigation():
        phone.get_by_role("row", name="Trained by area").get_by_role("button", name="Stop").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("You will no longer get")
    expect(phone.get_by_text("No reports are emailed to you.")).to_be_visible()
