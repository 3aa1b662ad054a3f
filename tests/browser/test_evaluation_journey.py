"""Evaluation in a browser (SPEC 3.5): a coordinator takes yesterday's register, the practitioner follows the
email's link, is told the certificate waits for the evaluation, evaluates, and downloads the certificate; the
coordinator reads the results. Screenshots at 1280 and 390 px are kept in the test's folder."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, LIVE_PATHS, live_cli, sign_in
from training_app.services.common.calendar import london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

PERSON = "eve.evans@eval-school.example"


def _csvs(day: str) -> dict[str, str]:
    return {
        "authorities": "code,name,partner,display_order\nEVL-SHIRE,Evaluation Shire,yes,31\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "EVL-SCH,Evaluation School,school,EVL-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        f"{PERSON},Eve,Evans,Teacher,EVL-SCH,3,EVL-SHIRE,teacher\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites,certificate_after_evaluation\n"
        "EVL-CAF,Evaluated CAF course,caf_practitioner,36,no,,yes\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"EVL-ONE,EVL-CAF,{day},09:30,16:00,,10,EVL-SHIRE,,scheduled\n",
        "bookings": f"session,practitioner,status\nEVL-ONE,{PERSON},booked\n",
    }


def _link_in_outbox() -> str:
    for path in sorted(LIVE_PATHS["outbox"].glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if PERSON in message["To"] and message["Subject"].startswith("Evaluate"):
            body = message.get_body(preferencelist=("plain",)).get_content()
            return next(word for word in body.split() if "/evaluation" in word)
    raise AssertionError("no evaluation email in the outbox")


def test_a_practitioner_evaluates_from_the_email_and_then_downloads_the_certificate(live_server, browser, tmp_path):
    yesterday = london_today() - timedelta(days=1)
    for kind, text in _csvs(yesterday.isoformat()).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    live_cli("users", "create", "--email", PERSON, "--role", "practitioner", stdin=ADMIN_PASSWORD + "\n")

    coordinator = browser.new_context(viewport={"width": 1280, "height": 900})
    page = coordinator.new_page()
    sign_in(page, live_server, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    page.goto(live_server + "/sessions/EVL-ONE/register")
    page.get_by_role("group", name=f"Eve Evans on {long_date(yesterday)}").get_by_label("Attended").check()
    page.get_by_role("button", name="Save the register").click()
    assert "1 mark saved" in page.locator(".govuk-notification-banner").inner_text()

    link = live_server + "/" + _link_in_outbox().split("//", 1)[1].split("/", 1)[1]  # the email's path, this server
    for width in (390, 1280):  # at 390 px only looked at; at 1280 px answered
        context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        eve = context.new_page()
        sign_in(eve, live_server, PERSON, ADMIN_PASSWORD)
        if width == 1280:
            eve.goto(live_server + "/")
            assert "evaluate to get your certificate" in eve.locator("#evaluations").inner_text()
            eve.goto(live_server + f"/practitioners/{PERSON}/training-records")
            assert eve.get_by_role("link", name="Evaluate the course to get your certificate").is_visible()
        eve.goto(link)
        eve.screenshot(path=tmp_path / f"evaluate-{width}.png", full_page=True)
        widths = eve.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the evaluation scrolls sideways at {width} px"
        if width == 390:
            context.close()
            continue
        eve.get_by_role("button", name="Send evaluation").click()
        expect(eve.locator(".govuk-error-summary")).to_be_visible()  # nothing chosen yet: waits for the answer page
        for legend in (
            "How useful was the course to your work?",
            "How well did the trainer explain the material?",
            "How confident do you feel using what you learned?",
        ):
            eve.get_by_role("group", name=legend).get_by_label("4").check()
        eve.get_by_role("group", name="Would you recommend the course to a colleague?").get_by_label("Yes").check()
        eve.get_by_label("Anything else you would like to tell us about the course? (optional)").fill("Very useful")
        eve.get_by_role("button", name="Send evaluation").click()
        expect(eve.locator(".govuk-notification-banner")).to_contain_text("Thank you")
        eve.goto(live_server + f"/practitioners/{PERSON}/training-records")
        with eve.expect_download() as download:
            eve.get_by_role("link", name="Download").first.click()
        assert download.value.path().read_bytes().startswith(b"%PDF")
        context.close()

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server + "/sessions/EVL-ONE/evaluation")
        page.screenshot(path=tmp_path / f"results-{width}.png", full_page=True)
        text = page.locator("main").inner_text()
        assert "1 of 1 people who completed it gave their evaluation (100%)" in text
        assert "Very useful" in text and "Eve Evans" in text
    coordinator.close()
