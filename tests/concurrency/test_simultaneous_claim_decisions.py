"""Every claim decision is taken once (SPEC 3.7): finance answering the same claim at the same moment on a 4-worker
server, however many times and whichever way, leave one decision, one audit entry and one email to the school;
evidence never lands on a claim already sent to finance. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_attendance, make_fund, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    AuditEvent,
    Claim,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    OrganisationKind,
    OutgoingMail,
    Role,
)
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.claims.claim_decisions import approve_claim, submit_claim
from training_app.services.claims.claims import create_claim

from .server import LiveServer, all_at_once, form_token, signed_in

TIMEOUT = 120
DECISIONS = ("claim_submitted", "claim_approved", "claim_rejected", "claim_paid", "claim_evidence_added")


def _school_claim(status: ClaimStatus = ClaimStatus.SUBMITTED, retrospective_days: int = 0) -> tuple[int, object]:
    """A school's claim for four attended days (and some August days waiting for evidence), moved to `status`
    through the services; its id and its booker, who hears of every decision."""
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-DECIDE")
    booker = make_user(Role.BOOKER, organisation=school, email="booker@school.example")
    teacher = make_practitioner(school, cover=CoverCategory.TEACHER)
    make_attendance(teacher, [date(2007, 10, 1), date(2007, 10, 2), date(2007, 10, 3), date(2007, 10, 4)])
    for n in range(retrospective_days):  # before the scheme started: claimed only with an invoice
        make_attendance(make_practitioner(school, cover=CoverCategory.TEACHER), [date(2007, 8, 6 + n)])
    fund = make_fund(2007)
    finance = make_user(Role.FINANCE)
    claim = create_claim(school, fund, booker).claim
    if status != ClaimStatus.DRAFT:
        submit_claim(claim, booker)
    if status == ClaimStatus.APPROVED:
        approve_claim(claim, finance)
    return claim.id, booker


def _finance_tokens(count: int) -> list[str]:
    return [issue_api_token(make_user(Role.FINANCE)) for _ in range(count)]


def _post(server: LiveServer, token: str, path: str, body: dict[str, str] | None = None):
    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(server.url + "/api/v1" + path, json=body or {}, headers=headers, timeout=TIMEOUT)

    return call


def _decided(claim_id: int) -> tuple[ClaimStatus, list[str], list[str]]:
    """The claim's status, its decisions in the audit trail (in order) and the subjects of the emails about it."""
    db.session.expire_all()
    status = db.session.get(Claim, claim_id).status
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim_id, AuditEvent.action.in_(DECISIONS))
        .order_by(AuditEvent.id)
    ).all()
    subjects = db.session.scalars(
        sa.select(OutgoingMail.subject).where(OutgoingMail.subject.like(f"Supply-cover claim {claim_id} %"))
    ).all()
    return status, list(actions), list(subjects)


def _live_lines(claim_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(ClaimLine.claim_id == claim_id, ClaimLine.live))


def test_an_approval_and_a_rejection_at_once_decide_the_claim_once(app, app_ctx, shared_live_server):
    claim_id, _ = _school_claim()
    tokens = _finance_tokens(2)
    db.session.commit()
    calls = [_post(shared_live_server, tokens[0], f"/claims/{claim_id}/approve")]
    calls += [_post(shared_live_server, tokens[1], f"/claims/{claim_id}/reject", {"reason": "No invoices attached"})]

    approved, rejected = all_at_once(calls, TIMEOUT)

    assert sorted([approved.status_code, rejected.status_code]) == [200, 409], shared_live_server.log()[-3000:]
    status, actions, subjects = _decided(claim_id)
    winner = ClaimStatus.APPROVED if approved.status_code == 200 else ClaimStatus.REJECTED
    assert status == winner
    assert actions == ["claim_submitted", f"claim_{winner.value}"]
    assert subjects == [f"Supply-cover claim {claim_id} {winner.value}"]
    assert _live_lines(claim_id) == (4 if winner == ClaimStatus.APPROVED else 0)  # a rejection frees the days


