"""Charges for late cancellations and no-shows (SPEC 3.4): from the course's policy, per half day or day."""

from __future__ import annotations

from ..extensions import db
from ..models import Booking, Charge, ChargeReason, TrainingSession
from ..models.sessions import is_half_day


def session_charge_pence(session: TrainingSession) -> int:
    """What a wasted place on the session costs: the course's half-day or day charge for each of its days."""
    course = session.course
    return sum(
        course.charge_half_day_pence if is_half_day(day.minutes) else course.charge_day_pence for day in session.days
    )


def charge_late_cancellation(booking: Booking, session: TrainingSession) -> int:
    """Record the charge a late cancellation carries for the practitioner's organisation; its amount."""
    amount = session_charge_pence(session)
    organisation_id = booking.practitioner.organisation_id
    db.session.add(
        Charge(
            booking_id=booking.id,
            organisation_id=organisation_id,
            reason=ChargeReason.LATE_CANCELLED,
            amount_pence=amount,
        )
    )
    return amount
