"""Claim pages: a school's view, a draft with an uploaded invoice, finance's decision and the allocation page."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from
from tests.web.helpers import signed_in, title_of
from training_app.extensions import db
from training_app.models import Claim, ClaimStatus, CoverCategory, OrganisationKind, Role

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user


@pytest.fixture
def school_world(app):
    """A school whose teacher attended a day in term and one before the scheme, a fund, and the users."""
    with app.app_context():
        school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")
        make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-B")
        teacher = make_practitioner(school, first_name="Tess", last_name="Teacher", cover=CoverCategory.TEACHER)
        make_attendance(teacher, [date(2007, 10, 10)], code="S-OCT")
        make_attendance(teacher, [date(2007, 8, 20)], code="S-AUG")
        make_fund(2007, amount_pence=15_400_000, scheme_start=date(2007, 9, 1), contributions=[("Schools", 236)])
        emails = {
            "booker": make_user(Role.BOOKER, organisation=school).email,
            "finance": make_user(Role.FINANCE).email,
            "other": make_user(Role.BOOKER).email,
        }
        db.session.commit()
    return emails


def token(client, path):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def test_a_school_claims_with_an_uploaded_invoice_and_finance_approve_it(app, client, school_world):
    signed_in(client, school_world["booker"])
    page = client.get("/claims").get_data(as_text=True)
    assert "£360.00 for 2 days" in page and "1 need an invoice" in page
    response = client.post("/claims/new", data={"csrf_token": token(client, "/claims"), "financial_year": "2007"})
    assert response.status_code == 302
    claim_url = response.headers["Location"]
    page = client.get(claim_url).get_data(as_text=True)
    assert "£180.00 for 1 day" in page and "Days waiting for an invoice" in page
    mark_id = re.search(r'name="line"[^>]*value="(\d+)"', page).group(1)
    evidence = {"csrf_token": csrf_token_from(page), "line": mark_id, "supplier": "Supply Co", "invoice": "INV-7"}
    bad = client.post(f"{claim_url}/evidence", data={**evidence, "amount": "-5", "file": (io.BytesIO(b"MZ"), "x.exe")})
    assert bad.status_code == 422
    assert title_of(bad).startswith("Error:")
    assert "The invoice amount must be an amount in pounds" in bad.get_data(as_text=True)
    not_pdf = client.post(
        f"{claim_url}/evidence", data={**evidence, "amount": "150.00", "file": (io.BytesIO(b"MZ"), "x.pdf")}
    )
    assert "The selected file must be a PDF, PNG or JPEG" in not_pdf.get_data(as_text=True)
    pdf = (io.BytesIO(b"%PDF-1.4 invoice"), "invoice.pdf")
    added = client.post(f"{claim_url}/evidence", data={**evidence, "amount": "150.00", "file": pdf})
    assert added.status_code == 302
    page = client.get(claim_url).get_data(as_text=True)
    assert "£330.00 for 2 days" in page
    file_url = re.search(r'href="(/claims/\d+/files/\d+)"', page).group(1)
    download = client.get(file_url)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == b"%PDF-1.4 invoice"
    client.post(f"{claim_url}/submit", data={"csrf_token": csrf_token_from(page)})

    other = app.test_client()
    signed_in(other, school_world["other"])
    assert other.get(claim_url).status_code == 403
    assert other.get(file_url).status_code == 403

    finance = app.test_client()
    signed_in(finance, school_world["finance"])
    assert "Claims to decide" in finance.get("/finance").get_data(as_text=True)
    assert finance.get(file_url).data == b"%PDF-1.4 invoice"
    finance.post(f"{claim_url}/approve", data={"csrf_token": token(finance, claim_url)})
    with app.app_context():
        assert db.session.get(Claim, int(claim_url.rsplit("/", 1)[1])).status == ClaimStatus.APPROVED
    allocation = finance.get("/finance/funds/2007/allocation").get_data(as_text=True)
    assert "Alpha Primary (SCH-A)" in allocation and "£330.00" in allocation
    assert "£153,670.00" in allocation  # remaining: £154,000 - £330


def test_finance_reject_with_a_reason_or_see_the_error_summary(app, client, school_world):
    signed_in(client, school_world["booker"])
    response = client.post("/claims/new", data={"csrf_token": token(client, "/claims"), "financial_year": "2007"})
    claim_url = response.headers["Location"]
    client.post(f"{claim_url}/submit", data={"csrf_token": token(client, claim_url)})
    finance = app.test_client()
    signed_in(finance, school_world["finance"])
    empty = finance.post(f"{claim_url}/reject", data={"csrf_token": token(finance, claim_url), "reason": ""})
    assert empty.status_code == 422 and "Enter the reason for rejecting the claim" in empty.get_data(as_text=True)
    finance.post(f"{claim_url}/reject", data={"csrf_token": token(finance, claim_url), "reason": "Wrong days"})
    page = finance.get(claim_url).get_data(as_text=True)
    assert "Wrong days" in page and "Rejected" in page
    again = client.post(f"{claim_url}/approve", data={"csrf_token": token(client, claim_url)})
    assert again.status_code == 403


def test_a_missing_fund_or_claim_is_404(client, school_world):
    signed_in(client, school_world["finance"])
    assert client.get("/finance/funds/2011/allocation").status_code == 404
    assert client.get("/claims/999").status_code == 404


def test_finance_set_up_and_change_a_fund_with_its_rates_and_contributions(app, client, school_world):
    signed_in(client, school_world["finance"])
    form = client.get("/finance/funds/new").get_data(as_text=True)
    assert 'value="90.00"' in form and 'value="35.00"' in form  # the default rate card
    data = [
        ("csrf_token", csrf_token_from(form)),
        ("financial_year", "2026"),
        ("amount", "60,000.00"),
        ("teacher_half_day", "95.00"),
        ("teacher_day", "190"),
        ("teaching_assistant_half_day", "35.00"),
        ("teaching_assistant_day", "70.00"),
        ("contributions", "Schools, 236000.00\nCouncil, 50000"),
    ]
    data += [("scheme_start", "1"), ("scheme_start", "4"), ("scheme_start", "2026")]
    data += [("claim_deadline", "31"), ("claim_deadline", "3"), ("claim_deadline", "2026")]
    refused = client.post("/finance/funds/new", data=MultiDict(data))
    assert refused.status_code == 422
    assert "The claim deadline must be after the scheme start" in refused.get_data(as_text=True)
    data = [item for item in data if item != ("claim_deadline", "2026")] + [("claim_deadline", "2027")]
    saved = client.post("/finance/funds/new", data=MultiDict(data))
    assert saved.status_code == 302
    page = client.get("/finance").get_data(as_text=True)
    assert "2026-27: £60,000.00" in page and "£95.00" in page and "£236,000.00" in page
    edit = client.get("/finance/funds/2026/edit").get_data(as_text=True)
    assert "Schools, 236000.00" in edit and 'value="60000.00"' in edit
