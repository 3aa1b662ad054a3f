"""Practitioners: the people trained, with the set of authorities they work for (SPEC 3.1)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Model, UTCDateTime, enum_column, utcnow
from .courses import ResponsibilityGroup
from .places import Authority, Organisation


class CoverCategory(enum.StrEnum):
    TEACHER = "teacher"
    TEACHING_ASSISTANT = "teaching_assistant"
    NONE = "none"


practitioner_authorities = sa.Table(
    "practitioner_authorities",
    db.metadata,
    sa.Column("practitioner_id", sa.ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("authority_id", sa.ForeignKey("authorities.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Practitioner(Model):
    """Anyone in the children's workforce who is, or may be, trained."""

    __tablename__ = "practitioners"
    # The workbook's totals per group and its still-to-train counts read these indexes alone (migrations 0019 and
    # 0021, which serves every lookup by organisation too); migration 0026 added the workforce dates to both, so a
    # count of those in post on a date (SPEC 3.1) still reads the index alone.
    __table_args__ = (
        sa.Index(
            "ix_practitioners_group_organisation_key",
            "group_id",
            "organisation_id",
            "authority_key",
            "started_on",
            "left_on",
        ),
        sa.Index(
            "ix_practitioners_organisation_group_key",
            "organisation_id",
            "group_id",
            "authority_key",
            "started_on",
            "left_on",
        ),
        sa.CheckConstraint("left_on IS NULL OR started_on IS NULL OR left_on >= started_on", name="left_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsibility_groups.id", ondelete="SET NULL"), index=True
    )
    cover_category: Mapped[CoverCategory] = mapped_column(
        enum_column(CoverCategory, "cover_category"), default=CoverCategory.NONE
    )
    # A sortable fingerprint of the exact set of authorities ("1,3"), kept by set_authorities,
    # so reports group by the combination in SQL instead of in Python.
    authority_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    # When the record was added (migration 0020; earlier rows carry their first audit event, or nothing).
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # In post on a date D (SPEC 3.1): started_on empty or on/before D, and left_on empty or after D. Empty
    # started_on means not known, treated as always in post (the 2008 history); see services/workforce/in_post.py.
    started_on: Mapped[date | None] = mapped_column(sa.Date)
    left_on: Mapped[date | None] = mapped_column(sa.Date)

    organisation: Mapped[Organisation | None] = relationship()
    group: Mapped[ResponsibilityGroup | None] = relationship()
    authorities: Mapped[list[Authority]] = relationship(
        secondary=practitioner_authorities, order_by=lambda: Authority.display_order
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def set_authorities(self, authorities: list[Authority]) -> None:
        """Replace the set of authorities and keep the combination key in step."""
        unique = {a.id: a for a in authorities}.values()
        self.authorities = sorted(unique, key=lambda a: (a.display_order, a.code))
        self.authority_key = authority_key_for(a.id for a in self.authorities)


def authority_key_for(authority_ids: Iterable[int]) -> str:
    """The combination key for a set of authority ids: sorted ids joined by commas."""
    return ",".join(str(i) for i in sorted(set(authority_ids)))
