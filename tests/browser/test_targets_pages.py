"""Targets in a real browser (SPEC 3.10): a coordinator sets one with the form alone (no JavaScript), its errors come
in the GOV.UK error summary, and the list, the target's chart and the form meet WCAG 2.2 AA with no CSP errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import accessibility_violations as _accessibility_violations
from tests.browser.conftest import COORDINATOR_EMAIL, live_cli, sign_in

pytestmark = pytest.mark.browser

DATA = {
    "authorities": "code,name,partner,display_order\nTGT-SHIRE,Target Shire,yes,12\n",
    "organisations": (
        "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "TGT-SCH,Targetham School,school,TGT-SHIRE,,,,,no\n"
    ),
    "courses": (
        "code,title,kind,validity_months,counts_as_trained,prerequisites\nTGT-CAF,Target CAF,caf_practitioner,,no,\n"
    ),
    "practitioners": (
        "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "ann.target@example.org,Ann,Target,Teacher,TGT-SCH,4,TGT-SHIRE,teacher\n"
        "bob.target@example.org,Bob,Target,Teacher,TGT-SCH,4,TGT-SHIRE,teacher\n"
    ),
    "training-records": "practitioner,course,completed_on\nann.target@example.org,TGT-CAF,2008-03-01\n",
}


@pytest.fixture
def coordinator(live_server, browser, tmp_path):
    """The data loaded through the import command, and two signed-in coordinator pages: without JavaScript, and one
    that lets the test inject axe-core."""
    for kind, text in DATA.items():
        csv = tmp_path / f"{kind}.csv"
        csv.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(csv))
    pages, contexts = [], []
    for options in ({"java_script_enabled": False}, {"bypass_csp": True}):
        contexts.append(browser.new_context(viewport={"width": 1280, "height": 800}, **options))
        page = contexts[-1].new_page()
        sign_in(page, live_server, COORDINATOR_EMAIL)
        pages.append(page)
    yield pages
    for context in contexts:
        context.close()


def test_a_target_is_set_without_javascript_and_its_pages_meet_wcag_2_2_aa(live_server, coordinator):
    plain, checked = coordinator
    problems: list[str] = []
    plain.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    plain.goto(live_server + "/targets/new")
    plain.get_by_label("Organisation code").fill("TGT-SCH")
    plain.locator('input[name="groups"][value="4"]').check()
    plain.get_by_label("Course").select_option("TGT-CAF")
    plain.get_by_label("Percentage of staff to hold a current record").fill("150")
    due = plain.get_by_role("group", name="Date to reach it by")
    for box, value in (("Day", "31"), ("Month", "12"), ("Year", "2099")):
        due.get_by_label(box).fill(value)
    plain.get_by_role("button", name="Save target").click()
    assert "Percentage must be a whole number from 1 to 100" in plain.locator(".govuk-error-summary").inner_text()
    error_page = plain.url
    plain.get_by_label("Percentage of staff to hold a current record").fill("50")
    for box, value in (("Day", "31"), ("Month", "12"), ("Year", "2099")):
        plain.get_by_role("group", name="Date to reach it by").get_by_label(box).fill(value)
    plain.get_by_role("button", name="Save target").click()

    expect(plain.locator("h1")).to_have_text("Target for Targetham School")
    expect(plain.get_by_role("img", name="Progress towards the target")).to_be_visible()
    assert "50%" in plain.locator(".govuk-summary-list").inner_text()
    assert "Met" in plain.locator(".govuk-summary-list").inner_text()
    target_page = plain.url
    plain.goto(live_server + "/targets")
    row = plain.get_by_role("row", name=re.compile("Targetham School"))
    assert "50%" in row.inner_text() and "(1 of 2)" in row.inner_text() and "Met" in row.inner_text()
    assert problems == [], "a page raised errors (a Content-Security-Policy violation?)"

    violations = []
    for url in (live_server + "/targets", target_page, live_server + "/targets/new", error_page):
        checked.goto(url)
        violations += [f"{url} {line}" for line in _accessibility_violations(checked)]
    assert violations == []
