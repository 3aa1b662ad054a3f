"""A register in a real browser (issue 8's acceptance): a trainer of the session marks a two-day register, the
practitioner downloads their certificate, the public verification page confirms it, and a workforce lead downloads
the trained-by-area workbook, which the test opens to check its numbers; axe-core on each page."""

from __future__ import annotations

from datetime import date, timedelta

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, live_cli, sign_in
from training_app.services.common.calendar import london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

PASSWORD = "browser register password"
ANN = "ann@register-school.example"
TRAINER = "tess@register-team.example"
LEAD = "lead@register-shire.example"


def _world_csvs(yesterday: date, today: date, coming: date) -> dict[str, str]:
    """Register Shire's school: Ann, Bob and Cat (who works for Register Town too) booked on a two-day session that
    began yesterday; Dan trained in 2020; Eve (Register Town only) booked on a coming session; Tess, who trains."""
    return {
        "authorities": "code,name,partner,display_order\n"
        "REG-SHIRE,Register Shire,yes,11\nREG-TOWN,Register Town,yes,12\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "REG-SCH,Register Primary School,school,REG-SHIRE,,,,,no\n"
        "REG-TEAM,Register Training Team,social_care,REG-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        f"{ANN},Ann,Able,Teacher,REG-SCH,3,REG-SHIRE,teacher\n"
        "bob@register-school.example,Bob,Bell,Teaching assistant,REG-SCH,3,REG-SHIRE,teaching_assistant\n"
        "cat@register-school.example,Cat,Cole,Teacher,REG-SCH,3,REG-SHIRE;REG-TOWN,teacher\n"
        "dan@register-school.example,Dan,Dee,Teacher,REG-SCH,3,REG-SHIRE,teacher\n"
        "eve@register-school.example,Eve,Ely,Teacher,REG-SCH,3,REG-TOWN,teacher\n"
        f"{TRAINER},Tess,Trainer,Trainer,REG-TEAM,5,REG-SHIRE,none\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "REG-CAF,Register CAF course,caf_practitioner,36,yes,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"REG-TWO,REG-CAF,{yesterday.isoformat()},09:30,16:00,,10,REG-SHIRE,,scheduled\n"
        f"REG-TWO,REG-CAF,{today.isoformat()},09:30,16:00,,10,REG-SHIRE,,scheduled\n"
        f"REG-NEXT,REG-CAF,{coming.isoformat()},09:30,16:00,,12,REG-SHIRE,,scheduled\n",
        "bookings": "session,practitioner,status\n"
        f"REG-TWO,{ANN},booked\nREG-TWO,bob@register-school.example,booked\n"
        "REG-TWO,cat@register-school.example,booked\nREG-NEXT,eve@register-school.example,booked\n",
        "training-records": "practitioner,course,completed_on\ndan@register-school.example,REG-CAF,2020-03-02\n",
    }


@pytest.fixture
def register_world(live_server, tmp_path):
    """The data above through the import command; accounts for Ann, Tess and Register Shire's workforce lead."""
    today = london_today()
    coming = today + timedelta(days=21)
    for kind, text in _world_csvs(today - timedelta(days=1), today, coming).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    for email in (ANN, TRAINER):  # practitioners' accounts join the practitioner record with their email
        live_cli("users", "create", "--email", email, "--role", "practitioner", stdin=PASSWORD + "\n")
    live_cli(
        "users",
        "create",
        "--email",
        LEAD,
        "--role",
        "workforce_lead",
        "--authority",
        "REG-SHIRE",
        stdin=PASSWORD + "\n",
    )
    return live_server, today, coming


