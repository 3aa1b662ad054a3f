"""Places on sessions: the one query that says how many places each session's bookings take (SPEC 3.4).

A place is held by a booking that took it and did not give it back: `booked` before the session, then
`attended`, `absent` or `no_show` once the register is marked, and an open waiting-list offer (`offered`: held
for the person offered it, so new bookings wait while it is open) (models.PLACE_HOLDING_STATUSES). Reports,
listings, dashboards, booking and imports all count through `session_places`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import overload

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from ...extensions import db
from ...models import PLACE_HOLDING_STATUSES, Booking, BookingStatus, TrainingSession, Venue
from ..common.batches import Query, in_chunks
from .booking_checks import open_for_booking


@dataclass(frozen=True)
class Places:
    """One session's bookings counted: places taken, people waiting, the last waiting position, all bookings."""

    taken: int = 0
    waitlisted: int = 0
    last_position: int = 0
    bookings: int = 0


NO_BOOKINGS = Places()
_Column = sa.ColumnElement[int] | InstrumentedAttribute[int]


@overload
def places_left(capacity: int, taken: int) -> int: ...
@overload
def places_left(capacity: _Column, taken: _Column) -> sa.ColumnElement[int]: ...
def places_left(capacity: int | _Column, taken: int | _Column) -> int | sa.ColumnElement[int]:
    """Places still free on a session: its capacity less the places taken, never below zero (walk-ins and a
    lowered capacity can fill a session past it). Numbers give a number; columns give the same rule in SQL (use
    plain columns there, not a correlated count, which the CASE would run twice)."""
    if isinstance(capacity, int):
        assert isinstance(taken, int)
        return max(capacity - taken, 0)
    return sa.case((capacity > taken, capacity - taken), else_=0)


def session_places(session_ids: Query | Iterable[int] | None = None) -> sa.Subquery:
    """Per session with bookings: `session_id`, `taken`, `waitlisted`, `last_position` and `bookings`.

    Join it (outer, coalescing to 0) to sessions in any query; `session_ids`, a subquery or a list of ids,
    narrows it.
    """
    query = sa.select(
        Booking.session_id.label("session_id"),
        _taken().label("taken"),
        sa.func.count(sa.case((Booking.status == BookingStatus.WAITLISTED, 1))).label("waitlisted"),
        sa.func.coalesce(sa.func.max(Booking.waitlist_position), 0).label("last_position"),
        sa.func.count(Booking.id).label("bookings"),
    ).group_by(Booking.session_id)
    if session_ids is not None:
        query = query.where(Booking.session_id.in_(session_ids))
    return query.subquery("places")


def taken_on(session_id: sa.ColumnElement[int] | InstrumentedAttribute[int]) -> sa.ScalarSelect[int]:
    """Places taken on the session a column names, counted as session_places counts them but as a correlated count
    over the bookings' (session, status) index: one short index range per session, for a report over a window of
    sessions, instead of grouping the bookings of every session in it first."""
    return (
        sa.select(sa.func.count())
        .where(Booking.session_id == session_id, Booking.status.in_(PLACE_HOLDING_STATUSES))
        .scalar_subquery()
    )


def waiting_on(session_id: sa.ColumnElement[int] | InstrumentedAttribute[int]) -> sa.ScalarSelect[int]:
    """People waiting for a place on the session a column names, counted as session_places counts `waitlisted`,
    correlated as taken_on is."""
    return (
        sa.select(sa.func.count())
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .scalar_subquery()
    )


def _taken() -> sa.ColumnElement[int]:
    return sa.func.count(sa.case((Booking.status.in_(PLACE_HOLDING_STATUSES), 1)))


def places_by_session(session_ids: Iterable[int]) -> dict[int, Places]:
    """The places of each given session; a session without bookings is left out (it has NO_BOOKINGS)."""
    found: dict[int, Places] = {}
    for chunk in in_chunks(session_ids):
        rows = db.session.execute(_PLACES_OF, {"session_ids": list(chunk)})
        found.update({row.session_id: Places(*row[1:]) for row in rows})
    return found


# Built once (every booking counts places): an expanding parameter takes each chunk of session ids.
_PLACES_OF = sa.select(session_places(sa.bindparam("session_ids", expanding=True)))


def places_of(session_id: int) -> Places:
    """One session's places."""
    return places_by_session([session_id]).get(session_id, NO_BOOKINGS)


@dataclass(frozen=True)
class ComingSession:
    """A session of a course that is open for booking and still has places."""

    course_id: int
    code: str
    starts_on: date
    ends_on: date
    venue: str | None
    places_left: int


def coming_sessions_with_places(course_ids: Iterable[int], today: date, per_course: int = 3) -> list[ComingSession]:
    """The first `per_course` sessions of each course open for booking on `today` (`booking_checks.open_for_booking`:
    scheduled, course not retired, booking window not closed) with places left, by date.

    One query: places counted by `session_places`, the first few per course picked by a window function.
    """
    course_ids = list(course_ids)
    if not course_ids:
        return []
    places = session_places(sa.select(TrainingSession.id).where(TrainingSession.course_id.in_(course_ids)))
    left = places_left(TrainingSession.capacity, sa.func.coalesce(places.c.taken, 0))
    ranked = (
        sa.select(
            TrainingSession.course_id,
            TrainingSession.code,
            TrainingSession.starts_on,
            TrainingSession.ends_on,
            Venue.name.label("venue"),
            left.label("places_left"),
            sa.func.row_number()
            .over(partition_by=TrainingSession.course_id, order_by=(TrainingSession.starts_on, TrainingSession.code))
            .label("rank"),
        )
        .outerjoin(places, places.c.session_id == TrainingSession.id)
        .outerjoin(Venue, Venue.id == TrainingSession.venue_id)
        .where(
            TrainingSession.course_id.in_(course_ids),
            open_for_booking(today),
            left > 0,
        )
        .subquery()
    )
    query = (
        sa.select(*[ranked.c[name] for name in ("course_id", "code", "starts_on", "ends_on", "venue", "places_left")])
        .where(ranked.c.rank <= per_course)
        .order_by(ranked.c.starts_on, ranked.c.code)
    )
    return [ComingSession(*row) for row in db.session.execute(query)]
