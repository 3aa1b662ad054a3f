"""The waiting list of a session (SPEC 3.4): positions 1, 2, 3 ... without gaps, first come first served.

Callers hold the session's lock (services.booking.bookings.lock_session) for the whole transaction, so two people
leaving the list at once, or a promotion racing a new booking, cannot leave a gap or promote anyone twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Booking,
    BookingStatus,
    Organisation,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    TrainingSession,
    WaitlistOrder,
    utcnow,
)

# Pathway need: those whose group's pathway requires the course first, then recommended, then everyone else.
NEED_RANK = {Requirement.REQUIRED: 0, Requirement.RECOMMENDED: 1, Requirement.OPTIONAL: 2}
NO_NEED = 3


def waiting(session_id: int) -> list[Booking]:
    """The session's waiting list in order."""
    query = (
        sa.select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlist_position)
    )
    return list(db.session.scalars(query))


def need_ranks(course_id: int, practitioner_ids: list[int]) -> dict[int, int]:
    """How much each practitioner's pathway needs the course: 0 required, 1 recommended, 2 optional, 3 not on it."""
    query = (
        sa.select(Practitioner.id, PathwayCourse.requirement)
        .outerjoin(Pathway, Pathway.group_id == Practitioner.group_id)
        .outerjoin(PathwayCourse, sa.and_(PathwayCourse.pathway_id == Pathway.id, PathwayCourse.course_id == course_id))
        .where(Practitioner.id.in_(practitioner_ids))
    )
    return {person: NEED_RANK.get(requirement, NO_NEED) for person, requirement in db.session.execute(query)}


def place_in_queue(session: TrainingSession, practitioner_id: int) -> int:
    """The position a newcomer joins the waiting list at, making room for it.

    First come: the end. Pathway need: behind everyone whose need is as great or greater, ahead of the rest, who
    move down one (last first, so no two ever hold the same position).
    """
    queue = waiting(session.id)
    if session.course.waitlist_order != WaitlistOrder.PATHWAY_NEED:
        return len(queue) + 1
    ranks = need_ranks(session.course_id, [booking.practitioner_id for booking in queue] + [practitioner_id])
    mine = ranks.get(practitioner_id, NO_NEED)
    position = 1 + sum(1 for booking in queue if ranks.get(booking.practitioner_id, NO_NEED) <= mine)
    for booking in reversed(queue):
        if booking.waitlist_position is not None and booking.waitlist_position >= position:
            booking.waitlist_position += 1
            db.session.flush()
    return position


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
    """Give the freed place to the first person waiting, unless the session has started; who was promoted.

    The one promotion rule: where the course holds offers (`offer_hours`), the place is offered instead: the
    booking becomes `offered` until now + offer_hours and holds the place (places.py counts it as taken) until it is
    accepted, declined or lapses (services.booking.offers), at the latest when the session starts. The caller holds
    the session's lock."""
    now = now or utcnow()
    if has_started(session, now):
        return None
    queue = waiting(session.id)
    if not queue:
        return None
    first = queue[0]
    hours = session.course.offer_hours
    if hours:
        # Held for offer_hours, but never past the session's start: no place is taken up once it has begun.
        starts = min((day.starts_at for day in session.days), default=None)
        expires = now + timedelta(hours=hours)
        first.offer_expires_at = min(expires, starts) if starts is not None else expires
        leave(first, BookingStatus.OFFERED)
    else:
        leave(first, BookingStatus.BOOKED)
    return first


def move_to(booking: Booking, position: int) -> int:
    """Move a waiting booking to another position of its session's list, the people between shifting by one so
    positions stay 1, 2, 3 ... without gaps (the unique position index never sees two at once); its old position.
    The caller holds the session's lock and has checked 1 <= position <= the list's length."""
    old = booking.waitlist_position
    if old is None or old == position:
        return position if old is None else old
    queue = waiting(booking.session_id)
    booking.waitlist_position = len(queue) + 1  # parked past the end while the others move
    db.session.flush()
    if position < old:
        between = [
            other
            for other in reversed(queue)
            if other is not booking and position <= (other.waitlist_position or 0) < old
        ]
        step = 1
    else:
        between = [
            other for other in queue if other is not booking and old < (other.waitlist_position or 0) <= position
        ]
        step = -1
    for other in between:
        other.waitlist_position = (other.waitlist_position or 0) + step
        db.session.flush()
    booking.waitlist_position = position
    db.session.flush()
    return old


def waiting_list_rows(session_id: int) -> list[sa.Row[Any]]:
    """A session's waiting list in order, for the coordinator's page: position, when, name and organisation."""
    return list(
        db.session.execute(
            sa.select(Booking.id, Booking.waitlist_position, Booking.created_at, Practitioner.first_name)
            .add_columns(Practitioner.last_name, Organisation.name.label("organisation"))
            .join(Practitioner, Practitioner.id == Booking.practitioner_id)
            .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.waitlist_position)
        ).all()
    )
