"""A register in a real browser: a trainer marks a two-day register, the school's booker downloads the certificate,
and the public verification page confirms it; axe-core on each page."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, LIVE_ENV, ROOT
from tests.browser.test_awareness_pages import _serious_violations
from training_app.services.calendar import london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

PASSWORD = "browser register password"
BOOKER = "office@register-school.example"


def _flask(*args: str, stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "flask", "--app", "training_app", *args]
    done = subprocess.run(command, cwd=ROOT, env=LIVE_ENV, input=stdin, text=True, capture_output=True, check=True)
    return done.stdout


@pytest.fixture
def register_world(live_server, tmp_path):
    """A two-day session that began yesterday, Ann and Bob of one school booked on it, and the school's booker."""
    today = london_today()
    yesterday = today - timedelta(days=1)
    csvs = {
        "authorities": "code,name,partner,display_order\nREG-SHIRE,Register Shire,yes,11\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "REG-SCH,Register Primary School,school,REG-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "ann@register-school.example,Ann,Able,Teacher,REG-SCH,3,REG-SHIRE,teacher\n"
        "bob@register-school.example,Bob,Bell,Teaching assistant,REG-SCH,3,REG-SHIRE,teaching_assistant\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "REG-CAF,Register CAF course,caf_practitioner,36,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"REG-TWO,REG-CAF,{yesterday.isoformat()},09:30,16:00,,10,REG-SHIRE,,scheduled\n"
        f"REG-TWO,REG-CAF,{today.isoformat()},09:30,16:00,,10,REG-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n"
        "REG-TWO,ann@register-school.example,booked\nREG-TWO,bob@register-school.example,booked\n",
    }
    for kind, text in csvs.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        _flask("import", kind, str(path))
    _flask("users", "create", "--email", BOOKER, "--role", "booker", "--organisation", "REG-SCH", stdin=PASSWORD + "\n")
    return live_server, [long_date(yesterday), long_date(today)]


def _signed_in(browser, url: str, email: str, password: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # axe is injected inline
    page = context.new_page()
    page.goto(url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")
    return context, page


def test_a_trainer_marks_a_two_day_register_and_the_certificate_verifies(register_world, browser):
    url, (first, second) = register_world
    context, page = _signed_in(browser, url, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    page.goto(url + "/sessions/REG-TWO")
    page.get_by_role("link", name="Register for session REG-TWO").click()
    assert page.locator("h1").inner_text() == "Register for REG-TWO"
    violations = _serious_violations(page)
    page.get_by_role("group", name=f"Ann Able on {first}").get_by_label("Attended").check()
    page.get_by_role("group", name=f"Ann Able on {second}").get_by_label("Attended").check()
    page.get_by_role("group", name=f"Bob Bell on {first}").get_by_label("Partial").check()
    page.get_by_label(f"Time Bob Bell arrived or left on {first} (HH:MM)").fill("1O:30")  # a letter O: refused
    page.get_by_role("button", name="Save the register").click()
    summary = page.locator(".govuk-error-summary")
    assert "Time must be written HH:MM" in summary.inner_text()
    violations += _serious_violations(page)
    page.get_by_label(f"Time Bob Bell arrived or left on {first} (HH:MM)").fill("10:30")
    page.get_by_role("button", name="Save the register").click()
    banner = page.locator(".govuk-notification-banner")
    assert "3 marks saved. Completed, with a certificate: Ann Able." in banner.inner_text()
    context.close()

    context, page = _signed_in(browser, url, BOOKER, PASSWORD)
    page.goto(url + "/practitioners/ann@register-school.example/training-records")
    violations += _serious_violations(page)
    link = page.get_by_role("link", name="Download CERT-")
    number = link.inner_text().split()[1]
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"certificate-{number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    context.close()

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{url}/certificates/{number}")
    assert "This certificate is genuine and current" in page.locator(".govuk-panel").inner_text()
    details = page.locator(".govuk-summary-list").inner_text()
    assert "Ann Able" in details and "Register CAF course" in details and second in details
    violations += _serious_violations(page)
    context.close()
    assert violations == []
