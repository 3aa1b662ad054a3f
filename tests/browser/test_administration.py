"""Administration in a real browser: importing reference data with a bad line, inviting a booker who sets a
password from the emailed link and sees only their school; axe-core on every new page."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, LIVE_PATHS, sign_in

pytestmark = pytest.mark.browser

BOOKER = "office@oakfield.example"
BOOKER_PASSWORD = "blue kettle autumn river"
AUTHORITIES_BAD = "code,name,partner,display_order\nLEICESTER,Leicester,yes,1\nRUTLAND,Rutland,sometimes,2\n"
AUTHORITIES_GOOD = "code,name,partner,display_order\nLEICESTER,Leicester,yes,1\nRUTLAND,Rutland,yes,2\n"
ORGANISATIONS = (
    "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
    "SCH001,Oakfield Primary School,school,LEICESTER,,,,,no\n"
    "SCH002,Brook Hill Academy,school,RUTLAND,,,,,no\n"
)


def _sign_in(page, base_url: str, email: str, password: str) -> None:
    sign_in(page, base_url, email, password)


def _upload(page, tmp_path: Path, kind_label: str, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.get_by_label("What the file holds").select_option(label=kind_label)
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def _link_emailed_to(address: str) -> str:
    for path in sorted(LIVE_PATHS["outbox"].glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    raise AssertionError(f"no email to {address}")


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})  # axe is injected inline
    yield context.new_page()
    context.close()


def test_an_admin_imports_with_a_bad_line_then_invites_a_booker_who_sees_only_their_school(
    live_server, axe_page, tmp_path
):
    page, problems = axe_page, []
    _sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)

    page.get_by_role("link", name="Imports").click()
    expect(page.locator("h1")).to_have_text("Import records")
    problems += _serious_violations(page)
    _upload(page, tmp_path, "Authorities", AUTHORITIES_BAD, "authorities.csv")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "1 error in the authorities file: nothing has been imported" in summary
    assert "partner" in page.locator("#import-errors").inner_text()
    problems += _serious_violations(page)
    _upload(page, tmp_path, "Authorities", AUTHORITIES_GOOD, "authorities.csv")
    expect(page.locator("h1")).to_have_text("Check the import")
    assert page.locator("#will-create").inner_text() == "2"
    problems += _serious_violations(page)
    page.get_by_role("button", name="Import").click()
    assert "Authorities: 2 created, 0 updated." in page.locator(".govuk-notification-banner").inner_text()
    _upload(page, tmp_path, "Organisations", ORGANISATIONS, "organisations.csv")
    page.get_by_role("button", name="Import").click()
    assert "Organisations: 2 created" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="Organisations").click()
    page.get_by_label("Search").fill("oakfield")
    page.get_by_role("button", name="Search").click()
    assert "Brook Hill Academy" not in page.locator("main").inner_text()
    problems += _serious_violations(page)
    page.get_by_role("link", name="SCH001").click()
    expect(page.locator("h1")).to_have_text("Change an organisation")
    page.get_by_label("Kind").fill("castle")
    page.get_by_role("button", name="Save").click()
    assert "Kind:" in page.locator(".govuk-error-summary").inner_text()
    problems += _serious_violations(page)

    page.get_by_role("link", name="Users").click()
    problems += _serious_violations(page)
    page.get_by_role("button", name="Invite a user").click()
    page.get_by_role("button", name="Send invitation").click()  # nothing filled in
    assert "Enter an email address" in page.locator(".govuk-error-summary").inner_text()
    problems += _serious_violations(page)
    page.get_by_label("Email address").fill(BOOKER)
    page.get_by_label("Full name").fill("Oakfield Office")
    page.get_by_label("Booker (for one organisation)").check()
    page.get_by_label("Organisation code").fill("SCH001")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("h1")).to_have_text(BOOKER)
    problems += _serious_violations(page)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="User invited")).to_be_visible()
    problems += _serious_violations(page)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Token name").fill("Browser test")
    page.get_by_role("button", name="Create token").click()
    assert page.locator(".app-token").inner_text().startswith("tk_")
    problems += _serious_violations(page)
    page.get_by_role("button", name="Sign out").click()

    page.goto(_link_emailed_to(BOOKER))
    expect(page.locator("h1")).to_have_text("Set your password")
    problems += _serious_violations(page)
    page.get_by_label("New password", exact=True).fill("password123")
    page.get_by_label("Confirm new password").fill("password123")
    page.get_by_role("button", name="Set password").click()
    assert "too easy to guess" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("New password", exact=True).fill(BOOKER_PASSWORD)
    page.get_by_label("Confirm new password").fill(BOOKER_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    assert "Your password has been set" in page.locator(".govuk-notification-banner").inner_text()

    _sign_in(page, live_server, BOOKER, BOOKER_PASSWORD)
    expect(page.locator("h1")).to_have_text("Your organisation’s training")
    expect(page.locator("main")).to_contain_text("Oakfield Primary School")
    assert "Brook Hill Academy" not in page.content()
    assert page.get_by_role("link", name="Users").count() == 0
    assert page.goto(live_server + "/admin/users").status == 403

    page.goto(live_server + "/password-reset")
    problems += _serious_violations(page)
    assert problems == []
