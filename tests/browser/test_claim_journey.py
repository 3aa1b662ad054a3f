"""A supply-cover claim from start to finance's workbook in a real browser (SPEC 3.7), at 1280 px and at 390 px (a
phone): a school's booker starts a claim, adds the invoice for a day before the scheme, checks the answers and submits;
finance open the submitted claims from their dashboard, approve it and download the fund's claims workbook, which
holds the claim. Each width has a school, booker and finance account of its own (the Ash lane at 1280 px, the Birch
lane at 390 px), so the two runs neither depend on nor disturb each other. Every page is kept as a screenshot (in the
test's folder; check your answers and the fund's page also at /tmp/shots); on the phone no page scrolls sideways;
axe-core on each page.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import live_cli, sign_in
from training_app.services.common.calendar import financial_year_label, financial_year_of, london_today
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

PASSWORD = "journey claims password"
WIDTHS = (1280, 390)
LANES = {1280: "Ash", 390: "Birch"}  # whose school, booker and finance account the journey uses at each width
SHOTS = Path("/tmp/shots")  # noqa: S108 (where the lead looks at the screenshots, as asked)


@dataclass(frozen=True)
class Lane:
    """One width's school, the people who claim for it and the finance officer who approves."""

    width: int
    name: str

    @property
    def school_code(self) -> str:
        return f"JRN-{self.name.upper()}"

    @property
    def school(self) -> str:
        return f"{self.name} Journey Primary School"

    @property
    def booker(self) -> str:
        return f"bursar@{self.name.lower()}-journey-school.example"

    @property
    def finance(self) -> str:
        return f"budget.{self.name.lower()}@journey-council.example"

    def email(self, first: str) -> str:
        return f"{first.lower()}@{self.name.lower()}-journey-school.example"

    def session(self, number: str) -> str:
        return f"JRN-{self.name.upper()}-{number}"


def _days(today: date) -> tuple[date, date]:
    """Two past days in one financial year: the first before the scheme starts (it needs an invoice), then its start."""
    second = today - timedelta(days=14)
    first = max(second - timedelta(days=7), date(financial_year_of(second), 4, 1))
    return first, max(second, first + timedelta(days=1))


def _csvs(lane: Lane, first: date, second: date) -> dict[str, str]:
    """A school whose teacher attended a day before the scheme and whose teaching assistant attended one after."""
    one, two = lane.session("ONE"), lane.session("TWO")
    return {
        "authorities": "code,name,partner,display_order\nJRN-SHIRE,Journey Shire,yes,31\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        f"{lane.school_code},{lane.school},school,JRN-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        f"{lane.email('tom')},Tom,Teacher,Class teacher,{lane.school_code},3,JRN-SHIRE,teacher\n"
        f"{lane.email('ada')},Ada,Assistant,Teaching assistant,{lane.school_code},3,JRN-SHIRE,teaching_assistant\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "JRN-CAF,Journey CAF course,caf_practitioner,,no,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"{one},JRN-CAF,{first.isoformat()},09:30,16:00,,10,JRN-SHIRE,,completed\n"
        f"{two},JRN-CAF,{second.isoformat()},09:30,16:00,,10,JRN-SHIRE,,completed\n",
        "bookings": "session,practitioner,status\n"
        f"{one},{lane.email('tom')},attended\n{two},{lane.email('ada')},attended\n",
    }


@pytest.fixture(params=WIDTHS)
def journey(request, live_server, tmp_path):
    """The width's school, its booker, its finance officer, and the fund of the days' year (set through the API by
    finance; both widths set the same fund)."""
    lane = Lane(request.param, LANES[request.param])
    first, second = _days(london_today())
    for kind, text in _csvs(lane, first, second).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    organisation = ["--organisation", lane.school_code]
    live_cli("users", "create", "--email", lane.booker, "--role", "booker", *organisation, stdin=PASSWORD + "\n")
    live_cli("users", "create", "--email", lane.finance, "--role", "finance", stdin=PASSWORD + "\n")
    token = live_cli("users", "token", "--email", lane.finance).strip().splitlines()[-1]
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
    return {
        "url": live_server,
        "lane": lane,
        "year": year,
        "label": financial_year_label(year),
        "deadline": deadline,
        "first": first,
        "folder": tmp_path,
    }


@dataclass
class Trip:
    """A signed-in page at the journey's width; each page it reaches is checked (on a phone, that it does not scroll
    sideways; everywhere, axe-core's serious problems) and kept as a screenshot."""

    page: Page
    name: str
    width: int
    folder: Path
    shots: list[Path] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def look(self, step: str) -> Path:
        path = self.folder / f"{self.name}-{self.width}-{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        self.shots.append(path)
        widths = self.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{step}: {self.page.url} is {widths[0]} px wide on a {widths[1]} px screen"
        self.violations += _serious_violations(self.page)
        return path

    def menu(self, link: str) -> None:
        """Follow a link of the service navigation, opening the menu first on a phone."""
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible():
            toggle.click()
        self.page.get_by_role("navigation", name="Menu").get_by_role("link", name=link, exact=True).click()


def _signed_in(browser, journey: dict, email: str, name: str):
    width = journey["lane"].width
    viewport = {"width": width, "height": 900 if width > 640 else 844}
    context = browser.new_context(bypass_csp=True, viewport=viewport, accept_downloads=True)
    page = context.new_page()
    sign_in(page, journey["url"], email, PASSWORD)
    page.wait_for_url(journey["url"] + "/")
    return context, Trip(page, name, width, journey["folder"])