@pytest.mark.parametrize("count", [2, 10])
def test_simultaneous_approvals_approve_once(app, app_ctx, shared_live_server, count):
    claim_id, _ = _school_claim()
    tokens = _finance_tokens(count)
    db.session.commit()

    answers = all_at_once(
        [_post(shared_live_server, token, f"/claims/{claim_id}/approve") for token in tokens], TIMEOUT
    )

    assert Counter(a.status_code for a in answers) == {200: 1, 409: count - 1}, shared_live_server.log()[-3000:]
    refused = {a.json()["error"]["message"] for a in answers if a.status_code == 409}
    assert refused == {"You cannot approve a claim that is approved."}
    assert _decided(claim_id) == (
        ClaimStatus.APPROVED,
        ["claim_submitted", "claim_approved"],
        [f"Supply-cover claim {claim_id} approved"],
    )


def test_ten_simultaneous_payments_pay_once(app, app_ctx, shared_live_server):
    claim_id, _ = _school_claim(ClaimStatus.APPROVED)
    tokens = _finance_tokens(10)
    db.session.commit()

    answers = all_at_once([_post(shared_live_server, token, f"/claims/{claim_id}/paid") for token in tokens], TIMEOUT)

    assert Counter(a.status_code for a in answers) == {200: 1, 409: 9}, shared_live_server.log()[-3000:]
    status, actions, subjects = _decided(claim_id)
    assert (status, actions) == (ClaimStatus.PAID, ["claim_submitted", "claim_approved", "claim_paid"])
    assert sorted(subjects) == [f"Supply-cover claim {claim_id} approved", f"Supply-cover claim {claim_id} paid"]


def test_evidence_racing_the_submission_never_lands_on_a_submitted_claim(app, app_ctx, shared_live_server):
    claim_id, booker = _school_claim(ClaimStatus.DRAFT, retrospective_days=5)
    token, email = issue_api_token(booker), booker.email
    claimed = db.session.scalars(sa.select(ClaimLine.attendance_mark_id).where(ClaimLine.claim_id == claim_id)).all()
    marks = _waiting_marks(set(claimed))  # the four October days are on the draft; the August ones wait for evidence
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    browsers = [signed_in(shared_live_server, email, PASSWORD) for _ in marks]
    claim_url = f"{shared_live_server.url}/claims/{claim_id}"
    forms = [
        {
            "csrf_token": form_token(browser, claim_url),
            "line": str(mark),
            "supplier": "Supply Co",
            "invoice": f"INV-{n}",
        }
        | {"amount": "150.00"}
        for n, (browser, mark) in enumerate(zip(browsers, marks, strict=True))
    ]

    def add_evidence(browser: requests.Session, form: dict[str, str]):
        def call() -> requests.Response:
            return browser.post(claim_url + "/evidence", data=form, allow_redirects=False, timeout=TIMEOUT)

        return call

    calls = [add_evidence(browser, form) for browser, form in zip(browsers, forms, strict=True)]
    calls.insert(2, _post(shared_live_server, token, f"/claims/{claim_id}/submit"))
    answers = all_at_once(calls, TIMEOUT)

    submitted = answers.pop(2)
    assert submitted.status_code == 200, shared_live_server.log()[-3000:]
    assert {a.status_code for a in answers} <= {302, 422}
    status, actions, _ = _decided(claim_id)
    added = sum(a.status_code == 302 for a in answers)
    assert status == ClaimStatus.SUBMITTED
    assert actions == ["claim_evidence_added"] * added + ["claim_submitted"]  # every addition came before it
    assert _live_lines(claim_id) == 4 + added
    assert len(submitted.json()["lines"]) == 4 + added  # the claim finance received is the claim kept
    assert "Traceback" not in shared_live_server.log()


def _waiting_marks(claimed: set[int]) -> list[int]:
    """The school's attended August days (no line yet): what the booker adds evidence for."""
    marks = db.session.scalars(sa.select(AttendanceMark.id).order_by(AttendanceMark.id)).all()
    return [mark for mark in marks if mark not in claimed]
