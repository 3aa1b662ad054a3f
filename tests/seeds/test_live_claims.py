"""The demo's live supply cover (SPEC 5): a fund for the load day's year, a claim waiting for finance and a paid one."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Claim,
    ClaimDeadlineExtension,
    ClaimStatus,
    Fund,
    MarkStatus,
    OrganisationKind,
    User,
)
from training_app.services.claims import allocation, claims, deadlines

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed per test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def live_claims():
    return db.session.scalars(sa.select(Claim).join(Fund).where(Fund.financial_year == 2026).order_by(Claim.id)).all()


def test_a_fund_for_the_load_days_year_with_a_submitted_and_a_paid_claim_from_last_month(app_ctx, live):
    fund = db.session.scalars(sa.select(Fund).filter_by(financial_year=2026)).one()
    assert (fund.amount_pence, fund.scheme_start) == (6_000_000, date(2026, 4, 1))
    found = live_claims()
    assert [claim.status for claim in found] == [ClaimStatus.SUBMITTED, ClaimStatus.PAID]
    for claim in found:
        assert claim.organisation.kind == OrganisationKind.SCHOOL and claim.lines
        for line in claim.lines:
            assert date(2026, 11, 1) <= line.session_day.date <= date(2026, 11, 30)
            assert line.attendance_mark.status == MarkStatus.ATTENDED
            assert line.practitioner.organisation_id == claim.organisation_id
            assert line.unit == ("half_day" if line.session_day.is_half_day else "day")
    # Every attended day of last month is on one of the two claims.
    assert [line for line in claims.claimable_lines(fund) if line.day < date(2026, 12, 1)] == []
    paid = allocation.allocate_fund(fund)
    assert paid.payable_pence == paid.approved_pence == found[1].total_pence
    # The 2007-08 fund keeps its £154,000 and its claims in every state.
    fund = db.session.scalars(sa.select(Fund).filter_by(financial_year=2007)).one()
    assert fund.amount_pence == 15_400_000
    statuses = db.session.scalars(sa.select(Claim.status).where(Claim.fund_id == fund.id)).all()
    assert set(statuses) == set(ClaimStatus)


def test_the_booker_s_school_has_finance_s_extension_of_its_2007_08_deadline(app_ctx, live):
    booker = db.session.scalars(sa.select(User).filter_by(email="booker@demo.test")).one()
    extension = db.session.scalars(sa.select(ClaimDeadlineExtension)).one()
    assert extension.organisation_id == booker.organisation_id
    assert (extension.fund.financial_year, extension.extended_to) == (2007, date(2027, 1, 31))
    assert extension.fund.claim_deadline == date(2008, 4, 30)  # the fund itself is as it was
    event = db.session.scalars(sa.select(AuditEvent).filter_by(action="claim_deadline_extended")).one()
    assert event.actor == "finance@demo.test"
    # The booker's 2007-08 draft is still work to finish: open until the end of January.
    draft = db.session.scalars(
        sa.select(Claim).filter_by(organisation_id=booker.organisation_id, status=ClaimStatus.DRAFT)
    ).one()
    assert not deadlines.school_deadline(draft.fund, draft.organisation_id).passed(date(2027, 1, 31))
    assert deadlines.school_deadline(draft.fund, draft.organisation_id).passed(date(2027, 2, 1))
