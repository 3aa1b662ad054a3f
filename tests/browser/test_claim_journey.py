"""A supply-cover claim from start to finance's workbook in a real browser (SPEC 3.7): a school's booker starts a claim,
adds the invoice for a day before the scheme, checks the answers and submits; finance open the submitted claims from
their dashboard, approve it and download the fund's claims workbook, which holds the claim. Check your answers is
photographed at 1280 and 390 px (kept in the test's folder, one pair copied to /tmp/shots); axe-core on each page."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import live_cli, sign_in
from training_app.services.common.calendar import financial_year_label, financial_year_of, london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

PASSWORD = "journey claims password"
BOOKER = "bursar@journey-school.example"
FINANCE = "budget@journey-council.example"
SHOTS = Path("/tmp/shots")  # noqa: S108 (where the lead looks at the screenshots, as asked)


def _days(today: date) -> tuple[date, date]:
    """Two past days in one financial year: the first before the scheme starts (it needs an invoice), then its start."""
    second = today - timedelta(days=14)
    first = max(second - timedelta(days=7), date(financial_year_of(second), 4, 1))
    return first, max(second, first + timedelta(days=1))


def _csvs(first: date, second: date) -> dict[str, str]:
    """A school whose teacher attended a day before the scheme and whose teaching assistant attended one after."""
    return {
        "authorities": "code,name,partner,display_order\nJRN-SHIRE,Journey Shire,yes,31\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        "JRN-SCH,Journey Primary School,school,JRN-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        "tom@journey-school.example,Tom,Teacher,Class teacher,JRN-SCH,3,JRN-SHIRE,teacher\n"
        "ada@journey-school.example,Ada,Assistant,Teaching assistant,JRN-SCH,3,JRN-SHIRE,teaching_assistant\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "JRN-CAF,Journey CAF course,caf_practitioner,,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"JRN-ONE,JRN-CAF,{first.isoformat()},09:30,16:00,,10,JRN-SHIRE,,completed\n"
        f"JRN-TWO,JRN-CAF,{second.isoformat()},09:30,16:00,,10,JRN-SHIRE,,completed\n",
        "bookings": "session,practitioner,status\n"
        "JRN-ONE,tom@journey-school.example,attended\nJRN-TWO,ada@journey-school.example,attended\n",
    }


@pytest.fixture
def journey(live_server, tmp_path):
    """The school, its booker, finance, and the fund of the days' year (set through the API by finance)."""
    first, second = _days(london_today())
    for kind, text in _csvs(first, second).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    live_cli(
        "users", "create", "--email", BOOKER, "--role", "booker", "--organisation", "JRN-SCH", stdin=PASSWORD + "\n"
    )
    live_cli("users", "create", "--email", FINANCE, "--role", "finance", stdin=PASSWORD + "\n")
    token = live_cli("users", "token", "--email", FINANCE).strip().splitlines()[-1]
    year = financial_year_of(second)
    deadline = date(year + 1, 4, 30)
    fund = {"amount_pence": 6_000_000, "scheme_start": second.isoformat(), "claim_deadline": deadline.isoformat()}
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        f"{live_server}/api/v1/funds/{year}",
        data=json.dumps(fund).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
        assert response.status in (200, 201)
    return {"url": live_server, "year": year, "label": financial_year_label(year), "deadline": deadline, "first": first}


def _signed_in(browser, url: str, email: str, width: int = 1280):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, email, PASSWORD)
    page.wait_for_url(url + "/")
    return context, page


def _fits(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} px wide on a {widths[1]} px screen"


def test_a_booker_claims_through_check_your_answers_and_finance_approve_and_download_it(journey, browser, tmp_path):
    url, label = journey["url"], journey["label"]
    context, page = _signed_in(browser, url, BOOKER)
    page.get_by_role("link", name="Claims").first.click()
    row = page.get_by_role("row", name=re.compile(rf"^{label}"))
    assert "£250.00 for 2 days" in row.inner_text() and long_date(journey["deadline"]) in row.inner_text()
    violations = _serious_violations(page)
    page.get_by_role("button", name=f"Start a claim for {label}").click()
    page.wait_for_url(f"{url}/claims/*")
    claim_url = page.url
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 supply invoice")
    page.get_by_label(f"Tom Teacher, {long_date(journey['first'])} (JRN-ONE)").check()
    page.get_by_label("Supplier").fill("County Supply Pool")
    page.get_by_label("Invoice reference").fill("INV-J-001")
    page.get_by_label("Invoice amount in pounds").fill("150.00")
    page.get_by_label("Upload the invoice").set_input_files(str(invoice))
    page.get_by_role("button", name="Add evidence").click()
    assert "Evidence added" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Check and submit claim to finance").click()
    page.wait_for_url(claim_url + "/check-your-answers")
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your claim")
    summary = page.locator(".govuk-summary-list").first.inner_text()
    assert "Journey Primary School (JRN-SCH)" in summary and "£220.00" in summary  # £150 invoice + £70 for a TA day
    assert long_date(journey["deadline"]) in summary
    days = page.locator(".govuk-summary-list").nth(1).inner_text()
    assert f"{long_date(journey['first'])}, Tom Teacher" in days
    assert "invoice INV-J-001 from County Supply Pool for £150.00 (the rate is £180.00)" in days
    assert "Teaching assistant, day (JRN-TWO): £70.00" in days
    violations += _serious_violations(page)
    page.screenshot(path=tmp_path / "claims-check-answers-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page)
    page.screenshot(path=tmp_path / "claims-check-answers-390.png", full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        shutil.copy(tmp_path / f"claims-check-answers-{width}.png", SHOTS / f"claims-check-answers-{width}.png")
    page.get_by_role("button", name="Submit claim").click()
    assert "Claim submitted to finance." in page.locator(".govuk-notification-banner").inner_text()
    assert page.url == claim_url
    context.close()

    context, page = _signed_in(browser, url, FINANCE)
    page.get_by_role("link", name=re.compile(r"^\d+ submitted claims?$")).click()
    assert page.url.endswith("/claims?status=submitted")
    violations += _serious_violations(page)
    page.get_by_role("row", name=re.compile("Journey Primary School")).get_by_role(
        "link", name=re.compile("^Claim")
    ).click()
    assert page.url == claim_url
    page.get_by_role("button", name="Approve claim").click()
    assert "Claim approved." in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"{url}/finance/funds/{journey['year']}")
    violations += _serious_violations(page)
    page.screenshot(path=tmp_path / "claims-fund-1280.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the {label} claims workbook (.xlsx)").click()
    assert download.value.suggested_filename == f"claims-{label}.xlsx"
    saved = tmp_path / "claims.xlsx"
    download.value.save_as(saved)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "claims-fund-390.png", full_page=True)
    for width in (1280, 390):
        shutil.copy(tmp_path / f"claims-fund-{width}.png", SHOTS / f"claims-fund-{width}.png")
    context.close()

    workbook = openpyxl.load_workbook(saved, read_only=True)
    lines = list(workbook["Lines"].iter_rows(values_only=True))[1:]
    claim_id = int(claim_url.rsplit("/", 1)[1])
    assert sorted((row[0], row[1], row[2], row[5], row[15]) for row in lines) == [
        (claim_id, "Approved", "JRN-SCH", "Ada Assistant", 70),
        (claim_id, "Approved", "JRN-SCH", "Tom Teacher", 150),
    ]
    schools = [row for row in workbook["Allocation"].iter_rows(values_only=True) if row and row[0] == "JRN-SCH"]
    assert schools == [("JRN-SCH", "Journey Primary School", 220, 220, 0)]
    assert violations == []
