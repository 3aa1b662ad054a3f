"""The one place-allocation step (SPEC 3.4): whether a person gets a place on a session, goes on its waiting list or
is refused, and why, with every problem in one order, so booking, a booker's preview, approving a request, a
transfer and a substitute cannot disagree about the same person.

`allocate` decides from what is loaded (a `PlaceLedger` of the locked session's places and the people's active
bookings, an `Eligibility` of their overlaps and prerequisites) and runs no statement, so a group costs the same
lookups as one person; `place` writes what it decided, turning a race the lock could not see into a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Booking, BookingStatus, Practitioner, Role, SelfBooking, TrainingSession, User, WaitlistOrder
from ..accounts.scope import can_book_for, is_staff
from .booking_checks import BookingRefused, Eligibility, Refusal
from .waiting_list import place_in_queue

if TYPE_CHECKING:  # bookings.py books through this module; the ledger is only named here
    from .bookings import PlaceLedger

# The refusal reported first when a booking breaks several rules: who may not book, then what it conflicts with
# (already booked on the course, an overlapping session), then what the session or the person lacks.
REFUSAL_ORDER = (Refusal.FORBIDDEN, Refusal.CONFLICT, Refusal.INVALID)


def in_order(problems: list[BookingRefused]) -> tuple[BookingRefused, ...]:
    """The problems in REFUSAL_ORDER, those of one kind as they were found."""
    return tuple(sorted(problems, key=lambda problem: REFUSAL_ORDER.index(problem.kind)))


@dataclass(frozen=True)
class Allocation:
    """What booking one person on a session does: `booked`, `waitlisted` at `position` (the end of the list as the
    ledger counts it), or refused with every problem, the one to report first first."""

    status: BookingStatus | None
    position: int | None = None
    problems: tuple[BookingRefused, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def refusal(self) -> BookingRefused:
        """The problem to tell the person (the first in REFUSAL_ORDER)."""
        return self.problems[0]


def permission_problem(
    by: User, practitioner: Practitioner, session: TrainingSession, override_reason: str | None = None
) -> BookingRefused | None:
    """Why this user may not book this person on this session at all (another organisation's staff, an override by
    someone not a coordinator, a practitioner on a course they may not book themselves), or None."""
    if not can_book_for(by, practitioner):
        return BookingRefused("practitioner", "is not one of your organisation's staff", Refusal.FORBIDDEN)
    if override_reason and not is_staff(by):
        return BookingRefused("prerequisite_override", "only a coordinator may override prerequisites")
    if by.role == Role.PRACTITIONER and session.course.self_booking != SelfBooking.YES:
        message = f"course {session.course.code} does not let practitioners book a place themselves"
        return BookingRefused("session", message, Refusal.FORBIDDEN)
    return None


def allocate(
    session: TrainingSession,
    practitioner_id: int,
    ledger: PlaceLedger,
    eligibility: Eligibility,
    now: datetime,
    override_reason: str | None = None,
    window: bool = True,
    waitlist: bool = True,
) -> Allocation:
    """Allocate this person on the session as places stand in the ledger: a place if one is free, else (with
    `waitlist`) the waiting list; refused, with every problem in REFUSAL_ORDER, if the session, the person or the
    places break a rule. A place or position given is counted in the ledger; a refusal counts nothing, so the
    next person is allocated as if the refused one had never asked. Runs no statement."""
    status = BookingStatus.BOOKED if ledger.has_place(session) or not waitlist else BookingStatus.WAITLISTED
    problems = eligibility.problems(practitioner_id, now, override_reason, window)
    problems += ledger.problems(session, practitioner_id, status)
    if problems:
        return Allocation(None, problems=in_order(problems))
    ledger.take(session, practitioner_id, status)
    position = ledger.next_position(session.id) if status == BookingStatus.WAITLISTED else None
    return Allocation(status, position)


def place(booking: Booking, allocation: Allocation, session: TrainingSession) -> None:
    """Write an allocation to a booking (new, a request, or one moving here): its status and waiting position (by
    pathway need where the course orders its list so, which makes room). The caller holds the session's lock; the
    database's unique indexes catch what it could not see (the same person booked onto another session of the
    course at that moment), which is refused as a conflict: the caller then rolls back (all, or its savepoint)."""
    if allocation.refused or allocation.status is None:
        raise allocation.refusal
    position = allocation.position
    if position is not None and session.course.waitlist_order == WaitlistOrder.PATHWAY_NEED:
        position = place_in_queue(session, booking.practitioner_id)
    booking.status, booking.waitlist_position = allocation.status, position
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        message = f"already has an active booking for course {session.course.code}"
        raise BookingRefused("practitioner", message, Refusal.CONFLICT) from None


def place_or_roll_back(booking: Booking, allocation: Allocation, session: TrainingSession) -> None:
    """`place`, rolling the whole transaction back on a refusal (one booking in its own transaction)."""
    try:
        place(booking, allocation, session)
    except BookingRefused:
        db.session.rollback()
        raise
