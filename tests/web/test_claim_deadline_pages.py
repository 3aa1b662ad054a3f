"""Submitting a claim through "Check your answers", refused after the deadline, and finance's extensions on the fund's
and the school's pages (SPEC 3.7). Deadlines here are set around today's London date (the pages use the real clock)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from
from tests.web.helpers import signed_in, title_of
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Claim,
    ClaimDeadlineExtension,
    ClaimStatus,
    CoverCategory,
    Fund,
    OrganisationKind,
    Role,
)
from training_app.services.common.calendar import london_today

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user


def long(day: date) -> str:
    return f"{day:%-d %B %Y}"


def form_data(fields: dict, day: date) -> MultiDict:
    """The form's fields with the new deadline typed into its three boxes (one name, three values)."""
    return MultiDict([*fields.items(), *(("extended_to", str(part)) for part in (day.day, day.month, day.year))])


@pytest.fixture
def world(app):
    """A school whose teacher attended a day in term and one before the scheme, a 2007-08 fund, and every user."""
    with app.app_context():
        school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")
        make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-B", name="Beta Primary")
        teacher = make_practitioner(school, first_name="Tess", last_name="Teacher", cover=CoverCategory.TEACHER)
        make_attendance(teacher, [date(2007, 10, 10)], code="S-OCT")
        make_attendance(teacher, [date(2007, 8, 20)], code="S-AUG")
        make_fund(2007, scheme_start=date(2007, 9, 1))
        emails = {
            "booker": make_user(Role.BOOKER, organisation=school).email,
            "finance": make_user(Role.FINANCE, email="finance@council.example").email,
            "admin": make_user(Role.ADMIN).email,
            "coordinator": make_user(Role.COORDINATOR).email,
        }
        db.session.commit()
    return emails


def close_fund(app, deadline: date) -> None:
    with app.app_context():
        db.session.execute(sa.update(Fund).values(claim_deadline=deadline))
        db.session.commit()


def token(client, path):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def start_claim(client) -> str:
    response = client.post("/claims/new", data={"csrf_token": token(client, "/claims"), "financial_year": "2007"})
    assert response.status_code == 302
    return response.headers["Location"]


def status_of(app, claim_url: str) -> ClaimStatus:
    with app.app_context():
        return db.session.get(Claim, int(claim_url.rsplit("/", 1)[1])).status


def test_check_your_answers_shows_the_claim_and_its_submit_button_sends_it(app, client, world):
    signed_in(client, world["booker"])
    claim_url = start_claim(client)
    page = client.get(claim_url).get_data(as_text=True)
    mark_id = re.search(r'name="line"[^>]*value="(\d+)"', page).group(1)
    evidence = {"csrf_token": csrf_token_from(page), "line": mark_id, "supplier": "Supply Co", "invoice": "INV-7"}
    assert client.post(f"{claim_url}/evidence", data={**evidence, "amount": "150.00"}).status_code == 302
    page = client.get(claim_url).get_data(as_text=True)
    assert f'href="{claim_url}/check-your-answers"' in page and "Check and submit claim to finance" in page

    check = client.get(f"{claim_url}/check-your-answers")
    assert check.status_code == 200
    assert title_of(check).startswith("Check your answers before submitting claim")
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", check.get_data(as_text=True))))
    assert "Alpha Primary (SCH-A)" in text and "2007-08" in text
    assert "Claim deadline 30 April 2099" in text
    assert "20 August 2007, Tess Teacher" in text and "10 October 2007, Tess Teacher" in text
    assert "Teacher, day (S-OCT): £180.00" in text
    assert "invoice INV-7 from Supply Co for £150.00 (the rate is £180.00)" in text
    assert "Total £330.00" in text
    submitted = client.post(f"{claim_url}/submit", data={"csrf_token": csrf_token_from(check.get_data(as_text=True))})
    assert submitted.status_code == 302 and submitted.headers["Location"] == claim_url
    assert "Claim submitted to finance." in client.get(claim_url).get_data(as_text=True)
    assert status_of(app, claim_url) == ClaimStatus.SUBMITTED
    # Submitted: the check page sends the school back to the claim.
    assert client.get(f"{claim_url}/check-your-answers").headers["Location"] == claim_url


def test_after_the_deadline_the_page_refuses_to_submit_and_nothing_changes(app, client, world):
    signed_in(client, world["booker"])
    claim_url = start_claim(client)
    yesterday = london_today() - timedelta(days=1)
    close_fund(app, yesterday)
    page = client.get(claim_url).get_data(as_text=True)
    assert "claim deadline has passed, so this claim cannot be submitted" in page
    assert "Check and submit claim to finance" not in page
    check = client.get(f"{claim_url}/check-your-answers").get_data(as_text=True)
    assert "The deadline for this claim has passed" in check and ">Submit claim<" not in check

    refused = client.post(f"{claim_url}/submit", data={"csrf_token": csrf_token_from(check)})
    assert refused.status_code == 409
    assert title_of(refused).startswith("Error: Check your answers")
    body = html.unescape(refused.get_data(as_text=True))
    assert "govuk-error-summary" in body
    assert (
        f"The 2007-08 claim deadline for Alpha Primary was {long(yesterday)}, so the claim cannot be submitted." in body
    )
    assert status_of(app, claim_url) == ClaimStatus.DRAFT
    with app.app_context():
        assert db.session.scalars(sa.select(AuditEvent).filter_by(action="claim_submitted")).all() == []