def _banner(page: Page):
    return page.locator(".govuk-notification-banner")


def test_a_booker_claims_through_check_your_answers_and_finance_approve_and_download_it(journey, browser):
    url, label, lane = journey["url"], journey["label"], journey["lane"]
    first, deadline = long_date(journey["first"]), long_date(journey["deadline"])
    context, trip = _signed_in(browser, journey, lane.booker, "booker-claims")
    page = trip.page
    trip.look("dashboard")
    trip.menu("Claims")
    expect(page.locator("h1")).to_have_text("Supply-cover claims")
    row = page.get_by_role("row", name=re.compile(rf"^{label}"))
    expect(row).to_contain_text("£250.00 for 2 days")
    expect(row).to_contain_text(deadline)
    trip.look("claims")
    page.get_by_role("button", name=f"Start a claim for {label}").click()
    page.wait_for_url(re.compile(rf"{re.escape(url)}/claims/\d+$"))
    claim_url = page.url
    expect(_banner(page)).to_contain_text(f"Draft claim {claim_url.rsplit('/', 1)[1]} started with 1 day.")
    expect(page.get_by_label(f"Tom Teacher, {first} ({lane.session('ONE')})")).to_be_visible()
    trip.look("draft")
    invoice = journey["folder"] / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 supply invoice")
    page.get_by_label(f"Tom Teacher, {first} ({lane.session('ONE')})").check()
    page.get_by_label("Supplier").fill("County Supply Pool")
    page.get_by_label("Invoice reference").fill("INV-J-001")
    page.get_by_label("Invoice amount in pounds").fill("150.00")
    page.get_by_label("Upload the invoice").set_input_files(str(invoice))
    page.get_by_role("button", name="Add evidence").click()
    expect(_banner(page)).to_contain_text("Evidence added")
    trip.look("evidence-added")

    page.get_by_role("link", name="Check and submit claim to finance").click()
    page.wait_for_url(claim_url + "/check-your-answers")
    expect(page.locator("h1")).to_have_text("Check your answers before submitting your claim")
    summary = page.locator(".govuk-summary-list").first
    expect(summary).to_contain_text(f"{lane.school} ({lane.school_code})")
    expect(summary).to_contain_text("£220.00")  # the £150 invoice and £70 for a teaching assistant's day
    expect(summary).to_contain_text(deadline)
    days = page.locator(".govuk-summary-list").nth(1)
    expect(days).to_contain_text(f"{first}, Tom Teacher")
    expect(days).to_contain_text("invoice INV-J-001 from County Supply Pool for £150.00 (the rate is £180.00)")
    expect(days).to_contain_text(f"Teaching assistant, day ({lane.session('TWO')}): £70.00")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(trip.look("check-your-answers"), SHOTS / f"claims-check-answers-{lane.width}.png")
    page.get_by_role("button", name="Submit claim").click()
    expect(_banner(page)).to_contain_text("Claim submitted to finance.")
    assert page.url == claim_url
    trip.look("submitted")
    context.close()

    context, finance = _signed_in(browser, journey, lane.finance, "finance-approves")
    page = finance.page
    finance.look("dashboard")
    page.get_by_role("link", name=re.compile(r"^\d+ submitted claims?$")).click()
    page.wait_for_url(re.compile(r".*/claims\?status=submitted$"))
    school_row = page.get_by_role("row", name=re.compile(lane.school))
    expect(school_row).to_contain_text("£220.00")
    finance.look("submitted-claims")
    school_row.get_by_role("link", name=re.compile("^Claim")).click()
    page.wait_for_url(claim_url)
    expect(page.get_by_role("button", name="Approve claim")).to_be_visible()
    finance.look("claim")
    page.get_by_role("button", name="Approve claim").click()
    expect(_banner(page)).to_contain_text("Claim approved.")
    finance.look("approved")
    finance.menu("Funds")
    expect(page.locator("h1")).to_have_text("Supply-cover funds")
    finance.look("funds")
    page.get_by_role("link", name=f"Claims and deadline extensions for {label}").click()
    expect(page.locator("h1")).to_have_text(f"{label} fund: claims and deadlines")
    shutil.copy(finance.look("fund"), SHOTS / f"claims-fund-{lane.width}.png")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the {label} claims workbook (.xlsx)").click()
    assert download.value.suggested_filename == f"claims-{label}.xlsx"
    saved = journey["folder"] / "claims.xlsx"
    download.value.save_as(saved)
    context.close()

    workbook = openpyxl.load_workbook(saved, read_only=True)
    lines = [row for row in workbook["Lines"].iter_rows(values_only=True) if row[2] == lane.school_code]
    claim_id = int(claim_url.rsplit("/", 1)[1])
    assert sorted((row[0], row[1], row[5], row[15]) for row in lines) == [
        (claim_id, "Approved", "Ada Assistant", 70),
        (claim_id, "Approved", "Tom Teacher", 150),
    ]
    schools = [row for row in workbook["Allocation"].iter_rows(values_only=True) if row and row[0] == lane.school_code]
    assert schools == [(lane.school_code, lane.school, 220, 220, 0)]
    assert trip.violations + finance.violations == []
