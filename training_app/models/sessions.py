"""Sessions (deliveries of a course), their days and trainers (SPEC 3.3)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Model, UTCDateTime, enum_column
from .courses import Course
from .places import Area, Authority, Venue

HALF_DAY_MINUTES = 240


def is_half_day(minutes: int) -> bool:
    """A session day of at most four hours is a half day (SPEC 3.7); longer is a day."""
    return minutes <= HALF_DAY_MINUTES


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


session_trainers = sa.Table(
    "session_trainers",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("trainer_id", sa.ForeignKey("trainers.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Trainer(Model):
    """Someone who delivers sessions; may also have a user account."""

    __tablename__ = "trainers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # SHA-256 of the secret in the trainer's calendar feed URL; None when no feed is issued (or it was revoked).
    feed_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)


class TrainingSession(Model):
    """One delivery of a course over one or more days."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("booking_closes_days >= 0", name="closes_not_negative"),
        sa.CheckConstraint("minimum_places IS NULL OR minimum_places >= 1", name="minimum_positive"),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        sa.Index("ix_sessions_course_starts", "course_id", "starts_on"),
        sa.Index("ix_sessions_host_starts", "host_authority_id", "starts_on"),
        sa.Index("ix_sessions_starts_on_code", "starts_on", "code"),  # lists in date order (migration 0041)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"))
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venues.id", ondelete="SET NULL"), index=True)
    capacity: Mapped[int]
    host_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id", ondelete="RESTRICT"))
    host_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    booking_closes_days: Mapped[int] = mapped_column(default=0)
    # Empty: the course's minimum_places (SPEC 3.3); services/sessions/minimum_numbers.py reads either.
    minimum_places: Mapped[int | None]
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED, index=True
    )
    # First and last day, kept by the scheduling service and imports so reports filter on an index.
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(400))
    # The iCalendar SEQUENCE of the session's events: raised on every change of time, venue or status.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    course: Mapped[Course] = relationship()
    venue: Mapped[Venue | None] = relationship()
    host_authority: Mapped[Authority] = relationship()
    host_area: Mapped[Area | None] = relationship()
    days: Mapped[list[SessionDay]] = relationship(
        back_populates="session", order_by="SessionDay.starts_at", cascade="all, delete-orphan"
    )
    trainers: Mapped[list[Trainer]] = relationship(secondary=session_trainers)

    def refresh_span(self) -> None:
        """Keep starts_on / ends_on equal to the first and last day."""
        dates = sorted(day.date for day in self.days)
        self.starts_on = dates[0] if dates else None
        self.ends_on = dates[-1] if dates else None


class SessionDay(Model):
    """One day of a session: its London date and its start and end stored in UTC."""

    __tablename__ = "session_days"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "date"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_session_days_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(sa.Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[TrainingSession] = relationship(back_populates="days")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_half_day(self) -> bool:
        """A day of at most four hours is a half day (SPEC 3.7)."""
        return is_half_day(self.minutes)
