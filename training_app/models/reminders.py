"""The log of reminders sent: its unique key is what stops a reminder going out twice (SPEC 3.6)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, enum_column, utcnow


class ReminderKind(enum.StrEnum):
    REFRESHER = "refresher"
    SESSION = "session"


class ReminderStage(enum.StrEnum):
    DUE_SOON = "due_soon"
    DUE = "due"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"


class ReminderLog(Model):
    """One reminder sent; `dedupe_key` (e.g. 'refresher:42:due') is unique."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, "reminder_kind"))
    stage: Mapped[ReminderStage] = mapped_column(enum_column(ReminderStage, "reminder_stage"))
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="CASCADE"), index=True)
    training_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_records.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"))
    run_date: Mapped[date] = mapped_column(sa.Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
