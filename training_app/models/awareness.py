"""Awareness-only sectors: sign-offs service by service, and presentations (SPEC 3.8)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Model, UTCDateTime, enum_column, utcnow
from .places import Area, Authority, Organisation, OrganisationKind


class SignOffStatus(enum.StrEnum):
    """Where a service's awareness package stands: planned, delivered, then signed off."""

    PLANNED = "planned"
    DELIVERED = "delivered"
    SIGNED_OFF = "signed_off"


signoff_authorities = sa.Table(
    "awareness_signoff_authorities",
    db.metadata,
    sa.Column("signoff_id", sa.ForeignKey("awareness_signoffs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("authority_id", sa.ForeignKey("authorities.id", ondelete="RESTRICT"), primary_key=True),
)


class AwarenessSignOff(Model):
    """One service or sector signed off as aware: one record per service, not per person."""

    __tablename__ = "awareness_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(sa.String(200), unique=True)
    sector_kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_role: Mapped[str | None] = mapped_column(sa.String(200))
    package: Mapped[str] = mapped_column(sa.String(200))
    package_version: Mapped[str | None] = mapped_column(sa.String(40))
    completed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_by_name: Mapped[str | None] = mapped_column(sa.String(200))
    evidence_notes: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[SignOffStatus] = mapped_column(
        enum_column(SignOffStatus, "signoff_status"), default=SignOffStatus.SIGNED_OFF, server_default="signed_off"
    )
    # The partnership's registers record the month only ("Oct-07"); completed_on is then that month's last day.
    completed_month_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An attached evidence file, kept outside static/ under a random key (services/awareness_files).
    evidence_filename: Mapped[str | None] = mapped_column(sa.String(200))
    evidence_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    evidence_size: Mapped[int | None]
    evidence_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    authorities: Mapped[list[Authority]] = relationship(secondary=signoff_authorities)


class AwarenessPresentation(Model):
    """An awareness presentation: counts people reached, not names."""

    __tablename__ = "awareness_presentations"
    __table_args__ = (sa.CheckConstraint("headcount >= 0", name="headcount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    presented_on: Mapped[date] = mapped_column(sa.Date, index=True)
    audience: Mapped[str] = mapped_column(sa.String(200))
    sector_kind: Mapped[OrganisationKind | None] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id", ondelete="SET NULL"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))
    headcount: Mapped[int]
    presenter: Mapped[str | None] = mapped_column(sa.String(200))

    organisation: Mapped[Organisation | None] = relationship()
    authority: Mapped[Authority | None] = relationship()
    area: Mapped[Area | None] = relationship()
