"""Supply-cover claims (SPEC 3.7): the lines a school may claim, drafts and their evidence, and who may act for a
school; the moves once drafted (submit, approve, reject, paid) are in services/claims/claim_decisions.

A line is one practitioner on one session day, found by one query over the attendance marks; the partial
unique index on claim_lines (one live line per mark) backs the school lock up against a race.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AttendanceMark,
    AuditAction,
    Booking,
    Claim,
    ClaimCategory,
    ClaimFile,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    CoverUnit,
    Fund,
    MarkStatus,
    Organisation,
    OrganisationKind,
    Practitioner,
    Role,
    SessionDay,
    TrainingSession,
    User,
)
from ..accounts import audit
from ..accounts.scope import acts_for
from ..common.locks import lock_row
from .claim_files import invoice_problem, store_invoice
from .deadlines import deadline_problem
from .funds import MAX_PENCE, cover_unit, line_amount, rate_table

MAX_SUPPLIER = 200
MAX_INVOICE = 100
MAX_REASON = 1000
COVER_CATEGORIES = (CoverCategory.TEACHER, CoverCategory.TEACHING_ASSISTANT)
# Claims whose lines count as approved for the allocation.
APPROVED_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.PAID)


class Refusal(enum.StrEnum):
    """Why a claim change was refused, as the API answers it: 409, 403 or 422."""

    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"


class ClaimRefused(ValueError):
    """A claim change breaks a rule; `fields` names what is wrong, in words a person can act on."""

    def __init__(self, message: str, kind: Refusal = Refusal.CONFLICT, fields: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class Evidence:
    """A supply invoice behind a retrospective line: who supplied cover, the invoice reference and its amount."""

    supplier: str
    invoice: str
    amount_pence: int


@dataclass(frozen=True)
class ClaimableLine:
    """One practitioner's attended session day that the school may claim, at the rate card's amount."""

    mark_id: int
    practitioner_id: int
    email: str
    name: str
    session_day_id: int
    session_code: str
    day: date
    category: ClaimCategory
    unit: CoverUnit
    retrospective: bool
    rate_pence: int

    @property
    def key(self) -> tuple[str, date]:
        """How the API names a line: the practitioner's email and the day."""
        return (self.email.lower(), self.day)


def evidence_problems(evidence: Evidence, prefix: str = "") -> dict[str, str]:
    """Every rule the evidence breaks, by field."""
    problems: dict[str, str] = {}
    if not evidence.supplier.strip() or len(evidence.supplier) > MAX_SUPPLIER or "\x00" in evidence.supplier:
        problems[f"{prefix}supplier"] = f"Enter the supplier, at most {MAX_SUPPLIER} characters"
    if not evidence.invoice.strip() or len(evidence.invoice) > MAX_INVOICE or "\x00" in evidence.invoice:
        problems[f"{prefix}invoice"] = f"Enter the invoice reference, at most {MAX_INVOICE} characters"
    if not 0 <= evidence.amount_pence <= MAX_PENCE:
        problems[f"{prefix}amount_pence"] = "The invoice amount must be a whole number of pence, 0 or more"
    return problems


