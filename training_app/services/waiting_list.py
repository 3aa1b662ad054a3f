"""The waiting list of a session (SPEC 3.4): positions 1, 2, 3 ... without gaps, first come first served.

Callers hold the session's lock (services.bookings.lock_session) for the whole transaction, so two people
leaving the list at once, or a promotion racing a new booking, cannot leave a gap or promote anyone twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingStatus, TrainingSession, utcnow


def waiting(session_id: int) -> list[Booking]:
    """The session's waiting list in order."""
    query = (
        sa.select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlist_position)
    )
    return list(db.session.scalars(query))


def close_gap(session_id: int, position: int) -> None:
    """Move everyone behind `position` up by one, front first, so the unique position index never sees two."""
    for booking in waiting(session_id):
        if booking.waitlist_position is not None and booking.waitlist_position > position:
            booking.waitlist_position -= 1
            db.session.flush()


def leave(booking: Booking, status: BookingStatus) -> None:
    """Take a waiting booking off the list with its new status, closing the gap it leaves."""
    position = booking.waitlist_position
    booking.status, booking.waitlist_position = status, None
    db.session.flush()
    if position is not None:
        close_gap(booking.session_id, position)


def has_started(session: TrainingSession, now: datetime | None = None) -> bool:
    """Whether the session's first day has begun (nobody is promoted onto it then)."""
    first = min((day.starts_at for day in session.days), default=None)
    return first is not None and first <= (now or utcnow())


def promote_first(session: TrainingSession, now: datetime | None = None) -> Booking | None:
    """Give the freed place to the first person waiting, unless the session has started; who was promoted."""
    if has_started(session, now):
        return None
    queue = waiting(session.id)
    if not queue:
        return None
    leave(queue[0], BookingStatus.BOOKED)
    return queue[0]
