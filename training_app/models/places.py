"""Authorities, their areas, organisations and venues (SPEC 3.1)."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, enum_column


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    EARLY_YEARS = "early_years"
    HEALTH = "health"
    POLICE = "police"
    SOCIAL_CARE = "social_care"
    YOUTH = "youth"
    VOLUNTARY = "voluntary"
    PROBATION = "probation"
    PRISON = "prison"
    ADULT_SERVICES = "adult_services"
    GP = "gp"
    FE = "fe"
    OTHER = "other"


class Authority(Model):
    """A local authority; partners run the programme jointly, others appear as 'Other – Name'."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    partner: Mapped[bool] = mapped_column(default=True)
    display_order: Mapped[int] = mapped_column(default=0)

    areas: Mapped[list[Area]] = relationship(back_populates="authority", order_by="Area.name")

    def __repr__(self) -> str:
        return f"<Authority {self.code}>"


class Area(Model):
    """A district, network area or township inside one authority."""

    __tablename__ = "areas"
    __table_args__ = (sa.UniqueConstraint("authority_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    authority: Mapped[Authority] = relationship(back_populates="areas")


class Organisation(Model):
    """A school, agency or service whose staff are trained."""

    __tablename__ = "organisations"
    __table_args__ = (sa.CheckConstraint("pupils IS NULL OR pupils >= 0", name="pupils_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"), index=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id", ondelete="RESTRICT"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    urn: Mapped[str | None] = mapped_column(sa.String(20))
    phase: Mapped[str | None] = mapped_column(sa.String(40))
    pupils: Mapped[int | None]
    awareness_only: Mapped[bool] = mapped_column(default=False)

    authority: Mapped[Authority] = relationship()
    area: Mapped[Area | None] = relationship()

    @property
    def is_school(self) -> bool:
        return self.kind == OrganisationKind.SCHOOL


class Venue(Model):
    """A room where sessions are held, with its own capacity."""

    __tablename__ = "venues"
    __table_args__ = (sa.CheckConstraint("capacity >= 1", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(400))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    capacity: Mapped[int]
    accessibility_notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id", ondelete="SET NULL"))

    authority: Mapped[Authority | None] = relationship()