def test_finance_extend_a_school_s_deadline_from_its_page_and_the_school_submits(app, client, world):
    signed_in(client, world["booker"])
    claim_url = start_claim(client)
    close_fund(app, london_today() - timedelta(days=1))
    finance = signed_in(app.test_client(), world["finance"])
    school_page = finance.get("/finance/schools/SCH-A").get_data(as_text=True)
    assert "Alpha Primary: supply-cover claims" in school_page and "Closed" in school_page
    form_url = "/finance/funds/2007/extensions/SCH-A"
    assert f'href="{form_url}"' in school_page
    form = finance.get(form_url)
    assert form.status_code == 200 and title_of(form).startswith("Extend Alpha Primary's deadline")
    csrf = csrf_token_from(form.get_data(as_text=True))
    today = london_today()
    bad = finance.post(form_url, data=form_data({"csrf_token": csrf, "reason": ""}, today))
    assert bad.status_code == 422 and "Enter the reason for the extension" in bad.get_data(as_text=True)
    granted = finance.post(form_url, data=form_data({"csrf_token": csrf, "reason": "Invoices lost in the post"}, today))
    assert granted.status_code == 302 and granted.headers["Location"] == "/finance/funds/2007"
    fund_page = html.unescape(finance.get("/finance/funds/2007").get_data(as_text=True))
    assert "Alpha Primary's 2007-08 claim deadline has been extended." in fund_page
    assert "Invoices lost in the post" in fund_page and "by finance@council.example" in fund_page
    assert long(today) in fund_page

    check = client.get(f"{claim_url}/check-your-answers").get_data(as_text=True)
    assert f"{long(today)} (extended by finance from" in html.unescape(check)
    assert client.post(f"{claim_url}/submit", data={"csrf_token": csrf_token_from(check)}).status_code == 302
    assert status_of(app, claim_url) == ClaimStatus.SUBMITTED


def test_finance_choose_the_school_on_the_fund_s_page_and_change_its_extension(app, world):
    close_fund(app, london_today() - timedelta(days=1))
    finance = signed_in(app.test_client(), world["finance"])
    fund_page = finance.get("/finance/funds/2007").get_data(as_text=True)
    assert "No school has an extension." in fund_page and 'href="/finance/funds/2007/extensions/new"' in fund_page
    form = finance.get("/finance/funds/2007/extensions/new").get_data(as_text=True)
    assert "Beta Primary (SCH-B)" in form
    later = london_today() + timedelta(days=30)
    data = {"csrf_token": csrf_token_from(form), "reason": "Head was away"}
    no_school = finance.post("/finance/funds/2007/extensions/new", data=form_data({**data, "school": ""}, later))
    assert no_school.status_code == 422 and "Choose a school" in no_school.get_data(as_text=True)
    chosen = finance.post("/finance/funds/2007/extensions/new", data=form_data({**data, "school": "SCH-B"}, later))
    assert chosen.status_code == 302, re.findall(r"govuk-error-message.*?</p>", chosen.get_data(as_text=True), re.S)
    change = finance.get("/finance/funds/2007/extensions/SCH-B")
    assert title_of(change).startswith("Change the extension for Beta Primary")
    assert "Head was away" in change.get_data(as_text=True)
    finance.post("/finance/funds/2007/extensions/SCH-B", data=form_data({**data, "reason": "Head still away"}, later))
    with app.app_context():
        held = db.session.scalars(sa.select(ClaimDeadlineExtension)).one()
        assert (held.extended_to, held.reason) == (later, "Head still away")


@pytest.mark.parametrize("who", ["booker", "admin", "coordinator"])
def test_only_finance_extend_a_deadline(app, world, who):
    client = signed_in(app.test_client(), world[who])
    for url in ("/finance/funds/2007/extensions/new", "/finance/funds/2007/extensions/SCH-A"):
        assert client.get(url).status_code == 403
        data = form_data({"csrf_token": token(client, "/"), "reason": "Please", "school": "SCH-A"}, date(2099, 5, 1))
        assert client.post(url, data=data).status_code == 403
    with app.app_context():
        assert db.session.scalars(sa.select(ClaimDeadlineExtension)).all() == []


def test_a_school_that_does_not_exist_has_no_page(app, world):
    finance = signed_in(app.test_client(), world["finance"])
    assert finance.get("/finance/schools/NO-SUCH").status_code == 404
    assert finance.get("/finance/funds/2007/extensions/NO-SUCH").status_code == 404
