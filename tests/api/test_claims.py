"""Supply-cover claims in the API (SPEC 4.5): preview, create, the moves, the allocation, and who may do what."""

from __future__ import annotations

from datetime import date

import pytest

from training_app.extensions import db
from training_app.models import CoverCategory, OrganisationKind, Role

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner
from .helpers import bearer, user_with_token


@pytest.fixture
def world(app_ctx):
    """A school with a teacher who attended one day in term and one before the scheme, a fund, and tokens."""
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A")
    other = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-B")
    teacher = make_practitioner(school, email="t@alpha.example", cover=CoverCategory.TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)], code="S-OCT")
    make_attendance(teacher, [date(2007, 8, 20)], code="S-AUG")
    make_fund(2007, amount_pence=10000, scheme_start=date(2007, 9, 1))
    tokens = {}
    for name, role, scope in (
        ("booker", Role.BOOKER, {"organisation": school}),
        ("other", Role.BOOKER, {"organisation": other}),
        ("finance", Role.FINANCE, {}),
        ("admin", Role.ADMIN, {}),
        ("coordinator", Role.COORDINATOR, {}),
    ):
        tokens[name] = bearer(user_with_token(role, **scope)[1])
    db.session.commit()
    return tokens


def test_the_preview_lists_every_claimable_line_with_its_amount(client, world):
    response = client.get("/api/v1/claims/preview?financial_year=2007", headers=world["booker"])
    assert response.status_code == 200
    assert response.json == {
        "lines": [
            {
                "practitioner": "t@alpha.example",
                "session": "S-AUG",
                "date": "2007-08-20",
                "unit": "day",
                "category": "teacher",
                "retrospective": True,
                "amount_pence": 18000,
            },
            {
                "practitioner": "t@alpha.example",
                "session": "S-OCT",
                "date": "2007-10-10",
                "unit": "day",
                "category": "teacher",
                "retrospective": False,
                "amount_pence": 18000,
            },
        ],
        "total_pence": 36000,
    }
    finance = client.get("/api/v1/claims/preview?organisation=SCH-A&financial_year=2007", headers=world["finance"])
    assert finance.json == response.json


def test_another_schools_preview_and_claim_are_forbidden_and_a_missing_fund_is_404(client, world):
    url = "/api/v1/claims/preview?organisation=SCH-A&financial_year=2007"
    assert client.get(url, headers=world["other"]).status_code == 403
    assert client.get(url, headers=world["coordinator"]).status_code == 403
    body = {"organisation": "SCH-A", "financial_year": 2007}
    assert client.post("/api/v1/claims", headers=world["other"], json=body).status_code == 403
    missing = client.get("/api/v1/claims/preview?organisation=SCH-A&financial_year=2011", headers=world["finance"])
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_a_draft_holds_the_lines_and_lists_what_needs_evidence_then_moves_to_paid(client, world):
    response = client.post("/api/v1/claims", headers=world["booker"], json={"financial_year": 2007})
    assert response.status_code == 201
    claim = response.json
    assert (claim["status"], claim["total_pence"], len(claim["lines"])) == ("draft", 18000, 1)
    assert [line["date"] for line in claim["needs_evidence"]] == ["2007-08-20"]
    url = f"/api/v1/claims/{claim['id']}"
    assert client.post(f"{url}/approve", headers=world["finance"]).status_code == 409
    assert client.post(f"{url}/submit", headers=world["other"]).status_code == 403
    assert client.post(f"{url}/submit", headers=world["booker"]).json["status"] == "submitted"
    assert client.post(f"{url}/approve", headers=world["admin"]).status_code == 403
    assert client.post(f"{url}/approve", headers=world["booker"]).status_code == 403
    assert client.post(f"{url}/approve", headers=world["finance"]).json["status"] == "approved"
    assert client.post(f"{url}/reject", headers=world["finance"], json={"reason": "No"}).status_code == 409
    assert client.post(f"{url}/paid", headers=world["finance"]).json["status"] == "paid"
    assert client.get(url, headers=world["other"]).status_code == 403
    allocation = client.get("/api/v1/funds/2007/allocation", headers=world["finance"]).json
    # 18000 approved against a 10000 fund: the one school gets the whole fund.
    assert allocation["fund_pence"] == 10000
    assert allocation["schools"] == [
        {"organisation": "SCH-A", "approved_pence": 18000, "payable_pence": 10000, "paid_pence": 18000}
    ]


def test_evidence_puts_a_retrospective_line_on_at_the_lesser_of_rate_and_invoice(client, world):
    evidence = [
        {
            "practitioner": "t@alpha.example",
            "date": "2007-08-20",
            "supplier": "S",
            "invoice": "I",
            "amount_pence": 12345,
        }
    ]
    response = client.post(
        "/api/v1/claims", headers=world["booker"], json={"financial_year": 2007, "evidence": evidence}
    )
    assert response.status_code == 201
    assert response.json["total_pence"] == 18000 + 12345
    assert response.json["needs_evidence"] == []
    again = client.post("/api/v1/claims", headers=world["booker"], json={"financial_year": 2007})
    assert again.status_code == 409


def test_bad_evidence_is_422_naming_each_field_and_makes_nothing(client, world):
    evidence = [{"practitioner": "t@alpha.example", "date": "2007-02-30", "supplier": "", "amount_pence": -5}]
    response = client.post(
        "/api/v1/claims", headers=world["booker"], json={"financial_year": 2007, "evidence": evidence}
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "evidence.0.date",
        "evidence.0.supplier",
        "evidence.0.invoice",
        "evidence.0.amount_pence",
    }
    assert (
        client.get("/api/v1/claims/preview?financial_year=2007", headers=world["booker"]).json["total_pence"] == 36000
    )


def test_rejecting_needs_a_reason_and_frees_the_days(client, world):
    claim = client.post("/api/v1/claims", headers=world["booker"], json={"financial_year": 2007}).json
    url = f"/api/v1/claims/{claim['id']}"
    client.post(f"{url}/submit", headers=world["booker"])
    assert client.post(f"{url}/reject", headers=world["finance"], json={}).status_code == 422
    rejected = client.post(f"{url}/reject", headers=world["finance"], json={"reason": "Wrong days"}).json
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Wrong days")
    preview = client.get("/api/v1/claims/preview?financial_year=2007", headers=world["booker"]).json
    assert preview["total_pence"] == 36000


def test_put_fund_records_and_replaces_contributions(client, world):
    body = {
        "amount_pence": 15_400_000,
        "scheme_start": "2007-09-01",
        "claim_deadline": "2008-04-30",
        "contributions": [
            {"contributor": "Schools", "amount_pence": 23_600_000},
            {"contributor": "Police", "amount_pence": 2_000_000},
        ],
    }
    response = client.put("/api/v1/funds/2007", headers=world["finance"], json=body)
    assert response.status_code == 200
    assert response.json["contributions"] == body["contributions"]
    body["contributions"] = [
        {"contributor": "Schools", "amount_pence": 1},
        {"contributor": "Schools", "amount_pence": 2},
    ]
    refused = client.put("/api/v1/funds/2007", headers=world["finance"], json=body)
    assert refused.status_code == 422 and "contributions.1.contributor" in refused.json["error"]["fields"]
    allocation = client.get("/api/v1/funds/2007/allocation", headers=world["finance"]).json
    assert [row["contributor"] for row in allocation["underspend"]] == ["Schools", "Police"]
