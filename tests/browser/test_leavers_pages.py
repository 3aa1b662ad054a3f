"""Marking a leaver in a real browser at 1280 px (issue 22): a school booker sets their school's target, marks a
member of staff as left from the staff list, checks what that does, confirms, and finds them under "Show leavers"
with their booking's place given to the colleague who was waiting, and the target's progress moved (the leaver is
no longer in post). axe-core on each page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import load_world, sign_in
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.browser

PASSWORD = "browser leavers password"
BOOKER = "office@leavers-school.example"


@pytest.fixture(scope="module")
def leavers_world(live_server, tmp_path_factory):
    """Lou Lane booked on a one-place session in three weeks, Wes Webb waiting for it and holding the school's
    safeguarding course (never expiring), Lou not; their school's booker."""
    day = london_today() + timedelta(days=21)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    csvs = {
        "authorities": "code,name,partner,display_order\nLVR-SHIRE,Leavers Shire,yes,31\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "LVR-SCH,Leavers Primary School,school,LVR-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "lou@leavers-school.example,Lou,Lane,Teacher,LVR-SCH,3,LVR-SHIRE,teacher\n"
        "wes@leavers-school.example,Wes,Webb,Teacher,LVR-SCH,3,LVR-SHIRE,teacher\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "LVR-CAF,Leavers CAF course,caf_practitioner,36,no,\n"
        "LVR-SG,Leavers safeguarding course,caf_practitioner,,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"LVR-ONE,LVR-CAF,{day.isoformat()},09:30,16:00,,1,LVR-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n"
        "LVR-ONE,lou@leavers-school.example,booked\nLVR-ONE,wes@leavers-school.example,waitlisted\n",
        "training-records": "practitioner,course,completed_on\nwes@leavers-school.example,LVR-SG,2020-03-02\n",
    }
    load_world(tmp_path_factory.mktemp("leavers-world"), csvs, (BOOKER, "LVR-SCH", PASSWORD))
    return live_server


def _fits(page) -> bool:
    """Nothing wider than the window: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_booker_marks_a_leaver_from_the_staff_list(leavers_world, browser):
    url = leavers_world
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # axe is injected inline
    page = context.new_page()
    sign_in(page, url, BOOKER, PASSWORD)
    page.wait_for_url(url + "/")
    violations = []
    today = london_today()

    # The school's target: 80% of group 3 holding LVR-SG by 2099; Wes holds it, Lou does not.
    page.goto(url + "/targets/new")
    page.locator('input[name="groups"][value="3"]').check()
    page.get_by_label("Course").select_option("LVR-SG")
    page.get_by_label("Percentage of staff to hold a current record").fill("80")
    due = page.get_by_role("group", name="Date to reach it by")
    for box, value in (("Day", "31"), ("Month", "12"), ("Year", "2099")):
        due.get_by_label(box).fill(value)
    page.get_by_role("button", name="Save target").click()
    expect(page.locator("h1")).to_have_text("Target for Leavers Primary School")
    page.goto(url + "/targets")
    row = page.get_by_role("row", name=re.compile("Leavers Primary School"))
    expect(row).to_contain_text("50% (1 of 2)")
    expect(row).to_contain_text("On track")

    page.goto(url + "/staff")
    assert page.locator("h1").inner_text() == "Staff" and _fits(page)
    violations += _serious_violations(page)
    page.get_by_role("link", name=re.compile(r"^Mark as left\W+Lou Lane$")).click()
    expect(page.locator("h1")).to_have_text("When did Lou Lane leave?")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    violations += _serious_violations(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Check before you mark Lou Lane as left")
    main = page.locator("main").inner_text()
    assert "LVR-ONE: Leavers CAF course" in main and f"{today:%-d %B %Y}" in main and _fits(page)
    violations += _serious_violations(page)
    page.get_by_role("button", name="Mark as left").click()

    expect(page.locator("h1")).to_have_text("Staff")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert f"Lou Lane is marked as left on {today:%-d %B %Y}. 1 of their bookings was cancelled." in banner
    table = page.get_by_role("table").inner_text()
    assert "Wes Webb" in table and "Lou Lane" not in table
    page.get_by_role("link", name="Show leavers").click()
    assert page.locator("h1").inner_text() == "Staff who have left" and _fits(page)
    assert "Lou Lane" in page.get_by_role("table").inner_text()
    violations += _serious_violations(page)

    page.goto(url + "/sessions/LVR-ONE")
    assert "Wes Webb" in page.locator("main").inner_text() and "Lou Lane" not in page.locator("main").inner_text()

    # Lou is no longer in post today, so the target counts Wes alone: 1 of 1 holds the course, met.
    page.goto(url + "/targets")
    row = page.get_by_role("row", name=re.compile("Leavers Primary School"))
    expect(row).to_contain_text("100% (1 of 1)")
    expect(row).to_contain_text("Met")
    assert "On track" not in row.inner_text()
    violations += _serious_violations(page)
    page.goto(url + "/")
    panel = " ".join(page.locator("main").inner_text().split())
    assert "now 100% (1 of 1)" in panel and "now 50%" not in panel

    # On a 390 px phone each target is a card: its progress and status in view, nothing to scroll sideways to.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url + "/targets")
    status = page.locator(".govuk-tag", has_text="Met")
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 and _fits(page)
    context.close()
    assert violations == []
