"""What a session and a person must satisfy before a place is booked (SPEC 3.4), each check a named rule.

Imports load history as it was and skip these (SPEC 4.3); pages and the API go through all of them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import ACTIVE_STATUSES, Booking, Course, SessionDay, SessionStatus, TrainingRecord, TrainingSession
from ...models.courses import course_prerequisites
from ..catalogue.courses import retired_problem
from ..common.calendar import to_london, working_days_before
from .waiting_list import has_started


class Refusal(enum.StrEnum):
    """Why a booking or cancellation was refused, as the API answers it: 409, 403 or 422."""

    CONFLICT = "conflict"  # a duplicate booking of the course, or an overlapping session
    FORBIDDEN = "forbidden"  # the practitioner is outside the user's organisation or role
    INVALID = "invalid"  # the session cannot take it: cancelled, started, closed, prerequisites missing


class BookingRefused(ValueError):
    """A booking breaks a rule; the message says which, in words a person can act on."""

    def __init__(self, field: str, message: str, kind: Refusal = Refusal.INVALID) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.kind = kind


def booking_closes_on(session: TrainingSession) -> date | None:
    """The first day on which the session takes no more bookings: N working days before its first day."""
    if session.starts_on is None:
        return None
    return working_days_before(session.starts_on, session.booking_closes_days)


def session_problem(session: TrainingSession, now: datetime, window: bool = True) -> BookingRefused | None:
    """Why the session cannot take a booking now (cancelled, run, started, closed, no days, retired course), or None."""
    if session.status == SessionStatus.CANCELLED:
        return BookingRefused("session", f"session {session.code} has been cancelled")
    if session.status == SessionStatus.COMPLETED or has_started(session, now):
        return BookingRefused("session", f"session {session.code} has already started")
    if retired := retired_problem(session.course):
        return BookingRefused("session", retired)
    closes = booking_closes_on(session)
    if closes is None:
        return BookingRefused("session", f"session {session.code} has no days yet")
    if window and to_london(now).date() >= closes:
        return BookingRefused("session", f"booking for session {session.code} closed on {closes:%-d %B %Y}")
    return None


def _overlap_query() -> sa.Select[str]:
    this_day = sa.orm.aliased(SessionDay)
    other_day = sa.orm.aliased(SessionDay)
    session_id: sa.BindParameter[int] = sa.bindparam("session_id")
    return (
        sa.select(TrainingSession.code)
        .join(Booking, Booking.session_id == TrainingSession.id)
        .join(other_day, other_day.session_id == TrainingSession.id)
        .join(this_day, this_day.session_id == session_id)
        .where(
            Booking.practitioner_id == sa.bindparam("practitioner_id"),
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.id != session_id,
            TrainingSession.status != SessionStatus.CANCELLED,
            this_day.starts_at < other_day.ends_at,
            other_day.starts_at < this_day.ends_at,
        )
        .limit(1)
    )


def _prerequisites_query(by_day: bool) -> sa.Select[str]:
    completed = sa.select(TrainingRecord.course_id).where(
        TrainingRecord.practitioner_id == sa.bindparam("practitioner_id")
    )
    if by_day:
        completed = completed.where(TrainingRecord.completed_on <= sa.bindparam("by_day"))
    return (
        sa.select(Course.code)
        .join(course_prerequisites, course_prerequisites.c.prerequisite_id == Course.id)
        .where(course_prerequisites.c.course_id == sa.bindparam("course_id"), Course.id.not_in(completed))
        .order_by(Course.code)
    )


# Built once with bound parameters: building and keying a query this size took longer than running it, and
# every booking runs both (SQLAlchemy memoises a built statement's cache key).
_OVERLAP = _overlap_query()
_PREREQUISITES = {False: _prerequisites_query(False), True: _prerequisites_query(True)}


def overlapping_session(session: TrainingSession, practitioner_id: int) -> str | None:
    """The code of another session the practitioner holds an active booking on at an overlapping time."""
    code: str | None = db.session.scalar(_OVERLAP, {"session_id": session.id, "practitioner_id": practitioner_id})
    return code


def missing_prerequisites(course: Course, practitioner_id: int, by_day: date | None = None) -> list[str]:
    """Codes of the course's prerequisites the practitioner has not completed (by the given day)."""
    values = {"course_id": course.id, "practitioner_id": practitioner_id, "by_day": by_day}
    return list(db.session.scalars(_PREREQUISITES[by_day is not None], values))


def eligibility_problems(
    session: TrainingSession,
    practitioner_id: int,
    now: datetime,
    override_reason: str | None = None,
    window: bool = True,
) -> list[BookingRefused]:
    """Every rule a new booking of this person on this session breaks, capacity and duplicates aside; `window`
    False leaves out the booking window (a substitute named the day before)."""
    problems = []
    if problem := session_problem(session, now, window):
        problems.append(problem)
    if code := overlapping_session(session, practitioner_id):
        message = f"is already booked on session {code}, which overlaps this one"
        problems.append(BookingRefused("practitioner", message, Refusal.CONFLICT))
    missing = missing_prerequisites(session.course, practitioner_id, session.starts_on)
    if missing and not override_reason:
        message = f"has not completed {', '.join(missing)}, which course {session.course.code} needs first"
        problems.append(BookingRefused("practitioner", message))
    return problems
