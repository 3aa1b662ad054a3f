"""The register on a trainer's phone (issue 18): at 390 px it fits the screen, nothing to scroll sideways, and a mark
can be made and saved; screenshots at 1280 and 390 px are kept in the test's folder to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, live_cli, sign_in
from training_app.services.common.calendar import london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

LONG_SCHOOL = "St Bartholomew's Church of England Voluntary Aided Primary Academy and Nursery"


def _csvs(today: str) -> dict[str, str]:
    """A session today with two people booked, one of them from a school with a long name."""
    return {
        "authorities": "code,name,partner,display_order\nPHN-SHIRE,Phone Shire,yes,21\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        f'PHN-SCH,"{LONG_SCHOOL}",school,PHN-SHIRE,,,,,no\n',
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "maximilian.featherstonehaugh@phone-school.example,Maximilian,Featherstonehaugh-Wolfeschlegel,Teacher,"
        "PHN-SCH,3,PHN-SHIRE,teacher\n"
        "bo@phone-school.example,Bo,Li,Teacher,PHN-SCH,3,PHN-SHIRE,teacher\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "PHN-CAF,Phone CAF course,caf_practitioner,36,yes,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"PHN-ONE,PHN-CAF,{today},09:30,16:00,,10,PHN-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n"
        "PHN-ONE,maximilian.featherstonehaugh@phone-school.example,booked\nPHN-ONE,bo@phone-school.example,booked\n",
    }


@pytest.fixture
def phone_session(live_server, tmp_path):
    today = london_today()
    for kind, text in _csvs(today.isoformat()).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    return live_server, long_date(today)


def _register(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    sign_in(page, url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(url + "/sessions/PHN-ONE/register")
    return context, page


def test_a_register_fits_a_390_pixel_phone_and_takes_a_mark(phone_session, browser, tmp_path):
    url, today = phone_session
    context, page = _register(browser, url, 1280)
    page.screenshot(path=tmp_path / "register-1280.png", full_page=True)
    context.close()

    context, page = _register(browser, url, 390)
    page.screenshot(path=tmp_path / "register-390.png", full_page=True)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide on a {widths[1]} px screen"
    assert page.locator("[id='csrf_token']").count() == 1  # the walk-in form's token has an id of its own
    radios = page.get_by_role("group", name=f"Maximilian Featherstonehaugh-Wolfeschlegel on {today}")
    attended = radios.get_by_label("Attended")
    box, screen = attended.bounding_box(), page.viewport_size
    assert box is not None and box["x"] + box["width"] <= screen["width"]  # on the screen, not off to the right
    attended.check()
    radios_for_bo = page.get_by_role("group", name=f"Bo Li on {today}")
    radios_for_bo.get_by_label("Absent").check()
    page.get_by_role("button", name="Save the register").click()
    assert "2 marks saved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("group", name=f"Bo Li on {today}").get_by_label("Absent").is_checked()
    context.close()
