"""Bookings with status and waiting-list position, and the charges they may carry (SPEC 3.4)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .courses import Course
from .people import Practitioner
from .places import Organisation
from .sessions import TrainingSession


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    ATTENDED = "attended"
    ABSENT = "absent"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    NO_SHOW = "no_show"
    # A practitioner's request on a `with_approval` course: it holds no place and waits for their booker.
    REQUESTED = "requested"
    DECLINED = "declined"
    # A waiting-list offer (SPEC 3.4, a course with `offer_hours`): the freed place is held for the first person
    # waiting until `offer_expires_at`; they accept (booked), decline, or let it lapse (the offer passes on).
    OFFERED = "offered"
    OFFER_DECLINED = "offer_declined"
    OFFER_LAPSED = "offer_lapsed"


ACTIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.OFFERED)
# Bookings that used up a place on their session, whether it is still to come or has run; a held offer holds its
# place (pretix's idea: what is offered counts as taken), so capacity holds while it is open.
PLACE_HOLDING_STATUSES = (
    BookingStatus.BOOKED,
    BookingStatus.ATTENDED,
    BookingStatus.ABSENT,
    BookingStatus.NO_SHOW,
    BookingStatus.OFFERED,
)
_ACTIVE_SQL = "status IN ('booked', 'waitlisted', 'offered')"
# The longest answer to each booking question (access needs, dietary needs), in characters.
NEEDS_MAX_LENGTH = 500


class Booking(Model):
    """A practitioner's place (or place in the queue) on one session."""

    __tablename__ = "bookings"
    __table_args__ = (
        # One active booking per practitioner per course: the database is the last line of defence.
        sa.Index(
            "uq_bookings_active_practitioner_course",
            "practitioner_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text(_ACTIVE_SQL),
            postgresql_where=sa.text(_ACTIVE_SQL),
        ),
        sa.Index(
            "uq_bookings_waitlist_position",
            "session_id",
            "waitlist_position",
            unique=True,
            sqlite_where=sa.text("status = 'waitlisted'"),
            postgresql_where=sa.text("status = 'waitlisted'"),
        ),
        # One open request per practitioner per course.
        sa.Index(
            "uq_bookings_requested_practitioner_course",
            "practitioner_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        ),
        sa.Index("ix_bookings_session_status", "session_id", "status"),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="position_only_when_waitlisted"
        ),
        sa.CheckConstraint("waitlist_position IS NULL OR waitlist_position >= 1", name="position_positive"),
        sa.CheckConstraint("status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_expiry"),
        # The scheduler's look for offers that ran out.
        sa.Index(
            "ix_bookings_open_offers",
            "offer_expires_at",
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="CASCADE"), index=True)
    # The session's course, copied so the partial unique index above can see it.
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus, "booking_status"))
    waitlist_position: Mapped[int | None]
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(400))
    prerequisite_override: Mapped[str | None] = mapped_column(sa.String(400))
    substitute_id: Mapped[int | None] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="SET NULL"))
    walk_in: Mapped[bool] = mapped_column(default=False)
    # Booking questions (SPEC 3.4): shown only to the session's trainers and coordinators
    # (services/booking/booking_needs.may_see_needs), erased 30 days after the session ends.
    access_needs: Mapped[str | None] = mapped_column(sa.String(NEEDS_MAX_LENGTH))
    dietary_needs: Mapped[str | None] = mapped_column(sa.String(NEEDS_MAX_LENGTH))
    # When a waiting-list offer runs out (kept after it is answered, as its history).
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TrainingSession] = relationship()
    practitioner: Mapped[Practitioner] = relationship(foreign_keys=[practitioner_id])
    course: Mapped[Course] = relationship()
    substitute: Mapped[Practitioner | None] = relationship(foreign_keys=[substitute_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ChargeReason(enum.StrEnum):
    LATE_CANCELLED = "late_cancelled"
    NO_SHOW = "no_show"


class Charge(Model):
    """What an organisation owes for a late cancellation or a no-show."""

    __tablename__ = "charges"
    __table_args__ = (sa.CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[ChargeReason] = mapped_column(enum_column(ChargeReason, "charge_reason"))
    amount_pence: Mapped[int]
    waived_reason: Mapped[str | None] = mapped_column(sa.String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
