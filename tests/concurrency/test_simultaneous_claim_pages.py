"""Claims decided from the pages, not the API (the pages load the claim before the decision locks it), at the same
moment on a 4-worker server: a draft started ten times from the booker's claims page, one submitted from ten pages,
approved and rejected from two finance pages, and paid from ten; a year's fund set up from ten finance pages and
changed from six. Each ends with one decision, one audit entry per change (their old values chaining) and one email,
as the API's races do (test_simultaneous_claim_decisions, test_simultaneous_decisions); nothing answers with a 500.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from tests.factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import Claim, ClaimStatus, CoverCategory, Fund, OrganisationKind, OutgoingMail, Role

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _chained, _fine
from .test_simultaneous_claim_decisions import _decided, _live_lines, _school_claim
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_settings_changes import _sends

FINANCE = "finance@council.example"


def test_a_draft_started_from_ten_claims_pages_at_once_is_started_once(app, app_ctx, shared_live_server):
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-START")
    make_user(Role.BOOKER, organisation=school, email="booker@school.example")
    teacher = make_practitioner(school, cover=CoverCategory.TEACHER)
    make_attendance(teacher, [date(2007, 10, 1), date(2007, 10, 2)])
    make_fund(2007)
    db.session.commit()
    calls = _sends(
        shared_live_server, "booker@school.example", "/claims", [("/claims/new", {"financial_year": "2007"})] * 10
    )

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})  # the nine are told the days are on a claim already
    assert db.session.scalars(sa.select(Claim.status)).all() == [ClaimStatus.DRAFT]
    assert len(_actions("claim_created")) == 1
    claim_id = db.session.scalar(sa.select(Claim.id))
    assert _live_lines(claim_id) == 2


def test_a_draft_submitted_from_ten_pages_at_once_is_submitted_once(app, app_ctx, shared_live_server):
    claim_id, _ = _school_claim(ClaimStatus.DRAFT)
    db.session.commit()
    page = f"/claims/{claim_id}"
    calls = _sends(shared_live_server, "booker@school.example", page, [(f"{page}/submit", {})] * 10)

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})  # the nine are told it was sent already
    status, actions, subjects = _decided(claim_id)
    assert status == ClaimStatus.SUBMITTED
    assert actions == ["claim_submitted"]
    assert subjects == []  # the school hears of decisions, not of its own submission
    sent = Counter(db.session.execute(sa.select(OutgoingMail.recipients, OutgoingMail.subject)).all())
    assert all(count == 1 for count in sent.values()), sent  # whoever a submission tells, once


def test_an_approval_and_a_rejection_from_two_finance_pages_at_once_decide_once(app, app_ctx, shared_live_server):
    claim_id, _ = _school_claim()
    make_user(Role.FINANCE, email=FINANCE)
    db.session.commit()
    page = f"/claims/{claim_id}"
    posts = [(f"{page}/approve", {}), (f"{page}/reject", {"reason": "No invoices attached"})]

    answers = all_at_once(_sends(shared_live_server, FINANCE, page, posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    status, actions, subjects = _decided(claim_id)
    assert status in {ClaimStatus.APPROVED, ClaimStatus.REJECTED}
    assert actions == ["claim_submitted", f"claim_{status.value}"]
    assert subjects == [f"Supply-cover claim {claim_id} {status.value}"]
    assert _live_lines(claim_id) == (4 if status == ClaimStatus.APPROVED else 0)


def test_a_claim_paid_from_ten_finance_pages_at_once_is_paid_once(app, app_ctx, shared_live_server):
    claim_id, _ = _school_claim(ClaimStatus.APPROVED)
    make_user(Role.FINANCE, email=FINANCE)
    db.session.commit()
    page = f"/claims/{claim_id}"

    answers = all_at_once(_sends(shared_live_server, FINANCE, page, [(f"{page}/paid", {})] * 10), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    status, actions, subjects = _decided(claim_id)
    assert status == ClaimStatus.PAID
    assert actions == ["claim_submitted", "claim_approved", "claim_paid"]
    assert subjects.count(f"Supply-cover claim {claim_id} paid") == 1


def _fund_form(amount: str) -> dict:
    return {
        "financial_year": "2009",
        "amount": amount,
        "scheme_start": ["1", "9", "2009"],
        "claim_deadline": ["30", "4", "2010"],
        "teacher_half_day": "90.00",
        "teacher_day": "180.00",
        "teaching_assistant_half_day": "50.00",
        "teaching_assistant_day": "100.00",
        "contributions": "",
    }


def test_a_fund_set_up_from_ten_finance_pages_at_once_is_set_up_once(app, app_ctx, shared_live_server):
    make_user(Role.FINANCE, email=FINANCE)
    db.session.commit()
    page = "/finance/funds/new"

    answers = all_at_once(_sends(shared_live_server, FINANCE, page, [(page, _fund_form("1000.00"))] * 10), TIMEOUT)

    # One sets it up; the others save the same values over it (nothing to audit) or, having lost the race to
    # create it, are told so on the form (422), as the API answers 409.
    _fine(answers, shared_live_server, {302, 422})
    assert db.session.scalars(sa.select(Fund.financial_year)).all() == [2009]
    assert [action for action, _, _ in _actions("fund_created", "fund_changed")] == ["fund_created"]


def test_six_edits_of_a_fund_from_finance_pages_at_once_are_audited_one_after_the_other(
    app, app_ctx, shared_live_server
):
    make_fund(2009, amount_pence=100_000, scheme_start=date(2009, 9, 1), claim_deadline=date(2010, 4, 30))
    make_user(Role.FINANCE, email=FINANCE)
    db.session.commit()
    page = "/finance/funds/2009/edit"
    posts = [(page, _fund_form(f"{2000 + n}.00")) for n in range(6)]

    answers = all_at_once(_sends(shared_live_server, FINANCE, page, posts), TIMEOUT)

    _fine(answers, shared_live_server, {302})
    changes = _actions("fund_changed")
    assert len(changes) == 6
    held = _chained(changes, 100_000, "amount_pence")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Fund.amount_pence)).one() == held
