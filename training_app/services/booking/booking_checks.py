"""What a session and a person must satisfy before a place is booked (SPEC 3.4), each check a named rule.

Imports load history as it was and skip these (SPEC 4.3); pages and the API go through all of them.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Booking,
    Course,
    Practitioner,
    SessionDay,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
)
from ...models.courses import course_prerequisites
from ..catalogue.courses import retired_problem
from ..common.batches import in_chunks
from ..common.calendar import is_working_day, london_today, to_london, working_days_before
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


def open_for_booking(today: date) -> sa.ColumnElement[bool]:
    """`session_problem`'s rule in SQL, for lists that offer sessions to book: the session is scheduled, its course
    not retired, and its booking window (`booking_closes_on`) still open on `today`.

    The window is open while `today` is before the day N working days ahead of the first day, that is while the
    first day falls after the Nth working day after `today`; that day is worked out here for each window length
    the sessions still to start have, so the databases need no calendar of bank holidays. Every such day is after
    `today`, so the rule also says `starts_on > today`, which a (course, first day) index answers as a short range
    (issue 25: the list of open sessions read all 40,000 sessions, and the longest window twice per page).
    """
    ahead = TrainingSession.starts_on > today
    longest = (
        db.session.scalar(
            sa.select(sa.func.max(TrainingSession.booking_closes_days))
            .join(Course, Course.id == TrainingSession.course_id)
            .where(TrainingSession.status == SessionStatus.SCHEDULED, ahead)
        )
        or 0
    )
    last_closed = [today]
    day = today
    while len(last_closed) <= longest:
        day += timedelta(days=1)
        if is_working_day(day):
            last_closed.append(day)
    window_open = TrainingSession.starts_on > sa.case(
        {n: sa.literal(closed, sa.Date) for n, closed in enumerate(last_closed)},
        value=TrainingSession.booking_closes_days,
    )
    course_open = (
        sa.select(Course.id)
        .where(Course.id == TrainingSession.course_id, Course.retired_at.is_(None))
        .correlate(TrainingSession)  # the outer query may join courses too; this looks its course up on its own
    )
    return sa.and_(TrainingSession.status == SessionStatus.SCHEDULED, ahead, course_open.exists(), window_open)


def _overlap_query() -> sa.Select[int, str]:
    this_day = sa.orm.aliased(SessionDay)
    other_day = sa.orm.aliased(SessionDay)
    session_id: sa.BindParameter[int] = sa.bindparam("session_id")
    return (
        sa.select(Booking.practitioner_id, sa.func.min(TrainingSession.code))
        .join(Booking, Booking.session_id == TrainingSession.id)
        .join(other_day, other_day.session_id == TrainingSession.id)
        .join(this_day, this_day.session_id == session_id)
        .where(
            Booking.practitioner_id.in_(sa.bindparam("ids", expanding=True)),
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.id != session_id,
            TrainingSession.status != SessionStatus.CANCELLED,
            this_day.starts_at < other_day.ends_at,
            other_day.starts_at < this_day.ends_at,
        )
        .group_by(Booking.practitioner_id)
    )


def _prerequisites_query(by_day: bool) -> sa.Select[int, str]:
    completed = sa.select(TrainingRecord.id).where(
        TrainingRecord.practitioner_id == Practitioner.id, TrainingRecord.course_id == Course.id
    )
    if by_day:
        completed = completed.where(TrainingRecord.completed_on <= sa.bindparam("by_day"))
    return (
        sa.select(Practitioner.id, Course.code)
        .select_from(Practitioner)
        .join(course_prerequisites, course_prerequisites.c.course_id == sa.bindparam("course_id"))
        .join(Course, Course.id == course_prerequisites.c.prerequisite_id)
        .where(Practitioner.id.in_(sa.bindparam("ids", expanding=True)), ~completed.exists())
        .order_by(Practitioner.id, Course.code)
    )


def _leavers_query() -> sa.Select[int, date | None]:
    # Every one of the people FOR SHARE on PostgreSQL, whether they have left or not (a lock is taken only on the rows
    # a query returns), so someone being marked as left at this moment (services/workforce/leavers, which locks the
    # person FOR UPDATE) is read once they are, and a leaving waits for a booking being made to commit, then cancels
    # it. SQLite's IMMEDIATE transaction already holds the write lock.
    return (
        sa.select(Practitioner.id, Practitioner.left_on)
        .where(Practitioner.id.in_(sa.bindparam("ids", expanding=True)))
        .with_for_update(read=True)
    )


# Built once with bound parameters: building and keying a query this size took longer than running it, and
# every booking runs both (SQLAlchemy memoises a built statement's cache key). Each takes a list of people, so a
# group booking asks once for all of them.
_OVERLAPS = _overlap_query()
_PREREQUISITES = {False: _prerequisites_query(False), True: _prerequisites_query(True)}
_LEAVERS = _leavers_query()


def overlapping_sessions(session: TrainingSession, practitioner_ids: Iterable[int]) -> dict[int, str]:
    """Per practitioner, the code of another session they hold an active booking on at an overlapping time (the
    first by code); those without one are left out."""
    found: dict[int, str] = {}
    for chunk in in_chunks(practitioner_ids):
        rows = db.session.execute(_OVERLAPS, {"session_id": session.id, "ids": list(chunk)})
        found.update((person, code) for person, code in rows)
    return found


def missing_prerequisites(
    course: Course, practitioner_ids: Iterable[int], by_day: date | None = None
) -> dict[int, list[str]]:
    """Per practitioner, the codes of the course's prerequisites they have not completed (by the given day), in
    order; those missing none are left out."""
    missing: dict[int, list[str]] = defaultdict(list)
    for chunk in in_chunks(practitioner_ids):
        values = {"course_id": course.id, "ids": list(chunk), "by_day": by_day}
        for person, code in db.session.execute(_PREREQUISITES[by_day is not None], values):
            missing[person].append(code)
    return dict(missing)


def leavers_before_end(session: TrainingSession, practitioner_ids: Iterable[int]) -> dict[int, str]:
    """Per practitioner who has left, or leaves, by the session's last day (SPEC 3.1: leavers cannot be booked), the
    reason in words after their name ("left on 3 March 2027 and cannot be booked"); those in post throughout are left
    out."""
    if session.ends_on is None:
        return {}
    found: dict[int, str] = {}
    today = london_today()
    for chunk in in_chunks(practitioner_ids):
        for person, left_on in db.session.execute(_LEAVERS, {"ids": list(chunk)}):
            if left_on is not None and left_on <= session.ends_on:
                when = "left" if left_on <= today else "leaves"
                found[person] = f"{when} on {left_on:%-d %B %Y} and cannot be booked"
    return found


@dataclass(frozen=True)
class Eligibility:
    """What the checks of a booking on one session need to know of some people (overlapping bookings, missing
    prerequisites), each found for all of them in one statement, so a group costs what one person does."""

    session: TrainingSession
    overlaps: dict[int, str]
    missing: dict[int, list[str]]
    leavers: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: TrainingSession, practitioner_ids: Iterable[int]) -> Eligibility:
        """Look up these people's overlapping bookings and missing prerequisites for the session."""
        ids = list(dict.fromkeys(practitioner_ids))
        overlaps = overlapping_sessions(session, ids)
        missing = missing_prerequisites(session.course, ids, session.starts_on)
        return cls(session, overlaps, missing, leavers_before_end(session, ids))

    def problems(
        self, practitioner_id: int, now: datetime, override_reason: str | None = None, window: bool = True
    ) -> list[BookingRefused]:
        """Every rule a new booking of this person on the session breaks, capacity and duplicates aside; `window`
        False leaves out the booking window (a substitute named the day before)."""
        session = self.session
        problems = []
        if problem := session_problem(session, now, window):
            problems.append(problem)
        if leaver := self.leavers.get(practitioner_id):
            problems.append(BookingRefused("practitioner", leaver))
        if code := self.overlaps.get(practitioner_id):
            message = f"is already booked on session {code}, which overlaps this one"
            problems.append(BookingRefused("practitioner", message, Refusal.CONFLICT))
        missing = self.missing.get(practitioner_id)
        if missing and not override_reason:
            message = f"has not completed {', '.join(missing)}, which course {session.course.code} needs first"
            problems.append(BookingRefused("practitioner", message))
        return problems


def eligibility_problems(
    session: TrainingSession,
    practitioner_id: int,
    now: datetime,
    override_reason: str | None = None,
    window: bool = True,
) -> list[BookingRefused]:
    """Every rule a new booking of this person on this session breaks, capacity and duplicates aside (one person's
    Eligibility)."""
    return Eligibility.load(session, [practitioner_id]).problems(practitioner_id, now, override_reason, window)
