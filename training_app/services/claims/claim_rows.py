"""Lists of claims for pages and the finance batch, aggregated in SQL (SPEC 3.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Claim,
    ClaimCategory,
    ClaimLine,
    ClaimStatus,
    CoverUnit,
    Fund,
    Organisation,
    Practitioner,
    SessionDay,
    TrainingSession,
)
from .claims import APPROVED_STATUSES


@dataclass(frozen=True)
class ClaimRow:
    """A claim in a list: its school, year, status, lines and total."""

    id: int
    organisation_code: str
    organisation_name: str
    financial_year: int
    status: ClaimStatus
    lines: int
    total_pence: int
    created_at: datetime
    submitted_at: datetime | None

    @property
    def fund_label(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"


def claim_rows(
    organisation_id: int | None = None, statuses: Sequence[ClaimStatus] | None = None, financial_year: int | None = None
) -> list[ClaimRow]:
    """Claims with their line counts and totals (live lines; a rejected claim's all), aggregated in SQL."""
    counted = sa.or_(ClaimLine.live, Claim.status == ClaimStatus.REJECTED)
    query = (
        sa.select(
            Claim.id,
            Organisation.code,
            Organisation.name,
            Fund.financial_year,
            Claim.status,
            sa.func.count(ClaimLine.id),
            sa.func.coalesce(sa.func.sum(ClaimLine.amount_pence), 0),
            Claim.created_at,
            Claim.submitted_at,
        )
        .join(Organisation, Organisation.id == Claim.organisation_id)
        .join(Fund, Fund.id == Claim.fund_id)
        .outerjoin(ClaimLine, sa.and_(ClaimLine.claim_id == Claim.id, counted))
        .group_by(Claim.id, Organisation.code, Organisation.name, Fund.financial_year)
        .order_by(Fund.financial_year.desc(), Claim.created_at, Claim.id)
    )
    if organisation_id is not None:
        query = query.where(Claim.organisation_id == organisation_id)
    if statuses:
        query = query.where(Claim.status.in_(statuses))
    if financial_year is not None:
        query = query.where(Fund.financial_year == financial_year)
    return [ClaimRow(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class BatchLine:
    """One approved (or paid) claim line for the finance batch."""

    claim_id: int
    status: ClaimStatus
    school_code: str
    school_name: str
    email: str
    name: str
    session_code: str
    day: date
    category: ClaimCategory
    unit: CoverUnit
    retrospective: bool
    supplier: str | None
    invoice: str | None
    evidence_pence: int | None
    rate_pence: int
    amount_pence: int


def batch_lines(fund: Fund) -> list[BatchLine]:
    """Every live line of the fund's approved and paid claims, by school, claim and day (one query)."""
    query = (
        sa.select(
            Claim.id,
            Claim.status,
            Organisation.code,
            Organisation.name,
            Practitioner.email,
            (Practitioner.first_name + " " + Practitioner.last_name).label("name"),
            TrainingSession.code.label("session_code"),
            SessionDay.date,
            ClaimLine.category,
            ClaimLine.unit,
            ClaimLine.retrospective,
            ClaimLine.evidence_supplier,
            ClaimLine.evidence_invoice,
            ClaimLine.evidence_amount_pence,
            ClaimLine.rate_pence,
            ClaimLine.amount_pence,
        )
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(Organisation, Organisation.id == Claim.organisation_id)
        .join(Practitioner, Practitioner.id == ClaimLine.practitioner_id)
        .join(SessionDay, SessionDay.id == ClaimLine.session_day_id)
        .join(TrainingSession, TrainingSession.id == SessionDay.session_id)
        .where(Claim.fund_id == fund.id, Claim.status.in_(APPROVED_STATUSES), ClaimLine.live)
        .order_by(Organisation.code, Claim.id, SessionDay.date, Practitioner.email)
    )
    return [BatchLine(*tuple(row)) for row in db.session.execute(query)]