def _signed_in(browser, url: str, email: str, password: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # axe is injected inline
    page = context.new_page()
    sign_in(page, url, email, password)
    page.wait_for_url(url + "/")
    return context, page


def _coordinator_makes_tess_a_trainer_of_the_session(browser, url: str) -> None:
    """The trainers page links Tess's account (by its email); the session's form gives her the session."""
    context, page = _signed_in(browser, url, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    page.goto(url + "/sessions/trainers")
    page.get_by_label("Name").fill("Tess Trainer")
    page.get_by_label("Email address").fill(TRAINER)
    page.get_by_role("button", name="Add trainer").click()
    assert "Tess Trainer has been added as a trainer." in page.locator(".govuk-notification-banner").inner_text()
    page.goto(url + "/sessions/REG-TWO")
    page.get_by_role("link", name="Change session REG-TWO").click()
    page.get_by_label("Tess Trainer").check()
    page.get_by_role("button", name="Save session").click()
    # The answer is the session's page, or the form again with a warning to confirm (e.g. a bank holiday): wait for
    # one of them before asking which, or the question reads the page the click is still leaving.
    save_anyway = page.get_by_role("button", name="Save anyway")
    expect(page.get_by_role("link", name="Change session REG-TWO").or_(save_anyway)).to_be_visible()
    if save_anyway.count():
        save_anyway.click()
    page.wait_for_url(url + "/sessions/REG-TWO")
    expect(page.locator("main")).to_contain_text("Tess Trainer")
    context.close()


def _trainer_marks_the_register(browser, url: str, first: str, second: str) -> list:
    """Tess follows her dashboard's link to the register she has to mark today."""
    context, page = _signed_in(browser, url, TRAINER, PASSWORD)
    violations = _serious_violations(page)
    expect(page.locator("main")).to_contain_text("Your registers to mark")
    page.get_by_role("link", name="Register for REG-TWO").click()
    expect(page.locator("h1")).to_have_text("Register for REG-TWO")
    violations += _serious_violations(page)
    for name in ("Ann Able", "Cat Cole"):
        for day in (first, second):
            page.get_by_role("group", name=f"{name} on {day}").get_by_label("Attended").check()
    page.get_by_role("group", name=f"Bob Bell on {first}").get_by_label("Partial").check()
    page.get_by_label(f"Time Bob Bell arrived or left on {first} (HH:MM)").fill("1O:30")  # a letter O: refused
    page.get_by_role("button", name="Save the register").click()
    summary = page.locator(".govuk-error-summary")
    assert "Time must be written HH:MM" in summary.inner_text()
    violations += _serious_violations(page)
    page.get_by_label(f"Time Bob Bell arrived or left on {first} (HH:MM)").fill("10:30")
    page.get_by_role("button", name="Save the register").click()
    banner = page.locator(".govuk-notification-banner")
    assert "5 marks saved. Completed, with a certificate: Ann Able, Cat Cole." in banner.inner_text()
    context.close()
    return violations


def _practitioner_downloads_her_certificate(browser, url: str) -> tuple[str, list]:
    """Ann follows her dashboard's link to her training records and downloads the certificate."""
    context, page = _signed_in(browser, url, ANN, PASSWORD)
    page.get_by_role("link", name="Your training records and certificates to download").click()
    violations = _serious_violations(page)
    link = page.get_by_role("link", name="Download CERT-")
    number = link.inner_text().split()[1]
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"certificate-{number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    context.close()
    return number, violations


def _lead_downloads_the_workbook(browser, url: str, today: date) -> tuple[list[tuple], list]:
    """The workforce lead opens the trained-by-area report and downloads its workbook; its By authority rows."""
    context, page = _signed_in(browser, url, LEAD, PASSWORD)
    page.goto(url + "/reports/trained-by-area")
    violations = _serious_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a spreadsheet (XLSX)").click()
    assert download.value.suggested_filename == f"trained-by-area-{today.isoformat()}.xlsx"
    with open(download.value.path(), "rb") as file:  # the download's path has no .xlsx for openpyxl to go by
        workbook = openpyxl.load_workbook(file, read_only=True)
        rows = [tuple(row) for row in workbook["By authority"].iter_rows(values_only=True)]
        workbook.close()
    context.close()
    return rows, violations


def test_a_trainer_marks_a_two_day_register_and_the_certificate_and_the_workbook_show_it(register_world, browser):
    url, today, coming = register_world
    first, second = long_date(today - timedelta(days=1)), long_date(today)
    _coordinator_makes_tess_a_trainer_of_the_session(browser, url)
    violations = _trainer_marks_the_register(browser, url, first, second)
    number, seen = _practitioner_downloads_her_certificate(browser, url)
    violations += seen

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{url}/certificates/{number}")
    assert "This certificate is genuine and current" in page.locator(".govuk-panel").inner_text()
    details = page.locator(".govuk-summary-list").inner_text()
    assert "Ann Able" in details and "Register CAF course" in details and second in details
    violations += _serious_violations(page)
    context.close()

    rows, seen = _lead_downloads_the_workbook(browser, url, today)
    violations += seen
    # Counted by hand: Ann (today) and Dan (2020) work for Register Shire alone; Cat for Shire and Town, so she is
    # counted once in their row; Bob's partial day leaves him untrained; Eve (Town alone) is not the lead's to see,
    # but her booking takes one of the coming session's 12 places.
    to_end, next_year = (11, 0) if coming.year == today.year else (0, 12)
    assert rows == [
        (
            "Authority",
            f"Staff trained to {today:%d/%m/%Y}",
            f"Spaces to end {today.year}",
            f"Spaces planned {today.year + 1}",
        ),
        ("Register Shire", 2, to_end, next_year),
        ("Register Shire and Register Town", 1, None, None),
        ("Total Number Trained", 3, None, None),
    ]
    assert violations == []
