"""A waiting-list offer in a real browser (issue 21's acceptance): on a course imported with `offer_hours`, a booker
cancels a booking on a full session, the place is offered to the colleague waiting, and the booker opens the offer
email's accept link, accepts, and sees the booking booked. axe-core on each page."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.conftest import LIVE_PATHS, load_world, sign_in
from tests.outbox import body_of
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.browser

PASSWORD = "browser offer password"
BOOKER = "office@offer-school.example"


@pytest.fixture(scope="module")
def offer_world(live_server, tmp_path_factory):
    """OFR-ONE in three weeks, one place, Ann booked and Bob waiting; its course holds offers for 48 hours."""
    day = london_today() + timedelta(days=21)
    csvs = {
        "authorities": "code,name,partner,display_order\nOFR-SHIRE,Offer Shire,yes,23\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "OFR-SCH,Offer Primary School,school,OFR-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "ann@offer-school.example,Ann,Archer,Teacher,OFR-SCH,3,OFR-SHIRE,teacher\n"
        "bob@offer-school.example,Bob,Bishop,Teacher,OFR-SCH,3,OFR-SHIRE,teacher\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites,offer_hours\n"
        "OFR-CAF,Offer CAF course,caf_practitioner,36,no,,48\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"OFR-ONE,OFR-CAF,{day.isoformat()},09:30,16:00,,1,OFR-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n"
        "OFR-ONE,ann@offer-school.example,booked\nOFR-ONE,bob@offer-school.example,waitlisted\n",
    }
    load_world(tmp_path_factory.mktemp("offer-world"), csvs, (BOOKER, "OFR-SCH", PASSWORD))
    return live_server


def _accept_link() -> str:
    """The accept link of the offer email to Bob, read from the outbox the server writes."""
    for path in sorted(LIVE_PATHS["outbox"].glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["Subject"].startswith("A place is offered") and "bob@offer-school.example" in message["To"]:
            [link] = [word for word in body_of(message).split() if word.endswith("/offer/accept")]
            return link
    raise AssertionError("no offer email to Bob in the outbox")


def test_a_booker_accepts_an_offer_from_its_email_link_and_the_booking_is_booked(offer_world, browser):
    url = offer_world
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # a phone's width
    page = context.new_page()
    sign_in(page, url, BOOKER, PASSWORD)
    violations = []

    page.goto(url + "/bookings/")
    page.get_by_role("link", name="Change or cancel Ann Archer's booking on OFR-ONE").click()
    page.get_by_role("button", name="Cancel booking").click()
    banner = page.locator(".govuk-notification-banner").first.inner_text()
    assert "The place is offered to Bob Bishop, first on the waiting list, until" in banner
    assert "Offered a place until" in page.get_by_role("table", name="Coming bookings").inner_text()

    page.goto(url + "/")
    offers = page.locator("#offers").inner_text()
    assert "Offer CAF course (OFR-ONE): a place is offered to Bob Bishop until" in offers
    violations += serious_violations(page)

    link = _accept_link()
    page.goto(url + "/" + link.split("//", 1)[1].split("/", 1)[1])  # the email's path, on this server
    expect(page.locator("h1")).to_have_text("A place is offered to Bob Bishop")
    assert page.locator("#offer-status").inner_text().startswith("Offered until")
    violations += serious_violations(page)
    page.get_by_role("button", name="Accept the place").click()

    expect(page.locator("h1")).to_have_text("Bookings")
    assert "Bob Bishop has a place on OFR-ONE." in page.locator(".govuk-notification-banner").first.inner_text()
    row = page.get_by_role("row").filter(has_text="Bob Bishop").inner_text()
    assert "OFR-ONE" in row and "Booked" in row
    violations += serious_violations(page)

    page.goto(url + "/" + link.split("//", 1)[1].split("/", 1)[1])  # the link again: the offer is over
    expect(page.locator("h1")).to_have_text("No offer is open")
    assert "Booked: the offer was accepted" in page.locator("#offer-status").inner_text()
    assert page.get_by_role("button", name="Accept the place").count() == 0
    context.close()
    assert violations == []
