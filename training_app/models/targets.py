"""Training targets (SPEC 3.10): an organisation or an authority aims for a share of its staff in some groups to hold a
current record of a course by a date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Model
from .courses import Course, ResponsibilityGroup
from .places import Authority, Organisation
from .users import User

target_groups = sa.Table(
    "target_groups",
    db.metadata,
    sa.Column("target_id", sa.ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("responsibility_groups.id", ondelete="RESTRICT"), primary_key=True),
)


class Target(Model):
    """A percentage of the staff in post in some groups, of one organisation or counted under one authority, to hold
    a current record of a course by `due_on`; `set_on` is the day it was set (the straight line starts there)."""

    __tablename__ = "targets"
    __table_args__ = (
        sa.CheckConstraint("(organisation_id IS NULL) <> (authority_id IS NULL)", name="organisation_or_authority"),
        sa.CheckConstraint("percent >= 1 AND percent <= 100", name="percent_in_range"),
        sa.CheckConstraint("due_on >= set_on", name="due_after_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"))
    percent: Mapped[int]
    due_on: Mapped[date] = mapped_column(sa.Date)
    set_on: Mapped[date] = mapped_column(sa.Date)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation | None] = relationship()
    authority: Mapped[Authority | None] = relationship()
    course: Mapped[Course] = relationship()
    set_by: Mapped[User | None] = relationship()
    groups: Mapped[list[ResponsibilityGroup]] = relationship(
        secondary=target_groups, order_by=lambda: ResponsibilityGroup.code
    )
