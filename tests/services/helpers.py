"""Factory helpers for counting tests: training records and bookings."""

from __future__ import annotations

from datetime import date

from training_app.extensions import db
from training_app.models import Booking, BookingStatus, RecordSource, TrainingRecord


def make_record(practitioner, course, completed_on: date) -> TrainingRecord:
    record = TrainingRecord(
        practitioner=practitioner, course=course, completed_on=completed_on, source=RecordSource.IMPORT
    )
    db.session.add(record)
    db.session.flush()
    return record


def make_booking(session, practitioner, status=BookingStatus.BOOKED, position=None) -> Booking:
    booking = Booking(
        session=session,
        practitioner=practitioner,
        course_id=session.course_id,
        status=status,
        waitlist_position=position,
    )
    db.session.add(booking)
    db.session.flush()
    return booking
