"""Awareness pages in a real browser: recording a sign-off changes the coverage grid; axe-core on each new page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import COORDINATOR_EMAIL, live_cli, sign_in

pytestmark = pytest.mark.browser

AUTHORITIES = "code,name,partner,display_order\nAWARE-SHIRE,Awareness Shire,yes,7\nAWARE-TOWN,Awareness Town,yes,8\n"


@pytest.fixture
def coordinator_page(live_server, browser, tmp_path):
    """A coordinator signed in, with two authorities loaded through the import command."""
    csv = tmp_path / "authorities.csv"
    csv.write_text(AUTHORITIES, encoding="utf-8")
    live_cli("import", "authorities", str(csv))
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})  # axe is injected inline
    page = context.new_page()
    sign_in(page, live_server, COORDINATOR_EMAIL)
    yield page
    context.close()


def test_recording_a_sign_off_changes_the_coverage_grid(live_server, coordinator_page):
    page = coordinator_page
    page.get_by_role("link", name="Awareness").first.click()
    page.get_by_role("link", name="Coverage").click()
    expect(page.locator("h1")).to_have_text("Awareness coverage")
    assert page.get_by_role("row", name="Police").count() == 0  # nothing signed off in policing yet
    violations = _serious_violations(page)

    page.get_by_role("link", name="Sign-off register").click()
    violations += _serious_violations(page)
    page.get_by_role("button", name="Record a sign-off").click()
    page.get_by_label("Service or sector").fill("Browser Police Division")
    page.get_by_label("Sector", exact=True).select_option("police")
    page.get_by_label("Awareness Town").check()
    page.get_by_label("Named contact").fill("Inspector Morse")
    page.get_by_label("Month").fill("13")
    page.get_by_label("Year").fill("2007")
    page.get_by_role("button", name="Save sign-off").click()
    expect(page).to_have_title(re.compile(r"^Error: Record a sign-off"))
    assert "Date completed must be a real date or month" in page.locator(".govuk-error-summary").inner_text()
    violations += _serious_violations(page)

    page.get_by_label("Month").fill("10")
    page.get_by_role("button", name="Save sign-off").click()
    assert (
        "The sign-off for Browser Police Division has been recorded."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    expect(page.get_by_role("row", name="Browser Police Division")).to_be_visible()

    page.get_by_role("link", name="Coverage").click()
    police = page.get_by_role("row", name="Police")
    assert "Signed off October 2007" in police.inner_text()
    assert "Not signed off" in police.inner_text()  # the other authority is not covered
    page.get_by_role("link", name="Presentations").click()
    expect(page.locator("h1")).to_have_text("Awareness presentations")
    violations += _serious_violations(page)
    assert violations == []
