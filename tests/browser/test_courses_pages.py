"""In a real browser: a coordinator adds a course and puts it on a group's pathway; the new pages meet WCAG 2.2 AA."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import AXE
from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import COORDINATOR_EMAIL, sign_in

pytestmark = pytest.mark.browser


def _sign_in(page, base_url: str) -> None:
    sign_in(page, base_url, COORDINATOR_EMAIL)


@pytest.fixture
def page_for(browser):
    contexts = []

    def make(javascript: bool = True):
        # axe-core is injected as an inline script, so the CSP is bypassed on these pages.
        context = browser.new_context(
            java_script_enabled=javascript, bypass_csp=True, viewport={"width": 1280, "height": 800}
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_coordinator_adds_a_course_and_puts_it_on_a_pathway_without_javascript(live_server, page_for):
    page = page_for(javascript=False)
    _sign_in(page, live_server)
    page.get_by_role("link", name="Courses").click()
    expect(page.locator("h1")).to_have_text("Courses")
    page.get_by_role("button", name="Add a course").click()
    page.get_by_label("Code", exact=True).fill("BROWSER-CAF")
    page.get_by_label("Title", exact=True).fill("CAF practitioner training (browser)")
    page.get_by_label("Kind").select_option("caf_practitioner")
    page.get_by_label("Validity in months (optional)").fill("0")
    page.get_by_role("button", name="Save course").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a course"))
    assert "Validity must be from 1 to 1200 months" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Validity in months (optional)").fill("36")
    page.get_by_role("button", name="Save course").click()
    assert "Course BROWSER-CAF has been added." in page.locator(".govuk-notification-banner").inner_text()
    expect(page.get_by_role("row", name="BROWSER-CAF")).to_be_visible()  # waits for the page, unlike is_visible

    page.get_by_role("link", name="Pathways").click()
    page.get_by_role("link", name="Group 3:").click()
    expect(page.locator("h1")).to_have_text("Group 3 pathway")
    page.get_by_label("Course").select_option("BROWSER-CAF")
    page.get_by_label("Recommended").check()
    page.get_by_role("button", name="Add to pathway").click()
    assert "BROWSER-CAF has been added to the pathway." in page.locator(".govuk-notification-banner").inner_text()
    row = page.get_by_role("row", name="BROWSER-CAF")
    assert row.get_by_label("Requirement for BROWSER-CAF").input_value() == "recommended"

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Pathways").click()
    assert page.get_by_role("row", name="Group 3:").get_by_role("cell", name="Recommended").count() >= 1


def test_the_course_venue_and_pathway_pages_have_no_serious_accessibility_violations(live_server, page_for):
    assert AXE.exists(), "axe-core is missing: run npm ci"
    page = page_for()
    _sign_in(page, live_server)
    page.goto(live_server + "/courses/new")
    page.get_by_label("Code", exact=True).fill("AXE-1")
    page.get_by_label("Title", exact=True).fill("Accessibility check course")
    page.get_by_role("button", name="Save course").click()
    page.goto(live_server + "/pathways/2")
    page.get_by_label("Course").select_option("AXE-1")
    page.get_by_role("button", name="Add to pathway").click()
    page.goto(live_server + "/venues/new")
    page.get_by_role("button", name="Save venue").click()  # empty: the error summary
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    checked = {"venue form with errors": _serious_violations(page)}
    for path in (
        "/courses",
        "/courses/new",
        "/courses/AXE-1",
        "/courses/AXE-1/edit",
        "/venues",
        "/pathways",
        "/pathways/2",
    ):
        page.goto(live_server + path)
        checked[path] = _serious_violations(page)
    page.goto(live_server + "/courses/new")
    page.get_by_role("button", name="Save course").click()
    checked["course form with errors"] = _serious_violations(page)
    assert checked == {name: [] for name in checked}
