"""In a real browser without JavaScript: a coordinator schedules a two-day session, confirms a bank-holiday warning
and finds it in the list and the month view; the session pages meet WCAG 2.2 AA (no serious or critical violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import AXE
from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import live_cli
from tests.browser.test_courses_pages import _sign_in

pytestmark = pytest.mark.browser

# Friday 3 May 2030 and Monday 6 May 2030, the early May bank holiday.
DAYS = (("3", "5", "2030"), ("6", "5", "2030"))


@pytest.fixture
def page_for(browser):
    """New pages in their own contexts; axe-core is injected as an inline script, so the CSP is bypassed."""
    contexts = []

    def make(javascript: bool = True):
        context = browser.new_context(
            java_script_enabled=javascript, bypass_csp=True, viewport={"width": 1280, "height": 800}
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def places(live_server, tmp_path_factory):
    """A host authority with an area and a course, loaded through the CLI imports."""
    folder = tmp_path_factory.mktemp("csv")
    files = {
        "authorities": "code,name,partner,display_order\nBROWSERSHIRE,Browsershire,yes,9\n",
        "areas": "authority,name\nBROWSERSHIRE,Browser Vale\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "BRS,Browser scheduling course,caf_practitioner,36,no,\n",
    }
    for kind, text in files.items():
        path = folder / f"{kind}.csv"
        path.write_text(text)
        live_cli("import", kind, str(path))
    return live_server


def _fill_day(page, index: int, day: tuple[str, str, str], start: str = "09:30", end: str = "16:00") -> None:
    boxes = page.locator(f'input[name="days-{index}-date"]')
    for position, value in enumerate(day):
        boxes.nth(position).fill(value)
    page.locator(f"#days-{index}-start").fill(start)
    page.locator(f"#days-{index}-end").fill(end)


def _venue(page, base_url: str) -> None:
    page.goto(base_url + "/venues/new")
    page.get_by_label("Name", exact=True).fill("Browser Hall")
    page.get_by_label("Room capacity").fill("30")
    page.get_by_role("button", name="Save venue").click()
    page.locator(".govuk-notification-banner").wait_for()


def test_a_coordinator_schedules_a_two_day_session_over_a_bank_holiday(places, page_for):
    page = page_for(javascript=False)
    _sign_in(page, places)
    _venue(page, places)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sessions").click()
    page.wait_for_url("**/sessions/")
    expect(page.locator("h1")).to_have_text("Sessions")
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_label("Session code").fill("BRS-LIVE-1")
    page.get_by_label("Course").select_option(label="BRS: Browser scheduling course")
    _fill_day(page, 0, DAYS[0])
    page.get_by_role("button", name="Add another day").click()
    _fill_day(page, 1, DAYS[1])
    page.get_by_label("Venue").select_option(label="Browser Hall (room for 30)")
    page.get_by_label("Capacity").fill("16")
    page.get_by_label("Host authority").select_option(label="Browsershire")
    page.get_by_label("Host area").select_option(label="Browsershire – Browser Vale")
    page.get_by_role("button", name="Save session").click()

    warnings = page.locator("#warnings").inner_text()
    assert "Monday 6 May 2030 is a bank holiday in England and Wales" in warnings
    page.get_by_role("button", name="Save anyway").click()
    page.wait_for_url("**/sessions/BRS-LIVE-1")

    expect(page.locator("h1")).to_have_text("Session BRS-LIVE-1")
    assert "Session BRS-LIVE-1 is saved." in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Sessions", exact=True).first.click()
    page.get_by_label("Course").select_option(label="BRS: Browser scheduling course")
    page.get_by_role("button", name="Find sessions").click()
    page.wait_for_url("**/sessions/?course=BRS*")
    row = page.get_by_role("row", name="BRS-LIVE-1")
    assert "16 of 16" in row.inner_text()
    page.goto(places + "/sessions/month?month=2030-05")
    expect(page.locator("h1")).to_have_text("Sessions in May 2030")
    assert page.get_by_role("link", name="BRS-LIVE-1").count() == 2


def test_the_session_pages_have_no_serious_accessibility_violations(places, page_for):
    assert AXE.exists(), "axe-core is missing: run npm ci"
    page = page_for()
    _sign_in(page, places)
    page.goto(places + "/sessions/new")
    page.get_by_label("Session code").fill("BRS-AXE-1")
    page.get_by_label("Course").select_option(label="BRS: Browser scheduling course")
    _fill_day(page, 0, DAYS[1], start="16:00", end="09:30")
    page.get_by_role("button", name="Save session").click()
    page.locator(".govuk-error-summary").wait_for()
    checked = {"schedule form with errors": _serious_violations(page)}
    _fill_day(page, 0, DAYS[1])
    page.get_by_label("Capacity").fill("10")
    page.get_by_label("Host authority").select_option(label="Browsershire")
    page.get_by_role("button", name="Save session").click()
    page.locator("#warnings").wait_for()
    checked["schedule form with warnings"] = _serious_violations(page)
    page.get_by_role("button", name="Save anyway").click()
    page.wait_for_url("**/sessions/BRS-AXE-1")
    for path in (
        "/sessions/",
        "/sessions/month?month=2030-05",
        "/sessions/new",
        "/sessions/BRS-AXE-1",
        "/sessions/BRS-AXE-1/edit",
        "/sessions/BRS-AXE-1/duplicate",
        "/sessions/BRS-AXE-1/cancel",
        "/sessions/trainers",
        "/sessions/calendar-feed",
    ):
        page.goto(places + path)
        checked[path] = _serious_violations(page)
    assert {where: found for where, found in checked.items() if found} == {}
