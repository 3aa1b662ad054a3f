"""Training records and certificates: completing a booking, and when a record expires (SPEC 3.5, 3.6)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, Certificate, RecordSource, TrainingRecord
from .batches import Query


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The longest validity a course may have: with completions within calendar.LATEST_DATE, every expiry stays far
# inside the years Python's date holds, so add_months can never overflow.
MAX_VALIDITY_MONTHS = 100 * 12  # also a CHECK on courses (migration 0004)


def expiry_for(completed_on: date, validity_months: int | None) -> date | None:
    """When a record completed on a date expires: completion plus the course's validity; None if it never does."""
    return add_months(completed_on, validity_months) if validity_months else None


def certificate_number(record_id: int) -> str:
    """The printed number of a record's certificate: unique because the record id is."""
    return f"CERT-{record_id:06d}"


def record_completion(booking: Booking) -> TrainingRecord:
    """Record a completed booking: its training record and certificate, once however often it is called."""
    return record_completions([booking])[0]


def record_completions(bookings: Sequence[Booking]) -> list[TrainingRecord]:
    """Record many completed bookings with a fixed number of queries; each gets exactly one record."""
    if not bookings:
        return []
    db.session.flush()
    session_ids = {booking.session_id for booking in bookings}
    linked, unlinked = _existing_records(bookings, session_ids)
    records = [_record_for(booking, linked, unlinked) for booking in bookings]
    db.session.flush()
    _issue_certificates(records, session_ids)
    return records


def _records_of_sessions(session_ids: set[int]) -> Query:
    """The ids of records made from bookings on these sessions (a subquery, so no list of booking ids is sent)."""
    bookings = sa.select(Booking.id).where(Booking.session_id.in_(session_ids))
    return sa.select(TrainingRecord.id).where(TrainingRecord.booking_id.in_(bookings))


def _completed_on(booking: Booking) -> date:
    if booking.session.ends_on is None:
        raise ValueError(f"session {booking.session.code} has no days, so no booking on it can be completed")
    return booking.session.ends_on


def _existing_records(
    bookings: Sequence[Booking], session_ids: set[int]
) -> tuple[dict[int | None, TrainingRecord], dict[tuple[int, int, date], TrainingRecord]]:
    """Records already made from these bookings, and imported records of the same completions."""
    by_booking = sa.select(TrainingRecord).where(TrainingRecord.id.in_(_records_of_sessions(session_ids)))
    linked = {record.booking_id: record for record in db.session.scalars(by_booking)}
    same_completion = sa.select(TrainingRecord).where(
        TrainingRecord.booking_id.is_(None),
        TrainingRecord.course_id.in_({booking.course_id for booking in bookings}),
        TrainingRecord.completed_on.in_({_completed_on(booking) for booking in bookings}),
    )
    unlinked = {
        (record.practitioner_id, record.course_id, record.completed_on): record
        for record in db.session.scalars(same_completion)
    }
    return linked, unlinked


def _record_for(
    booking: Booking,
    linked: dict[int | None, TrainingRecord],
    unlinked: dict[tuple[int, int, date], TrainingRecord],
) -> TrainingRecord:
    """The booking's record: the one already made, an imported one of the same completion, or a new one."""
    completed_on = _completed_on(booking)
    record = linked.get(booking.id) or unlinked.pop((booking.practitioner_id, booking.course_id, completed_on), None)
    if record is None:
        record = TrainingRecord(
            practitioner_id=booking.practitioner_id,
            course_id=booking.course_id,
            completed_on=completed_on,
            source=RecordSource.BOOKING,
        )
        db.session.add(record)
    record.booking_id = booking.id
    record.expires_on = expiry_for(completed_on, booking.session.course.validity_months)
    return record


def _issue_certificates(records: list[TrainingRecord], session_ids: set[int]) -> None:
    issued = set(
        db.session.scalars(
            sa.select(Certificate.training_record_id).where(
                Certificate.training_record_id.in_(_records_of_sessions(session_ids))
            )
        )
    )
    for record_id in dict.fromkeys(record.id for record in records):
        if record_id not in issued:
            db.session.add(Certificate(training_record_id=record_id, number=certificate_number(record_id)))
    db.session.flush()
