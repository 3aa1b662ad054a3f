"""Webhook administration in a real browser (SPEC 3.11): the error summary on bad input, the service's own address
refused, registering, pausing and deleting after a confirmation; axe-core on each page, each fitting 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} px wide on a {widths[1]} px screen"


def _checked(page, violations: list[str]) -> None:
    violations += serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_admin_registers_pauses_and_deletes_a_webhook(live_server, browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page, violations = context.new_page(), []
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/webhooks")
    _checked(page, violations)
    page.get_by_role("button", name="Register a webhook").click()

    page.get_by_role("button", name="Register webhook").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select at least one event" in summary.inner_text()
    _checked(page, violations)

    page.get_by_label("URL").fill(f"{live_server}/api/v1/me")
    page.get_by_label("Shared secret").fill("a-secret-shared-with-the-receiver")
    page.get_by_label("A booking is made (booking.created)").check()
    page.get_by_role("button", name="Register webhook").click()
    assert "points at this service itself" in page.locator(".govuk-error-summary").inner_text()

    page.get_by_label("URL").fill("http://127.0.0.1:9/hooks/a-rather-long-path-that-must-wrap-on-a-phone-screen")
    page.get_by_label("Shared secret").fill("a-secret-shared-with-the-receiver")
    page.get_by_role("button", name="Register webhook").click()
    assert "Webhook registered" in page.locator(".govuk-notification-banner").inner_text()
    assert "a-secret-shared-with-the-receiver" not in page.content()
    _checked(page, violations)

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("main")).to_contain_text("Paused: nothing is recorded or sent for it")
    page.get_by_role("button", name="Delete").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Delete this webhook?"
    _checked(page, violations)
    page.get_by_role("button", name="Delete webhook").click()
    expect(page.locator("main")).to_contain_text("No webhooks are registered")
    context.close()
    assert violations == []