def claimable_lines(fund: Fund, organisation_id: int | None = None) -> list[ClaimableLine]:
    """Every line a school (or, with None, every school) may claim from the fund now, in day order (one query)."""
    rates = rate_table(fund)
    claimed = sa.select(ClaimLine.id).where(ClaimLine.attendance_mark_id == AttendanceMark.id, ClaimLine.live)
    query = (
        sa.select(
            AttendanceMark.id.label("mark_id"),
            Practitioner.id.label("practitioner_id"),
            Practitioner.email,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.cover_category,
            SessionDay.id.label("session_day_id"),
            SessionDay.date,
            SessionDay.starts_at,
            SessionDay.ends_at,
            TrainingSession.code,
        )
        .join(Booking, Booking.id == AttendanceMark.booking_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .join(Organisation, Organisation.id == Practitioner.organisation_id)
        .join(SessionDay, SessionDay.id == AttendanceMark.session_day_id)
        .join(TrainingSession, TrainingSession.id == SessionDay.session_id)
        .where(
            AttendanceMark.status == MarkStatus.ATTENDED,
            Organisation.kind == OrganisationKind.SCHOOL,
            Practitioner.cover_category.in_(COVER_CATEGORIES),
            SessionDay.date.between(fund.starts_on, fund.ends_on),
            ~claimed.exists(),
        )
        .order_by(SessionDay.date, TrainingSession.code, Practitioner.last_name, Practitioner.id)
    )
    if organisation_id is not None:
        query = query.where(Practitioner.organisation_id == organisation_id)
    return [_line(row, fund, rates) for row in db.session.execute(query)]


def _line(row: sa.Row[*tuple[Any, ...]], fund: Fund, rates: Mapping[str, Mapping[str, int]]) -> ClaimableLine:
    category = ClaimCategory(row.cover_category.value)
    unit = cover_unit(int((row.ends_at - row.starts_at).total_seconds() // 60))
    return ClaimableLine(
        mark_id=row.mark_id,
        practitioner_id=row.practitioner_id,
        email=row.email,
        name=f"{row.first_name} {row.last_name}",
        session_day_id=row.session_day_id,
        session_code=row.code,
        day=row.date,
        category=category,
        unit=unit,
        retrospective=row.date < fund.scheme_start,
        rate_pence=rates[category.value][unit.value],
    )


def can_act_for_school(user: User, organisation_id: int) -> bool:
    """Whether the user may draft and submit this school's claims: its own bookers, and admins."""
    if user.role == Role.ADMIN:
        return True
    return acts_for(user, organisation_id)


def can_see_claim(user: User, claim: Claim) -> bool:
    """Finance and admins see every claim; a booker only their own school's."""
    return user.role in (Role.FINANCE, Role.ADMIN) or can_act_for_school(user, claim.organisation_id)


@dataclass(frozen=True)
class NewClaim:
    """A draft just made: the claim, and the retrospective lines left out for want of evidence."""

    claim: Claim
    needs_evidence: list[ClaimableLine]


def create_claim(
    organisation: Organisation, fund: Fund, actor: User, evidence: Mapping[tuple[str, date], Evidence] | None = None
) -> NewClaim:
    """A draft claim holding every claimable line of the school not yet claimed, audited and committed.

    Retrospective lines go in only with evidence (keyed by practitioner email and day); the others are returned
    as needing it. Two requests at once for the same school queue on its row, and the index refuses what slips by.
    """
    if not can_act_for_school(actor, organisation.id):
        raise ClaimRefused("You can only claim for your own school.", Refusal.FORBIDDEN, {"organisation": "Not yours"})
    if organisation.kind != OrganisationKind.SCHOOL:
        raise ClaimRefused("Only schools claim supply cover.", Refusal.INVALID, {"organisation": "Not a school"})
    _lock_school(organisation.id)
    if problem := deadline_problem(fund, organisation, cannot="no claim can be started"):
        raise ClaimRefused(problem, Refusal.CONFLICT, {"financial_year": "Claim deadline passed"})
    lines = claimable_lines(fund, organisation.id)
    given = {(email.lower(), day): value for (email, day), value in (evidence or {}).items()}
    _check_evidence(lines, given)
    taken = [line for line in lines if not line.retrospective or line.key in given]
    needs = [line for line in lines if line.retrospective and line.key not in given]
    if not lines:
        raise ClaimRefused(f"There is nothing left for {organisation.name} to claim in {fund.label}.")
    if not taken and _has_draft(organisation.id, fund.id):
        raise ClaimRefused("Every day left needs an invoice: add the evidence to the draft claim already started.")
    claim = Claim(organisation_id=organisation.id, fund_id=fund.id, status=ClaimStatus.DRAFT, created_by_id=actor.id)
    claim.lines = [_claim_line(line, given.get(line.key)) for line in taken]
    db.session.add(claim)
    _flush_or_conflict()
    audit.record(actor, AuditAction.CLAIM_CREATED, claim, None, _claim_values(claim) | {"needs_evidence": len(needs)})
    db.session.commit()
    return NewClaim(claim, needs)


def _has_draft(organisation_id: int, fund_id: int) -> bool:
    query = sa.select(Claim.id).filter_by(organisation_id=organisation_id, fund_id=fund_id, status=ClaimStatus.DRAFT)
    return db.session.execute(query.limit(1)).first() is not None


def _check_evidence(lines: Sequence[ClaimableLine], given: Mapping[tuple[str, date], Evidence]) -> None:
    retrospective = {line.key for line in lines if line.retrospective}
    problems: dict[str, str] = {}
    for index, (key, evidence) in enumerate(given.items()):
        prefix = f"evidence.{index}."
        problems |= evidence_problems(evidence, prefix)
        if key not in retrospective:
            problems[f"{prefix}date"] = "No retrospective line of this school waits for evidence on that day"
    if problems:
        raise ClaimRefused("Some evidence is not valid.", Refusal.INVALID, problems)


def _claim_line(line: ClaimableLine, evidence: Evidence | None, file_id: int | None = None) -> ClaimLine:
    claim_line = ClaimLine(
        attendance_mark_id=line.mark_id,
        practitioner_id=line.practitioner_id,
        session_day_id=line.session_day_id,
        category=line.category,
        unit=line.unit,
        retrospective=line.retrospective,
        rate_pence=line.rate_pence,
        amount_pence=line_amount(line.rate_pence, evidence.amount_pence if evidence else None),
        live=True,
    )
    if evidence is not None:
        claim_line.evidence_supplier = evidence.supplier.strip()
        claim_line.evidence_invoice = evidence.invoice.strip()
        claim_line.evidence_amount_pence = evidence.amount_pence
        claim_line.evidence_file_id = file_id
    return claim_line


def add_evidence(
    claim: Claim,
    mark_id: int,
    evidence: Evidence,
    actor: User,
    upload: tuple[str, bytes] | None = None,
) -> ClaimLine:
    """Put a retrospective line on a draft with its evidence and any uploaded invoice, audited and committed."""
    claim = locked_claim(claim.id)
    if not can_act_for_school(actor, claim.organisation_id):
        raise ClaimRefused("You can only change your own school's claims.", Refusal.FORBIDDEN)
    require_status(claim, (ClaimStatus.DRAFT,), "add evidence to")
    problems = evidence_problems(evidence)
    file_problem = invoice_problem(upload[1]) if upload else None
    if file_problem:
        problems["file"] = file_problem
    if problems:
        raise ClaimRefused("The evidence is not valid.", Refusal.INVALID, problems)
    _lock_school(claim.organisation_id)
    waiting = {line.mark_id: line for line in claimable_lines(claim.fund, claim.organisation_id) if line.retrospective}
    line = waiting.get(mark_id)
    if line is None:
        raise ClaimRefused("That day no longer waits for evidence.", Refusal.CONFLICT, {"line": "Already claimed"})
    stored = store_invoice(claim, upload[0], upload[1], actor) if upload else None
    claim_line = _claim_line(line, evidence, stored.id if stored else None)
    claim.lines.append(claim_line)
    _flush_or_conflict()
    new = {"mark": mark_id, "amount_pence": claim_line.amount_pence, "supplier": claim_line.evidence_supplier}
    new |= {"invoice": claim_line.evidence_invoice, "file": stored.filename if stored else None}
    audit.record(actor, AuditAction.CLAIM_EVIDENCE_ADDED, claim, None, new)
    db.session.commit()
    return claim_line


def locked_claim(claim_id: int) -> Claim:
    """The claim with its lines and files as they are now, its row locked for the rest of the transaction: every
    move reads the claim's status only after this, so two moves at once are decided one after the other."""
    return lock_row(Claim, claim_id, selectinload(Claim.lines), selectinload(Claim.files))


def require_status(claim: Claim, allowed: Sequence[ClaimStatus], verb: str) -> None:
    """Refuse, as a conflict, a change the claim's status does not allow."""
    if claim.status not in allowed:
        raise ClaimRefused(f"You cannot {verb} a claim that is {claim.status.value}.", Refusal.CONFLICT)


def _lock_school(organisation_id: int) -> None:
    """Queue claims for one school behind each other (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE already)."""
    lock_row(Organisation, organisation_id)


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ClaimRefused("Some of these days were claimed at the same moment; reload and try again.") from None


def _claim_values(claim: Claim) -> dict[str, object]:
    return {
        "status": claim.status.value,
        "organisation": claim.organisation_id,
        "fund": claim.fund_id,
        "lines": len(claim.lines),
        "total_pence": claim.total_pence,
    }


def get_claim(claim_id: int) -> Claim | None:
    """One claim with its lines, their people and days, and its files."""
    query = (
        sa.select(Claim)
        .options(
            selectinload(Claim.lines).selectinload(ClaimLine.practitioner),
            selectinload(Claim.lines).selectinload(ClaimLine.session_day).selectinload(SessionDay.session),
            selectinload(Claim.files),
        )
        .where(Claim.id == claim_id)
    )
    return db.session.execute(query).scalar_one_or_none()


def file_of(claim: Claim, file_id: int) -> ClaimFile | None:
    """One of the claim's uploaded invoices, or None."""
    return next((file for file in claim.files if file.id == file_id), None)
