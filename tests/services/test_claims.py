"""Claimable lines and the claim workflow (SPEC 3.7), with hand-worked examples."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    CoverUnit,
    MarkStatus,
    OrganisationKind,
    Role,
)
from training_app.services.claims import claim_decisions, claims
from training_app.services.claims.claims import ClaimRefused, Evidence, Refusal

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from ..outbox import body_of, emails_to

TEACHER, TA = CoverCategory.TEACHER, CoverCategory.TEACHING_ASSISTANT


@pytest.fixture
def school(app_ctx):
    return make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")


@pytest.fixture
def fund(app_ctx):
    return make_fund(2007, scheme_start=date(2007, 9, 1))


@pytest.fixture
def booker(school):
    # A fresh address per test: the outbox folder lasts the whole run.
    return make_user(Role.BOOKER, organisation=school, email=f"bursar-{uuid.uuid4().hex[:8]}@alpha.example")


@pytest.fixture
def finance(app_ctx):
    return make_user(Role.FINANCE, email="finance@council.example")


def amounts(lines):
    return [(line.email, line.day, line.unit, line.rate_pence) for line in lines]


def test_a_day_over_four_hours_is_a_day_and_exactly_four_hours_a_half_day(school, fund):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    assistant = make_practitioner(school, email="ta@alpha.example", cover=TA)
    make_attendance(teacher, [date(2007, 10, 10)], start=time(9, 30), end=time(16, 0))  # 6.5 hours: a day
    make_attendance(assistant, [date(2007, 10, 11)], start=time(9, 0), end=time(13, 0))  # exactly 4 hours: half
    make_attendance(assistant, [date(2007, 10, 12)], start=time(9, 0), end=time(13, 1))  # 4 hours 1 minute: a day
    make_attendance(teacher, [date(2007, 10, 15)], start=time(13, 30), end=time(16, 0))  # 2.5 hours: half
    assert amounts(claims.claimable_lines(fund, school.id)) == [
        ("t@alpha.example", date(2007, 10, 10), CoverUnit.DAY, 18000),
        ("ta@alpha.example", date(2007, 10, 11), CoverUnit.HALF_DAY, 3500),
        ("ta@alpha.example", date(2007, 10, 12), CoverUnit.DAY, 7000),
        ("t@alpha.example", date(2007, 10, 15), CoverUnit.HALF_DAY, 9000),
    ]


def test_a_two_day_session_with_one_day_missed_claims_the_day_attended(school, fund):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    days = [date(2007, 11, 5), date(2007, 11, 6)]
    make_attendance(teacher, days, statuses=[MarkStatus.ATTENDED, MarkStatus.ABSENT])
    other = make_practitioner(school, email="p@alpha.example", cover=TEACHER)
    make_attendance(other, days, statuses=[MarkStatus.PARTIAL, MarkStatus.ATTENDED])
    assert [(line.email, line.day) for line in claims.claimable_lines(fund, school.id)] == [
        ("t@alpha.example", date(2007, 11, 5)),
        ("p@alpha.example", date(2007, 11, 6)),
    ]


def test_staff_outside_schools_and_school_staff_without_a_cover_category_claim_nothing(school, fund):
    clinic = make_organisation(kind=OrganisationKind.HEALTH)
    make_attendance(make_practitioner(clinic, cover=TEACHER), [date(2007, 10, 10)])
    make_attendance(make_practitioner(school, cover=CoverCategory.NONE), [date(2007, 10, 10)])
    assert claims.claimable_lines(fund, school.id) == []
    assert claims.claimable_lines(fund, clinic.id) == []
    assert claims.claimable_lines(fund) == []


def test_days_count_only_inside_the_financial_year_31_march_in_1_april_out(school, fund):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    for day in (date(2007, 3, 31), date(2007, 4, 1), date(2008, 3, 31), date(2008, 4, 1)):
        make_attendance(teacher, [day])
    next_year = make_fund(2008, scheme_start=date(2008, 4, 1), claim_deadline=date(2009, 4, 30))
    assert [line.day for line in claims.claimable_lines(fund, school.id)] == [date(2007, 4, 1), date(2008, 3, 31)]
    assert [line.day for line in claims.claimable_lines(next_year, school.id)] == [date(2008, 4, 1)]


def test_retrospective_lines_pay_the_lesser_of_rate_and_invoice_and_wait_without_evidence(school, fund, booker):
    below = make_practitioner(school, email="below@alpha.example", cover=TEACHER)
    above = make_practitioner(school, email="above@alpha.example", cover=TEACHER)
    missing = make_practitioner(school, email="missing@alpha.example", cover=TA)
    current = make_practitioner(school, email="current@alpha.example", cover=TA)
    for person in (below, above, missing):
        make_attendance(person, [date(2007, 8, 20)])  # before the scheme start (1 September 2007)
    make_attendance(current, [date(2007, 9, 1)], start=time(9, 0), end=time(12, 0))  # the start day itself
    evidence = {
        ("below@alpha.example", date(2007, 8, 20)): Evidence("Teaching Personnel", "INV-1", 15000),
        ("ABOVE@alpha.example", date(2007, 8, 20)): Evidence("Select Education", "INV-2", 21000),
    }
    made = claims.create_claim(school, fund, booker, evidence)
    lines = {line.practitioner.email: line for line in made.claim.lines}
    assert {email: (line.retrospective, line.rate_pence, line.amount_pence) for email, line in lines.items()} == {
        "below@alpha.example": (True, 18000, 15000),
        "above@alpha.example": (True, 18000, 18000),
        "current@alpha.example": (False, 3500, 3500),
    }
    assert lines["below@alpha.example"].evidence_invoice == "INV-1"
    assert [(line.email, line.retrospective) for line in made.needs_evidence] == [("missing@alpha.example", True)]
    assert made.claim.total_pence == 15000 + 18000 + 3500
    assert made.claim.status == ClaimStatus.DRAFT


def test_evidence_for_a_day_that_needs_none_or_with_a_negative_amount_is_refused_and_nothing_made(school, fund, booker):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)])
    make_attendance(teacher, [date(2007, 8, 1)])
    with pytest.raises(ClaimRefused) as refused:
        claims.create_claim(
            school,
            fund,
            booker,
            {
                ("t@alpha.example", date(2007, 10, 10)): Evidence("S", "I", 100),
                ("t@alpha.example", date(2007, 8, 1)): Evidence("S", "", -1),
            },
        )
    assert refused.value.kind == Refusal.INVALID
    assert set(refused.value.fields) == {"evidence.0.date", "evidence.1.invoice", "evidence.1.amount_pence"}
    assert db.session.scalar(sa.select(sa.func.count(ClaimLine.id))) == 0


def test_a_second_claim_never_claims_a_day_again_and_an_empty_one_is_refused(school, fund, booker):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)])
    first = claims.create_claim(school, fund, booker).claim
    assert len(first.lines) == 1
    with pytest.raises(ClaimRefused) as refused:
        claims.create_claim(school, fund, booker)
    assert refused.value.kind == Refusal.CONFLICT
    make_attendance(teacher, [date(2007, 10, 17)])
    second = claims.create_claim(school, fund, booker).claim
    assert [line.session_day.date for line in second.lines] == [date(2007, 10, 17)]
    assert claims.claimable_lines(fund, school.id) == []


def test_the_index_refuses_a_second_live_line_for_the_same_attendance(school, fund, booker):
    teacher = make_practitioner(school, cover=TEACHER)
    make_attendance(teacher, [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    [line] = claim.lines
    db.session.add(
        ClaimLine(
            claim_id=claim.id,
            attendance_mark_id=line.attendance_mark_id,
            practitioner_id=line.practitioner_id,
            session_day_id=line.session_day_id,
            category=line.category,
            unit=line.unit,
            rate_pence=1,
            amount_pence=1,
            live=True,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_submit_approve_and_pay_with_emails_to_the_bookers_and_an_audit_trail(app, school, fund, booker, finance):
    make_attendance(make_practitioner(school, cover=TEACHER), [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    claim_decisions.submit_claim(claim, booker)
    claim_decisions.approve_claim(claim, finance)
    claim_decisions.mark_paid(claim, finance)
    assert claim.status == ClaimStatus.PAID and claim.paid_at and claim.decided_by_id == finance.id
    subjects = [message["Subject"] for message in emails_to(app, booker.email)]
    assert subjects == [f"Supply-cover claim {claim.id} approved", f"Supply-cover claim {claim.id} paid"]
    by_id = sa.select(AuditEvent.action).where(AuditEvent.entity_type == "claim").order_by(AuditEvent.id)
    actions = db.session.scalars(by_id).all()  # in id order: on PostgreSQL rows come back in any order
    assert actions == ["claim_created", "claim_submitted", "claim_approved", "claim_paid"]


def test_rejection_needs_a_reason_tells_the_school_and_frees_the_days(app, school, fund, booker, finance):
    make_attendance(make_practitioner(school, cover=TEACHER), [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    claim_decisions.submit_claim(claim, booker)
    with pytest.raises(ClaimRefused) as refused:
        claim_decisions.reject_claim(claim, "  ", finance)
    assert refused.value.kind == Refusal.INVALID and "reason" in refused.value.fields
    claim_decisions.reject_claim(claim, "Invoices do not match the days.", finance)
    assert claim.status == ClaimStatus.REJECTED and not any(line.live for line in claim.lines)
    [message] = emails_to(app, booker.email)
    assert "Invoices do not match the days." in body_of(message)
    again = claims.create_claim(school, fund, booker).claim
    assert len(again.lines) == 1


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (ClaimStatus.DRAFT, "approve"),
        (ClaimStatus.DRAFT, "paid"),
        (ClaimStatus.SUBMITTED, "submit"),
        (ClaimStatus.SUBMITTED, "paid"),
        (ClaimStatus.APPROVED, "reject"),
        (ClaimStatus.APPROVED, "approve"),
        (ClaimStatus.PAID, "reject"),
    ],
)
def test_moves_the_state_does_not_allow_are_conflicts_and_change_nothing(school, fund, booker, finance, status, move):
    make_attendance(make_practitioner(school, cover=TEACHER), [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    path = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID]
    steps = {
        ClaimStatus.SUBMITTED: lambda: claim_decisions.submit_claim(claim, booker),
        ClaimStatus.APPROVED: lambda: claim_decisions.approve_claim(claim, finance),
        ClaimStatus.PAID: lambda: claim_decisions.mark_paid(claim, finance),
    }
    for step in path[: [ClaimStatus.DRAFT, *path].index(status)]:
        steps[step]()
    moves = {
        "submit": lambda: claim_decisions.submit_claim(claim, booker),
        "approve": lambda: claim_decisions.approve_claim(claim, finance),
        "reject": lambda: claim_decisions.reject_claim(claim, "No.", finance),
        "paid": lambda: claim_decisions.mark_paid(claim, finance),
    }
    with pytest.raises(ClaimRefused) as refused:
        moves[move]()
    assert refused.value.kind == Refusal.CONFLICT
    db.session.expire_all()
    assert claim.status == status


def test_only_finance_decide_and_a_booker_only_claims_for_their_own_school(school, fund, booker):
    make_attendance(make_practitioner(school, cover=TEACHER), [date(2007, 10, 10)])
    claim = claims.create_claim(school, fund, booker).claim
    claim_decisions.submit_claim(claim, booker)
    for role in (Role.ADMIN, Role.COORDINATOR, Role.BOOKER):
        with pytest.raises(ClaimRefused) as refused:
            claim_decisions.approve_claim(claim, make_user(role, organisation=school if role == Role.BOOKER else None))
        assert refused.value.kind == Refusal.FORBIDDEN
    other_booker = make_user(Role.BOOKER)
    with pytest.raises(ClaimRefused) as refused:
        claims.create_claim(school, fund, other_booker)
    assert refused.value.kind == Refusal.FORBIDDEN
    assert not claims.can_see_claim(other_booker, claim)


def test_evidence_added_to_a_draft_puts_the_waiting_line_on_it_with_the_invoice(app, school, fund, booker):
    teacher = make_practitioner(school, email="t@alpha.example", cover=TEACHER)
    make_attendance(teacher, [date(2007, 8, 20)], start=time(9, 0), end=time(12, 0))
    made = claims.create_claim(school, fund, booker)
    assert made.claim.lines == [] and len(made.needs_evidence) == 1
    with pytest.raises(ClaimRefused) as refused:  # a second empty draft would only repeat the first
        claims.create_claim(school, fund, booker)
    assert refused.value.kind == Refusal.CONFLICT
    with pytest.raises(ClaimRefused) as refused:
        claims.add_evidence(
            made.claim, made.needs_evidence[0].mark_id, Evidence("S", "I", 1), booker, ("x.pdf", b"MZ not a pdf")
        )
    assert refused.value.fields == {"file": "The selected file must be a PDF, PNG or JPEG"}
    line = claims.add_evidence(
        made.claim, made.needs_evidence[0].mark_id, Evidence("Supply Co", "INV-9", 5000), booker, ("inv.pdf", b"%PDF-1")
    )
    assert (line.rate_pence, line.amount_pence, line.evidence_file.filename) == (9000, 5000, "inv.pdf")
    assert claims.claimable_lines(fund, school.id) == []
    claim_decisions.submit_claim(made.claim, booker)
    with pytest.raises(ClaimRefused):
        claims.add_evidence(made.claim, line.attendance_mark_id, Evidence("S", "I", 1), booker)
