"""Helpers for API tests: users with tokens, bearer headers and bookings."""

from __future__ import annotations

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Role, TrainingSession, User
from training_app.services.accounts.accounts import issue_api_token

from ..factories import make_booking, make_practitioner, make_user


def user_with_token(role: Role = Role.ADMIN, **fields) -> tuple[User, str]:
    """A user of the role and a fresh API token for them (flushed, not committed)."""
    user = make_user(role, **fields)
    return user, issue_api_token(user)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def book_new_practitioner(
    session: TrainingSession, status: BookingStatus = BookingStatus.BOOKED, position: int | None = None
) -> Booking:
    """A booking of a new practitioner on the session, next on the waiting list when waitlisted."""
    if status == BookingStatus.WAITLISTED and position is None:
        waiting = sa.select(sa.func.count()).select_from(Booking).filter_by(session_id=session.id, status=status)
        position = 1 + db.session.scalar(waiting)
    return make_booking(session, make_practitioner(), status, position)
