"""Training records and certificates of attendance (SPEC 3.5, 3.6)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .bookings import Booking
from .courses import Course
from .people import Practitioner


class RecordSource(enum.StrEnum):
    BOOKING = "booking"
    IMPORT = "import"


class TrainingRecord(Model):
    """A practitioner completed a course on a date; the basis of 'trained' and of refreshers."""

    __tablename__ = "training_records"
    __table_args__ = (
        sa.UniqueConstraint("practitioner_id", "course_id", "completed_on"),
        sa.Index("ix_training_records_course_completed", "course_id", "completed_on", "practitioner_id"),
        sa.Index("ix_training_records_completed_on", "completed_on"),  # the training-records export's period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"))
    completed_on: Mapped[date] = mapped_column(sa.Date)
    # Expiry is completion plus the course's validity, stored so refresher queries use an index.
    expires_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="SET NULL"), unique=True)
    source: Mapped[RecordSource] = mapped_column(enum_column(RecordSource, "record_source"))
    # Where a historical record added by hand comes from (a register, a spreadsheet), as the coordinator wrote it.
    source_note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practitioner: Mapped[Practitioner] = relationship()
    course: Mapped[Course] = relationship()
    booking: Mapped[Booking | None] = relationship()


class Certificate(Model):
    """A certificate of attendance issued for a completed booking; revoked (and kept) when its record is withdrawn."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_records.id", ondelete="SET NULL"), unique=True
    )
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    training_record: Mapped[TrainingRecord | None] = relationship()
