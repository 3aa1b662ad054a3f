"""Per-day attendance marks on the register (SPEC 3.5)."""

from __future__ import annotations

import enum
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .bookings import Booking
from .sessions import SessionDay


class MarkStatus(enum.StrEnum):
    ATTENDED = "attended"
    ABSENT = "absent"
    PARTIAL = "partial"


class AttendanceMark(Model):
    """One booked person on one session day: attended, absent or partial."""

    __tablename__ = "attendance_marks"
    __table_args__ = (
        sa.UniqueConstraint("booking_id", "session_day_id"),
        sa.Index("ix_attendance_marks_day_status", "session_day_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"))
    session_day_id: Mapped[int] = mapped_column(sa.ForeignKey("session_days.id", ondelete="CASCADE"))
    status: Mapped[MarkStatus] = mapped_column(enum_column(MarkStatus, "mark_status"))
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For a partial day: when they arrived (late) or left (early), London time, as the trainer wrote it.
    noted_time: Mapped[time | None] = mapped_column(sa.Time)
    notes: Mapped[str] = mapped_column(sa.String(400), default="", server_default="")

    booking: Mapped[Booking] = relationship()
    session_day: Mapped[SessionDay] = relationship()
