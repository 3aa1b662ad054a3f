"""Booking questions in a real browser (issue 21): on a 390 px phone a booker gives one person's access needs on the
group form, then the coordinator finds them on the session page and the register; axe-core on each page, nothing
to scroll sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, load_world, sign_in
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.browser

PASSWORD = "browser needs password"
BOOKER = "office@needs-school.example"
NEEDS = "Uses a wheelchair: a ground-floor room, please"


@pytest.fixture(scope="module")
def needs_world(live_server, tmp_path_factory):
    """A session in three weeks at which the booker of Needs Primary may book Ann and Bob."""
    day = london_today() + timedelta(days=21)
    csvs = {
        "authorities": "code,name,partner,display_order\nNDS-SHIRE,Needs Shire,yes,22\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "NDS-SCH,Needs Primary School,school,NDS-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "ann@needs-school.example,Ann,Ashby,Teacher,NDS-SCH,3,NDS-SHIRE,none\n"
        "bob@needs-school.example,Bob,Birch,Teacher,NDS-SCH,3,NDS-SHIRE,none\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "NDS-CAF,Needs CAF course,caf_practitioner,36,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"NDS-ONE,NDS-CAF,{day.isoformat()},09:30,16:00,,5,NDS-SHIRE,,scheduled\n",
    }
    load_world(tmp_path_factory.mktemp("needs-world"), csvs, (BOOKER, "NDS-SCH", PASSWORD))
    return live_server


def _phone(browser, url: str, email: str, password: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # axe is injected inline
    page = context.new_page()
    sign_in(page, url, email, password)
    page.wait_for_url(url + "/")
    return context, page


def _fits(page) -> bool:
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return scroll <= client


def test_a_booker_gives_needs_on_a_phone_and_the_coordinator_sees_them(needs_world, browser, tmp_path):
    url = needs_world
    context, page = _phone(browser, url, BOOKER, PASSWORD)
    violations = []
    page.goto(url + "/bookings/new/NDS-ONE")
    page.get_by_label("Ann Ashby").check()
    page.get_by_label("Bob Birch").check()
    page.get_by_role("button", name="Check places").click()
    page.get_by_label("Access needs of Ann Ashby").fill(NEEDS)
    page.screenshot(path=tmp_path / "group-needs-390.png", full_page=True)
    assert _fits(page)
    violations += serious_violations(page)
    page.get_by_role("button", name="Confirm bookings").click()
    expect(page.locator("main")).to_contain_text("Booked: Ann Ashby, Bob Birch.")
    page.goto(url + "/sessions/NDS-ONE")
    assert NEEDS not in page.content()  # the booker gave them but does not see them
    context.close()

    context, page = _phone(browser, url, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    for path in ("/sessions/NDS-ONE", "/sessions/NDS-ONE/register"):
        page.goto(url + path)
        needs = page.locator("#booking-needs + p + table").inner_text()
        assert "Ann Ashby" in needs and NEEDS in needs and "Bob Birch" not in needs, path
        assert _fits(page), path
        violations += serious_violations(page)
    context.close()
    assert violations == []
