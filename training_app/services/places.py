"""Places on sessions: the one query that says how many places each session's bookings take (SPEC 3.4).

A place is held by a booking that took it and did not give it back: `booked` before the session, then
`attended`, `absent` or `no_show` once the register is marked (models.PLACE_HOLDING_STATUSES). Reports,
listings, dashboards, booking and imports all count through `session_places`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import PLACE_HOLDING_STATUSES, Booking, BookingStatus
from .batches import Query, in_chunks


@dataclass(frozen=True)
class Places:
    """One session's bookings counted: places taken, people waiting, the last waiting position, all bookings."""

    taken: int = 0
    waitlisted: int = 0
    last_position: int = 0
    bookings: int = 0


NO_BOOKINGS = Places()


def session_places(session_ids: Query | Iterable[int] | None = None) -> sa.Subquery:
    """Per session with bookings: `session_id`, `taken`, `waitlisted`, `last_position` and `bookings`.

    Join it (outer, coalescing to 0) to sessions in any query; `session_ids`, a subquery or a list of ids,
    narrows it.
    """
    query = sa.select(
        Booking.session_id.label("session_id"),
        sa.func.count(sa.case((Booking.status.in_(PLACE_HOLDING_STATUSES), 1))).label("taken"),
        sa.func.count(sa.case((Booking.status == BookingStatus.WAITLISTED, 1))).label("waitlisted"),
        sa.func.coalesce(sa.func.max(Booking.waitlist_position), 0).label("last_position"),
        sa.func.count(Booking.id).label("bookings"),
    ).group_by(Booking.session_id)
    if session_ids is not None:
        query = query.where(Booking.session_id.in_(session_ids))
    return query.subquery("places")


def places_by_session(session_ids: Iterable[int]) -> dict[int, Places]:
    """The places of each given session; a session without bookings is left out (it has NO_BOOKINGS)."""
    found: dict[int, Places] = {}
    for chunk in in_chunks(session_ids):
        rows = db.session.execute(sa.select(session_places(chunk)))
        found.update({row.session_id: Places(*row[1:]) for row in rows})
    return found


def places_of(session_id: int) -> Places:
    """One session's places."""
    return places_by_session([session_id]).get(session_id, NO_BOOKINGS)
