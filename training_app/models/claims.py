"""Supply-cover funds, rate cards, contributions, claims and claim lines (SPEC 3.7)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .attendance import AttendanceMark
from .base import Model, UTCDateTime, enum_column, utcnow
from .people import Practitioner
from .places import Organisation
from .sessions import SessionDay


class CoverUnit(enum.StrEnum):
    HALF_DAY = "half_day"
    DAY = "day"


class ClaimCategory(enum.StrEnum):
    TEACHER = "teacher"
    TEACHING_ASSISTANT = "teaching_assistant"


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


DEFAULT_RATES_PENCE = {
    (ClaimCategory.TEACHER, CoverUnit.HALF_DAY): 9000,
    (ClaimCategory.TEACHER, CoverUnit.DAY): 18000,
    (ClaimCategory.TEACHING_ASSISTANT, CoverUnit.HALF_DAY): 3500,
    (ClaimCategory.TEACHING_ASSISTANT, CoverUnit.DAY): 7000,
}


class Fund(Model):
    """The supply-cover fund for one financial year (2007 = 1 April 2007 to 31 March 2008)."""

    __tablename__ = "funds"
    __table_args__ = (sa.CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    financial_year: Mapped[int] = mapped_column(unique=True)
    amount_pence: Mapped[int]
    scheme_start: Mapped[date] = mapped_column(sa.Date)
    claim_deadline: Mapped[date] = mapped_column(sa.Date)

    rates: Mapped[list[RateCard]] = relationship(back_populates="fund", cascade="all, delete-orphan")
    contributions: Mapped[list[FundContribution]] = relationship(back_populates="fund", cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> date:
        return date(self.financial_year, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.financial_year + 1, 3, 31)


class RateCard(Model):
    """Pence paid for one cover category and unit under a fund."""

    __tablename__ = "rate_cards"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "category", "unit"),
        sa.CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("funds.id", ondelete="CASCADE"))
    category: Mapped[ClaimCategory] = mapped_column(enum_column(ClaimCategory, "claim_category"))
    unit: Mapped[CoverUnit] = mapped_column(enum_column(CoverUnit, "cover_unit"))
    amount_pence: Mapped[int]

    fund: Mapped[Fund] = relationship(back_populates="rates")


class FundContribution(Model):
    """A partner's share of a pooled fund, for returning the underspend pro rata."""

    __tablename__ = "fund_contributions"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "contributor"),
        sa.CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("funds.id", ondelete="CASCADE"))
    contributor: Mapped[str] = mapped_column(sa.String(200))
    amount_pence: Mapped[int]

    fund: Mapped[Fund] = relationship(back_populates="contributions")


class Claim(Model):
    """A school's claim for supply cover against one fund."""

    __tablename__ = "claims"
    __table_args__ = (sa.Index("ix_claims_fund_status", "fund_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("funds.id", ondelete="RESTRICT"))
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "claim_status"), default=ClaimStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    fund: Mapped[Fund] = relationship()
    lines: Mapped[list[ClaimLine]] = relationship(back_populates="claim", cascade="all, delete-orphan")
    files: Mapped[list[ClaimFile]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimFile.id"
    )

    @property
    def total_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)


class ClaimLine(Model):
    """One practitioner's attended session day, claimed once (never on two live claims)."""

    __tablename__ = "claim_lines"
    __table_args__ = (
        sa.Index(
            "uq_claim_lines_live_mark",
            "attendance_mark_id",
            unique=True,
            sqlite_where=sa.text("live"),
            postgresql_where=sa.text("live"),
        ),
        sa.CheckConstraint("amount_pence >= 0 AND rate_pence >= 0", name="amounts_not_negative"),
        sa.CheckConstraint(
            "NOT retrospective OR (evidence_supplier IS NOT NULL AND evidence_invoice IS NOT NULL "
            "AND evidence_amount_pence IS NOT NULL)",
            name="retrospective_needs_evidence",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    attendance_mark_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance_marks.id", ondelete="RESTRICT"))
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="RESTRICT"))
    session_day_id: Mapped[int] = mapped_column(sa.ForeignKey("session_days.id", ondelete="RESTRICT"))
    category: Mapped[ClaimCategory] = mapped_column(enum_column(ClaimCategory, "claim_category"))
    unit: Mapped[CoverUnit] = mapped_column(enum_column(CoverUnit, "cover_unit"))
    retrospective: Mapped[bool] = mapped_column(default=False)
    rate_pence: Mapped[int]
    amount_pence: Mapped[int]
    evidence_supplier: Mapped[str | None] = mapped_column(sa.String(200))
    evidence_invoice: Mapped[str | None] = mapped_column(sa.String(100))
    evidence_amount_pence: Mapped[int | None]
    evidence_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim_files.id", ondelete="SET NULL"))
    # False once the claim is rejected, which frees the attendance to be claimed again.
    live: Mapped[bool] = mapped_column(default=True)

    claim: Mapped[Claim] = relationship(back_populates="lines")
    attendance_mark: Mapped[AttendanceMark] = relationship()
    practitioner: Mapped[Practitioner] = relationship()
    session_day: Mapped[SessionDay] = relationship()
    evidence_file: Mapped[ClaimFile | None] = relationship()


class ClaimDeadlineExtension(Model):
    """Finance's later claim deadline for one school under one fund (SPEC 3.7): the date, why, who and when."""

    __tablename__ = "claim_deadline_extensions"
    __table_args__ = (sa.UniqueConstraint("fund_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("funds.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    extended_to: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund: Mapped[Fund] = relationship()
    organisation: Mapped[Organisation] = relationship()


class ClaimFile(Model):
    """An invoice uploaded as a claim's evidence (PDF or image), kept outside static/ under a random key."""

    __tablename__ = "claim_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="files")
