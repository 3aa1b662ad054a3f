"""Booking in a real browser (issue 7's acceptance): a school booker books three staff onto a session with two
places left, sees one go on the waiting list, cancels a booking and sees the waiting colleague promoted; a
practitioner asks for a place on a course that needs approval and their booker approves it. axe-core on each page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, live_cli, load_world, sign_in
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.browser

PASSWORD = "browser booking password"
BOOKER = "office@booking-school.example"
PRACTITIONER = "dee@booking-school.example"


@pytest.fixture(scope="module")
def booking_world(live_server, tmp_path_factory):
    """A session in three weeks with 5 places, 3 taken by another school; Ann, Bob, Cat and Dee at the booker's;
    a lead professional session a week later. Loaded once: the tests use different sessions."""
    day = london_today() + timedelta(days=21)
    later = day + timedelta(days=7)
    csvs = {
        "authorities": "code,name,partner,display_order\nBKG-SHIRE,Booking Shire,yes,21\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "BKG-SCH,Booking Primary School,school,BKG-SHIRE,,,,,no\n"
        "BKG-OTHER,Other Academy,school,BKG-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "ann@booking-school.example,Ann,Avery,Teacher,BKG-SCH,3,BKG-SHIRE,teacher\n"
        "bob@booking-school.example,Bob,Brook,Teacher,BKG-SCH,3,BKG-SHIRE,teacher\n"
        "cat@booking-school.example,Cat,Cole,Teaching assistant,BKG-SCH,3,BKG-SHIRE,teaching_assistant\n"
        f"{PRACTITIONER},Dee,Dale,Learning mentor,BKG-SCH,3,BKG-SHIRE,none\n"
        + "".join(f"o{n}@other.example,Oli{n},Other,Teacher,BKG-OTHER,3,BKG-SHIRE,teacher\n" for n in range(3)),
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "BKG-CAF,Booking CAF course,caf_practitioner,36,no,\n"
        "BKG-LP,Booking lead professional course,lead_professional,,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"BKG-ONE,BKG-CAF,{day.isoformat()},09:30,16:00,,5,BKG-SHIRE,,scheduled\n"
        f"BKG-LP1,BKG-LP,{later.isoformat()},09:30,12:30,,10,BKG-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n" + "".join(f"BKG-ONE,o{n}@other.example,booked\n" for n in range(3)),
    }
    load_world(tmp_path_factory.mktemp("booking-world"), csvs, (BOOKER, "BKG-SCH", PASSWORD))
    live_cli("users", "create", "--email", PRACTITIONER, "--role", "practitioner", stdin=PASSWORD + "\n")
    return live_server


def _signed_in(browser, url: str, email: str, password: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # axe is injected inline
    page = context.new_page()
    sign_in(page, url, email, password)
    page.wait_for_url(url + "/")
    return context, page


def test_a_booker_books_three_into_two_places_then_a_cancellation_promotes_the_third(booking_world, browser):
    url = booking_world
    context, page = _signed_in(browser, url, BOOKER, PASSWORD)
    violations = []

    page.goto(url + "/sessions/BKG-ONE")
    page.get_by_role("button", name="Book staff on BKG-ONE").click()
    expect(page.locator("h1")).to_have_text("Book staff on BKG-ONE")
    expect(page.locator("main")).to_contain_text("2 of 5 places left")
    assert "Oli0" not in page.locator("main").inner_text()  # another school's staff are not offered
    for name in ("Ann Avery", "Bob Brook", "Cat Cole"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Check places").click()
    preview = page.get_by_role("table", name="If you confirm now").inner_text()
    assert "Ann Avery\tGets a place" in preview and "Bob Brook\tGets a place" in preview
    assert "Cat Cole\tGoes on the waiting list, number 1" in preview
    violations += _serious_violations(page)
    page.get_by_role("button", name="Confirm bookings").click()

    expect(page.locator("h1")).to_have_text("Bookings")
    bookings = page.get_by_role("table", name="Coming bookings").inner_text()
    assert "Cat Cole\tBooking CAF course\tBKG-ONE" in bookings and "Waiting list, number 1" in bookings
    violations += _serious_violations(page)

    page.get_by_role("link", name="Change or cancel Ann Avery's booking on BKG-ONE").click()
    violations += _serious_violations(page)
    page.get_by_role("button", name="Cancel booking").click()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Ann Avery's booking on BKG-ONE is cancelled." in banner
    assert "Cat Cole has been given the place from the waiting list." in banner
    bookings = page.get_by_role("table", name="Coming bookings").inner_text()
    assert "Ann Avery" not in bookings and "Waiting list" not in bookings
    context.close()
    assert violations == []


def test_a_practitioner_asks_for_a_place_and_their_booker_approves_it(booking_world, browser):
    url = booking_world
    context, page = _signed_in(browser, url, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    page.goto(url + "/courses/BKG-LP/edit")
    page.get_by_label("Yes, with their organisation's booker's approval").check()
    page.get_by_role("button", name="Save course").click()
    context.close()
    violations = []

    context, page = _signed_in(browser, url, PRACTITIONER, PASSWORD)
    page.goto(url + "/sessions/BKG-LP1")
    page.get_by_role("button", name="Ask for a place on BKG-LP1").click()
    violations += _serious_violations(page)
    page.get_by_role("button", name="Send request").click()
    assert "has been sent to your booker" in page.locator("main").inner_text(), page.locator("main").inner_text()
    violations += _serious_violations(page)
    context.close()

    context, page = _signed_in(browser, url, BOOKER, PASSWORD)
    page.goto(url + "/bookings/requests")
    violations += _serious_violations(page)
    page.get_by_role("button", name="Approve Dee Dale's request").click()
    assert "Approved: Dee Dale has a place on BKG-LP1." in page.locator(".govuk-notification-banner").inner_text()
    expect(page.locator("main")).to_contain_text("No requests are waiting.")
    context.close()

    context, page = _signed_in(browser, url, PRACTITIONER, PASSWORD)
    page.goto(url + "/bookings/mine")
    expect(page.locator("main")).to_contain_text("BKG-LP1")
    context.close()
    assert violations == []
