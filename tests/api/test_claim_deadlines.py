"""The claim deadline in the API (SPEC 3.7, 4.5): after it a submission is a 409 with the reason and the claim stays a
draft; with finance's extension for the school it goes through."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import AuditEvent, CoverCategory, Fund, OrganisationKind, Role
from training_app.services.claims.deadlines import grant_extension
from training_app.services.common.calendar import london_today

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from .helpers import bearer, user_with_token


@pytest.fixture
def world(app_ctx):
    """A school with a teacher who attended a day in term, a 2007-08 fund whose deadline was yesterday, a draft."""
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")
    teacher = make_practitioner(school, email="t@alpha.example", cover=CoverCategory.TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)], code="S-OCT")
    fund = make_fund(2007, scheme_start=date(2007, 9, 1))
    booker = bearer(user_with_token(Role.BOOKER, organisation=school)[1])
    db.session.commit()
    return {"school": school, "fund": fund, "booker": booker}


def draft_after_the_deadline(client, world) -> str:
    claim = client.post("/api/v1/claims", headers=world["booker"], json={"financial_year": 2007}).json
    db.session.execute(sa.update(Fund).values(claim_deadline=london_today() - timedelta(days=1)))
    db.session.commit()
    return f"/api/v1/claims/{claim['id']}"


def test_after_the_deadline_a_submission_is_a_conflict_and_nothing_changes(client, world):
    url = draft_after_the_deadline(client, world)
    refused = client.post(f"{url}/submit", headers=world["booker"])
    assert refused.status_code == 409
    yesterday = london_today() - timedelta(days=1)
    assert refused.json["error"]["message"] == (
        f"The 2007-08 claim deadline for Alpha Primary was {yesterday:%-d %B %Y}, so the claim cannot be submitted. "
        "Ask finance to extend the school's deadline."
    )
    assert client.get(url, headers=world["booker"]).json["status"] == "draft"
    assert db.session.scalars(sa.select(AuditEvent).filter_by(action="claim_submitted")).all() == []


def test_with_finance_s_extension_the_school_submits(client, world):
    url = draft_after_the_deadline(client, world)
    finance = make_user(Role.FINANCE)
    grant_extension(db.session.merge(world["fund"]), db.session.merge(world["school"]), london_today(), "Late", finance)
    submitted = client.post(f"{url}/submit", headers=world["booker"])
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"


def test_after_the_deadline_starting_a_claim_is_a_conflict_and_no_claim_is_made(client, world):
    db.session.execute(sa.update(Fund).values(claim_deadline=london_today() - timedelta(days=1)))
    db.session.commit()
    refused = client.post("/api/v1/claims", headers=world["booker"], json={"financial_year": 2007})
    assert refused.status_code == 409
    assert "so no claim can be started" in refused.json["error"]["message"]
    assert client.get("/api/v1/claims/preview?financial_year=2007", headers=world["booker"]).status_code == 200
    assert db.session.scalars(sa.select(AuditEvent).filter_by(action="claim_created")).all() == []
