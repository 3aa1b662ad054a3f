"""Supply-cover claims in a real browser: a school claims with an uploaded invoice, finance approve, and the
allocation page shows the payment; axe-core on each page."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import live_cli, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "browser claims password"
BOOKER = "bursar@claims-school.example"
FINANCE = "budget@claims-council.example"
CSVS = {
    "authorities": "code,name,partner,display_order\nCLAIM-SHIRE,Claims Shire,yes,9\n",
    "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
    "CLAIM-SCH,Claims Primary School,school,CLAIM-SHIRE,,,,,no\n",
    "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
    "tess@claims-school.example,Tess,Teacher,Class teacher,CLAIM-SCH,3,CLAIM-SHIRE,teacher\n",
    "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
    "CLAIM-CAF,Claims CAF course,caf_practitioner,,no,\n",
    "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
    "CLAIM-AUG,CLAIM-CAF,2007-08-20,09:30,16:00,,10,CLAIM-SHIRE,,completed\n"
    "CLAIM-OCT,CLAIM-CAF,2007-10-10,09:00,12:00,,10,CLAIM-SHIRE,,completed\n",
    "bookings": "session,practitioner,status\n"
    "CLAIM-AUG,tess@claims-school.example,attended\nCLAIM-OCT,tess@claims-school.example,attended\n",
}
# The deadline is checked against today's date: this 2007-08 fund is still open for claims.
FUND = {"amount_pence": 50_000, "scheme_start": "2007-09-01", "claim_deadline": "2099-04-30"}


@pytest.fixture
def claim_world(live_server, tmp_path):
    """A school whose teacher attended a day before the scheme and a morning after it, a fund, a booker, finance."""
    for kind, text in CSVS.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    live_cli(
        "users", "create", "--email", BOOKER, "--role", "booker", "--organisation", "CLAIM-SCH", stdin=PASSWORD + "\n"
    )
    live_cli("users", "create", "--email", FINANCE, "--role", "finance", stdin=PASSWORD + "\n")
    token = live_cli("users", "token", "--email", FINANCE).strip().splitlines()[-1]
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        live_server + "/api/v1/funds/2007",
        data=json.dumps(FUND).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
        assert response.status in (200, 201)
    return live_server


def _signed_in(browser, url: str, email: str):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})  # axe is injected inline
    page = context.new_page()
    sign_in(page, url, email, PASSWORD)
    page.wait_for_url(url + "/")
    return context, page


def test_a_school_claims_with_an_invoice_and_finance_approve_it(claim_world, browser, tmp_path):
    url = claim_world
    context, page = _signed_in(browser, url, BOOKER)
    page.get_by_role("link", name="Claims").first.click()
    expect(page.locator("h1")).to_have_text("Supply-cover claims")
    assert "£270.00 for 2 days" in page.locator("table").first.inner_text()  # at the rates; one waits for an invoice
    violations = _serious_violations(page)
    page.get_by_role("button", name="Start a claim for 2007-08").click()
    page.wait_for_url(f"{url}/claims/*")
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 supply invoice")
    page.get_by_label("Tess Teacher, 20 August 2007 (CLAIM-AUG)").check()
    page.get_by_label("Supplier").fill("County Supply Pool")
    page.get_by_label("Invoice reference").fill("INV-2007-081")
    page.get_by_label("Invoice amount in pounds").fill("150.00")
    page.get_by_label("Upload the invoice").set_input_files(str(invoice))
    page.get_by_role("button", name="Add evidence").click()
    banner = page.locator(".govuk-notification-banner")
    assert "Evidence added" in banner.inner_text()
    assert "£240.00 for 2 days" in page.locator(".govuk-summary-list").inner_text()
    violations += _serious_violations(page)
    page.get_by_role("link", name="Check and submit claim to finance").click()
    page.get_by_role("button", name="Submit claim").click()
    assert "Claim submitted to finance." in page.locator(".govuk-notification-banner").inner_text()
    context.close()

    context, page = _signed_in(browser, url, FINANCE)
    page.goto(url + "/finance")
    violations += _serious_violations(page)
    page.get_by_role("link", name=re.compile(r"^Claim \d+$")).first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="invoice.pdf").click()
    assert download.value.suggested_filename == "invoice.pdf"
    page.get_by_role("button", name="Approve claim").click()
    assert "Claim approved." in page.locator(".govuk-notification-banner").inner_text()
    page.goto(url + "/finance/funds/2007/allocation")
    school = page.get_by_role("row", name="Claims Primary School (CLAIM-SCH)")
    assert school.inner_text().split("\t")[1:3] == ["£240.00", "£240.00"]
    assert "£260.00" in page.locator(".govuk-summary-list").inner_text()  # remaining of the £500.00 fund
    violations += _serious_violations(page)
    context.close()
    assert violations == []
