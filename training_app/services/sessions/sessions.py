"""Session rules (SPEC 3.3): what may change once a session has bookings or marks, its days, its venue's room.

Imports use them today; the scheduling pages and the API will call the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import AttendanceMark, Course, SessionDay, TrainingSession, Venue
from ..booking.places import NO_BOOKINGS, Places
from ..common.batches import in_chunks


@dataclass(frozen=True)
class SessionProblem:
    """A change a session's history does not allow: the field concerned and why, in words a person can act on."""

    field: str
    message: str


@dataclass(frozen=True)
class DayTimes:
    """One day of a session as asked for: its London date and its start and end as aware UTC datetimes."""

    date: date
    starts_at: datetime
    ends_at: datetime


def change_problems(
    session: TrainingSession,
    course: Course,
    capacity: int,
    dates: Iterable[date],
    places: Places = NO_BOOKINGS,
    marked_day_ids: set[int] | frozenset[int] = frozenset(),
) -> list[SessionProblem]:
    """What is wrong with changing an existing session to this course, capacity and set of days.

    Its course is fixed once anyone has booked; capacity never drops below the places taken; a day with
    attendance marks cannot be removed.
    """
    problems = []
    if places.bookings and course.id != session.course_id:
        problems.append(
            SessionProblem("course", f"session {session.code} already has bookings, so its course cannot change")
        )
    if capacity < places.taken:
        message = f"capacity {capacity} is below the {places.taken} places taken on session {session.code}"
        problems.append(SessionProblem("capacity", message))
    kept = set(dates)
    for day in session.days:
        if day.date not in kept and day.id in marked_day_ids:
            message = f"day {day.date} of session {session.code} has attendance marks, so it must stay in the file"
            problems.append(SessionProblem("date", message))
    return problems


def room_problem(capacity: int, venue: Venue | None) -> SessionProblem | None:
    """A capacity above the venue's room, or None."""
    if venue is not None and capacity > venue.capacity:
        message = f"capacity {capacity} is above the capacity of venue {venue.name} ({venue.capacity})"
        return SessionProblem("capacity", message)
    return None


def set_days(session: TrainingSession, days: Sequence[DayTimes]) -> None:
    """Make the session's days these, keeping (and re-timing) days already there, and refresh its span."""
    existing = {day.date: day for day in session.days}
    new_days = []
    for wanted in days:
        day = existing.get(wanted.date) or SessionDay(date=wanted.date)
        day.starts_at, day.ends_at = wanted.starts_at, wanted.ends_at
        new_days.append(day)
    session.days = sorted(new_days, key=lambda day: day.starts_at)
    session.refresh_span()


def marked_day_ids(session_ids: Iterable[int]) -> set[int]:
    """The days of these sessions that have at least one attendance mark."""
    marked: set[int] = set()
    for chunk in in_chunks(session_ids):
        days = sa.select(SessionDay.id).where(SessionDay.session_id.in_(chunk))
        query = sa.select(AttendanceMark.session_day_id).where(AttendanceMark.session_day_id.in_(days)).distinct()
        marked.update(db.session.scalars(query))
    return marked
