"""The coverage report and the dashboard plots in a real browser: no JavaScript needed, no CSP errors, WCAG 2.2 AA."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import accessibility_violations as _accessibility_violations
from tests.browser.conftest import COORDINATOR_EMAIL, live_cli, sign_in

pytestmark = pytest.mark.browser

DATA = {
    "authorities": "code,name,partner,display_order\nCOVER-SHIRE,Coverage Shire,yes,11\n",
    "areas": "authority,name\nCOVER-SHIRE,Heatham\n",
    "organisations": (
        "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "COVER-SCH,Heatham School,school,COVER-SHIRE,Heatham,,,,no\n"
    ),
    "courses": (
        "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "COVER-CAF,Coverage CAF,caf_practitioner,36,yes,\n"
    ),
    "pathways": "group,course,requirement,position\n4,COVER-CAF,required,1\n",
    "practitioners": (
        # Empty start dates: in post since before anyone knew (SPEC 3.1), so they count in 2008's coverage; a file
        # without the column would start them today.
        "email,first_name,last_name,job_title,organisation,group,authorities,cover_category,started_on,left_on\n"
        "ann.cover@example.org,Ann,Cover,Teacher,COVER-SCH,4,COVER-SHIRE,teacher,,\n"
        "bob.cover@example.org,Bob,Cover,Teacher,COVER-SCH,4,COVER-SHIRE,teacher,,\n"
        "cat.cover@example.org,Cat,Cover,Teacher,COVER-SCH,4,COVER-SHIRE,teacher,,\n"
    ),
    "training-records": "practitioner,course,completed_on\nann.cover@example.org,COVER-CAF,2008-03-01\n",
}


@pytest.fixture
def coordinator(live_server, browser, tmp_path):
    """Data loaded through the import command, and two signed-in coordinator pages: without JavaScript, and one
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


def test_coverage_and_its_cells_work_without_javascript_and_meet_wcag_2_2_aa(live_server, coordinator):
    plain, checked = coordinator
    problems: list[str] = []
    plain.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    plain.goto(live_server + "/reports/coverage?as_of=2008-08-31")
    row = plain.get_by_role("row", name="Heatham")
    assert "33%" in row.inner_text() and "Low" in row.inner_text()
    row.get_by_role("link").first.click()
    assert plain.locator("h1").inner_text() == "Still to train: Heatham, Coverage Shire, group 4"
    expect(plain.get_by_role("row", name="Bob Cover")).to_be_visible()
    plain.goto(live_server + "/reports/attendance-by-authority?from=2008-10-02&to=2008-10-01")
    assert "The end date must be the same as or after" in plain.locator(".govuk-error-summary").inner_text()
    plain.goto(live_server + "/")
    expect(plain.get_by_role("img", name="Staff trained by authority")).to_be_visible()
    assert problems == [], "a page raised errors (a Content-Security-Policy violation?)"

    violations = []
    for path in (
        "/reports/coverage?as_of=2008-08-31",
        "/reports/coverage?as_of=2008-02-30",
        "/reports/attendance-by-authority?from=2008-10-02&to=2008-10-01",
        "/reports/attendance-by-authority",
        "/",
    ):
        checked.goto(live_server + path)
        violations += [f"{path} {line}" for line in _accessibility_violations(checked)]
    assert violations == []
