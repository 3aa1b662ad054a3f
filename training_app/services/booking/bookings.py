"""Booking rules (SPEC 3.4): capacity, one active booking per course, waiting-list order, marking every day.

Written for batches: a `PlaceLedger` takes the locked sessions of one transaction and the active bookings of
the people concerned, then checks and applies booking after booking in order, so one booking from a page or
the API and a whole import file go through the same checks (pretix's single quota check). The database backs
it up with the partial unique indexes on bookings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    AttendanceMark,
    AuditAction,
    Booking,
    BookingStatus,
    MarkStatus,
    Practitioner,
    Role,
    TrainingSession,
    User,
    utcnow,
)
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..accounts.scope import booked_people_scope, can_book_for
from ..attendance.records import complete_marked
from ..common.batches import fetch_in, in_chunks
from ..common.calendar import to_london, working_days_before
from ..common.locks import locking
from ..webhooks.events import record_booking_event
from . import booking_mail
from .allocation import allocate, permission_problem, place_or_roll_back
from .booking_checks import BookingRefused, Eligibility, Refusal
from .charges import charge_late_cancellation
from .places import NO_BOOKINGS, places_by_session, places_left
from .waiting_list import has_started, leave, promote_first

if TYPE_CHECKING:  # booking_needs locks through this module; the answers are only named here
    from .booking_needs import Needs

# The booking statuses that say how every day of the session was marked.
DAY_MARKS = {BookingStatus.ATTENDED: MarkStatus.ATTENDED, BookingStatus.ABSENT: MarkStatus.ABSENT}


def lock_sessions(codes: Iterable[str]) -> dict[str, TrainingSession]:
    """Load sessions by code with their days and course, locking their rows until the transaction ends.

    PostgreSQL takes `SELECT ... FOR UPDATE`; on SQLite the transaction already holds the write lock
    (database.py begins every writing transaction IMMEDIATE). Loaded afresh (services.common.locks); count places
    only after this.
    """
    query = locking(
        sa.select(TrainingSession).options(selectinload(TrainingSession.days), selectinload(TrainingSession.course))
    )
    return {session.code: session for session in fetch_in(query, TrainingSession.code, codes)}


@dataclass
class _Held:
    """An active booking known to the ledger: where it is, so a message can name it."""

    session_id: int
    where: str


class PlaceLedger:
    """Places on locked sessions and the active bookings of some practitioners, kept up to date as a batch of
    bookings is checked, so capacity and one active booking per course hold across the whole batch."""

    def __init__(self, sessions: Sequence[TrainingSession], practitioner_ids: Iterable[int]) -> None:
        self.sessions = {session.id: session for session in sessions}
        places = places_by_session(self.sessions)
        self.taken = {session_id: places.get(session_id, NO_BOOKINGS).taken for session_id in self.sessions}
        self.last_position = {
            session_id: places.get(session_id, NO_BOOKINGS).last_position for session_id in self.sessions
        }
        self.active = _active_bookings(practitioner_ids)

    def release(self, booking: Booking) -> None:
        """Forget what an existing booking holds, before the batch says again what it holds."""
        if booking.status in PLACE_HOLDING_STATUSES and booking.session_id in self.taken:
            self.taken[booking.session_id] -= 1
        if booking.status in ACTIVE_STATUSES:
            held = self.active.get((booking.practitioner_id, booking.course_id))
            if held is not None and held.session_id == booking.session_id:
                del self.active[(booking.practitioner_id, booking.course_id)]

    def problems(self, session: TrainingSession, practitioner_id: int, status: BookingStatus) -> list[BookingRefused]:
        """Every rule a booking of `status` would break as places stand (a full session, a second active booking of
        the course), counting nothing."""
        problems = []
        if status in ACTIVE_STATUSES and (held := self.active.get((practitioner_id, session.course_id))):
            message = f"already has an active booking for course {session.course.code} {held.where}"
            problems.append(BookingRefused("practitioner", message, Refusal.CONFLICT))
        if status in PLACE_HOLDING_STATUSES and not self.has_place(session):
            message = f"session {session.code} is full: its {session.capacity} places are all taken"
            problems.append(BookingRefused("session", message))
        return problems

    def take(
        self, session: TrainingSession, practitioner_id: int, status: BookingStatus, where: str = ""
    ) -> list[BookingRefused]:
        """Count a booking of `status` and return every rule it breaks (see problems); `where` names this booking in
        later messages. A caller refusing one booking rolls back."""
        problems = self.problems(session, practitioner_id, status)
        if status in ACTIVE_STATUSES:
            self.active.setdefault(
                (practitioner_id, session.course_id), _Held(session.id, where or f"(session {session.code})")
            )
        if status in PLACE_HOLDING_STATUSES:
            self.taken[session.id] = self.taken.get(session.id, 0) + 1
        return problems

    def has_place(self, session: TrainingSession) -> bool:
        """Whether a place is free on the session now."""
        return places_left(session.capacity, self.taken.get(session.id, 0)) > 0

    def next_position(self, session_id: int) -> int:
        """The next place in the session's waiting list (1 when nobody waits), reserved for the caller."""
        self.last_position[session_id] = self.last_position.get(session_id, 0) + 1
        return self.last_position[session_id]


def set_status(booking: Booking, status: BookingStatus, ledger: PlaceLedger) -> None:
    """Give a booking its status; a booking joining the waiting list goes to its end."""
    if status != BookingStatus.WAITLISTED:
        booking.waitlist_position = None
    elif booking.status != BookingStatus.WAITLISTED or booking.waitlist_position is None:
        booking.waitlist_position = ledger.next_position(booking.session_id)
    booking.status = status


def mark_every_day(marked: Sequence[tuple[Booking, MarkStatus]]) -> None:
    """Mark every day of each booking's session with the given status, replacing marks already there; bookings
    now attended on every day complete through the register's one rule (records.complete_marked)."""
    if not marked:
        return
    existing = _marks({booking.session_id for booking, _ in marked})
    for booking, status in marked:
        for day in booking.session.days:
            mark = existing.get((booking.id, day.id))
            if mark is None:
                db.session.add(AttendanceMark(booking_id=booking.id, session_day_id=day.id, status=status))
            else:
                mark.status = status
    complete_marked([booking for booking, status in marked if status == MarkStatus.ATTENDED])


# Built once with bound parameters (every booking runs them; building a statement costs more than running it).
_ACTIVE_BOOKINGS = (
    sa.select(Booking.practitioner_id, Booking.course_id, Booking.session_id, TrainingSession.code)
    .join(TrainingSession, TrainingSession.id == Booking.session_id)
    .where(Booking.status.in_(ACTIVE_STATUSES), Booking.practitioner_id.in_(sa.bindparam("ids", expanding=True)))
)
# The session with what a booking's checks and its email read (days, course, venue, trainers). Each in a query of
# its own, run once the lock is held: on PostgreSQL a JOIN in the locking statement would bring the days and course
# as they were before the wait (services/common/locks.py), so a booking could check days an edit had just changed.
_LOCK_SESSION = locking(
    sa.select(TrainingSession)
    .options(
        selectinload(TrainingSession.days),
        selectinload(TrainingSession.course),
        selectinload(TrainingSession.venue),
        selectinload(TrainingSession.trainers),
    )
    .where(TrainingSession.id == sa.bindparam("session_id"))
)


def _active_bookings(practitioner_ids: Iterable[int]) -> dict[tuple[int, int], _Held]:
    """Every active booking of these practitioners, by (practitioner id, course id)."""
    chunks = in_chunks(practitioner_ids)
    rows = [row for chunk in chunks for row in db.session.execute(_ACTIVE_BOOKINGS, {"ids": chunk})]
    return {(person, course): _Held(session_id, f"(session {code})") for person, course, session_id, code in rows}


def _marks(session_ids: Iterable[int]) -> dict[tuple[int, int], AttendanceMark]:
    """Existing marks of the bookings on these sessions, by (booking id, day id)."""
    marks: dict[tuple[int, int], AttendanceMark] = {}
    for chunk in in_chunks(session_ids):
        bookings = sa.select(Booking.id).where(Booking.session_id.in_(chunk))
        query = sa.select(AttendanceMark).where(AttendanceMark.booking_id.in_(bookings))
        marks.update({(mark.booking_id, mark.session_day_id): mark for mark in db.session.scalars(query)})
    return marks


def lock_session(session_id: int) -> TrainingSession:
    """One session, locked for the rest of the transaction (see lock_sessions), loaded afresh with what bookings
    read: a copy the caller loaded before is overwritten, so no check runs on what was true before the lock."""
    return db.session.execute(_LOCK_SESSION, {"session_id": session_id}).unique().scalar_one()


def lock_session_of(booking: Booking) -> TrainingSession:
    """Lock the session a booking is on and read the booking afresh; refused (nothing written) when a change made at
    the same moment moved it to another session, whose lock this transaction does not hold."""
    session = lock_session(booking.session_id)
    db.session.refresh(booking)
    if booking.session_id != session.id:
        moved_to = booking.session.code
        db.session.rollback()
        message = f"has just moved to session {moved_to}: open it again to change it there"
        raise BookingRefused("booking", message, Refusal.CONFLICT)
    return session


def book_place(
    session: TrainingSession,
    practitioner: Practitioner,
    by: User,
    override_reason: str | None = None,
    now: datetime | None = None,
    needs: Needs | None = None,
) -> Booking:
    """Book a practitioner a place, or the next place on the waiting list, in one committed transaction, with the
    answers to the booking questions (`booking_needs.read_needs`) if any were given.

    The session row is locked before places are counted, so however many requests arrive at once the
    capacity is never exceeded and waiting positions run 1, 2, 3 ... Raises BookingRefused (nothing written).
    """
    now = now or utcnow()
    if problem := permission_problem(by, practitioner, session, override_reason):
        raise problem
    locked = lock_session(session.id)
    ledger = PlaceLedger([locked], [practitioner.id])
    eligibility = Eligibility.load(locked, [practitioner.id])
    allocation = allocate(locked, practitioner.id, ledger, eligibility, now, override_reason)
    booking = Booking(
        session_id=locked.id,
        practitioner_id=practitioner.id,
        course_id=locked.course_id,
        booked_by_id=by.id,
        prerequisite_override=override_reason or None,
    )
    if needs is not None:
        needs.write_to(booking)
    place_or_roll_back(booking, allocation, locked)
    audit.record(by, AuditAction.BOOKING_MADE, booking, new=booking_made_values(booking))
    record_booking_event(WebhookEvent.BOOKING_CREATED, [booking])  # its webhooks' deliveries join it too
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_booking(booking)
    db.session.commit()
    return booking


@dataclass(frozen=True)
class Cancellation:
    """What cancelling did: the booking's new status, any charge, and who took the freed place."""

    booking: Booking
    charge_pence: int | None
    promoted: Booking | None


def cancel_booking(booking: Booking, by: User, reason: str = "", now: datetime | None = None) -> Cancellation:
    """Cancel a booking or a place on the waiting list in one committed transaction; a freed place goes to the
    first person waiting (never on a session that has started). Late cancellations carry the course's charge."""
    cancellation = cancel_place(booking, by, reason, now)
    db.session.commit()
    return cancellation


def cancel_place(
    booking: Booking, by: User, reason: str = "", now: datetime | None = None, charge_late: bool = True
) -> Cancellation:
    """`cancel_booking` in the caller's transaction (a leaver's bookings go in theirs): the session locked, the
    freed place promoted, audited and emailed, nothing committed. `charge_late` False cancels without the late
    charge (and as a plain cancellation), as when someone has left."""
    now = now or utcnow()
    if not can_book_for(by, booking.practitioner):
        raise BookingRefused("booking", "is not one of your organisation's staff", Refusal.FORBIDDEN)
    session = lock_session_of(booking)
    if booking.status == BookingStatus.REQUESTED:
        return _withdraw_request(booking, by, reason, now)
    if booking.status not in ACTIVE_STATUSES:
        raise BookingRefused("booking", f"is already {booking.status.value.replace('_', ' ')}", Refusal.CONFLICT)
    if booking.status == BookingStatus.BOOKED and has_started(session, now):
        raise BookingRefused("booking", f"session {session.code} has started: mark the register instead")
    late = charge_late and booking.status == BookingStatus.BOOKED and is_late_cancellation(session, now)
    if late and by.role == Role.PRACTITIONER:
        raise BookingRefused("booking", "it is too late to cancel yourself: ask your booker or the coordinator")
    old = booking_values(booking)
    promoted, charge = None, None
    status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    booking.cancelled_at, booking.cancel_reason = now, reason[:400] or None
    if booking.status == BookingStatus.WAITLISTED:
        leave(booking, status)
    else:
        booking.status = status
        db.session.flush()
        promoted = promote_first(session, now)
    if late:
        charge = charge_late_cancellation(booking, session)
    audit.record(by, AuditAction.BOOKING_CANCELLED, booking, old, booking_values(booking))
    record_booking_event(WebhookEvent.BOOKING_CANCELLED, [booking])
    if promoted is not None:
        record_promotion(by, promoted)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_cancellation(booking, charge, held_place=old["status"] == BookingStatus.BOOKED.value)
    if promoted is not None:
        booking_mail.tell_of_promotion(promoted)
    return Cancellation(booking, charge, promoted)


def _withdraw_request(booking: Booking, by: User, reason: str, now: datetime) -> Cancellation:
    """A request that held no place is simply withdrawn: nobody is promoted and nothing is charged."""
    booking.status, booking.cancelled_at, booking.cancel_reason = BookingStatus.CANCELLED, now, reason[:400] or None
    audit.record(by, AuditAction.BOOKING_CANCELLED, booking, {"status": "requested"}, booking_values(booking))
    record_booking_event(WebhookEvent.BOOKING_CANCELLED, [booking])
    return Cancellation(booking, None, None)


def is_late_cancellation(session: TrainingSession, now: datetime) -> bool:
    """Whether cancelling now is later than the course's window (default 2 working days before day one)."""
    if session.starts_on is None:
        return False
    deadline = working_days_before(session.starts_on, session.course.cancellation_window_days)
    return to_london(now).date() > deadline


def record_promotion(by: User | str | None, booking: Booking) -> None:
    """Audit a place given from the waiting list in one shape wherever it is given: first in the queue, now booked
    (or offered the place, where the course holds offers)."""
    old = {"session_id": booking.session_id, "status": BookingStatus.WAITLISTED.value, "position": 1}
    action = AuditAction.BOOKING_OFFERED if booking.status == BookingStatus.OFFERED else AuditAction.BOOKING_PROMOTED
    audit.record(by, action, booking, old, booking_values(booking))
    if booking.status == BookingStatus.BOOKED:  # an offer is not yet a place: its acceptance is the promotion
        record_booking_event(WebhookEvent.BOOKING_PROMOTED, [booking])


def booking_values(booking: Booking) -> dict[str, object]:
    """What the audit log keeps of a booking's place: its session, status and waiting position."""
    values: dict[str, object] = {
        "session_id": booking.session_id,
        "status": booking.status.value,
        "position": booking.waitlist_position,
    }
    if booking.status == BookingStatus.OFFERED and booking.offer_expires_at is not None:
        values["offer_expires_at"] = booking.offer_expires_at.isoformat()
    return values


def booking_made_values(booking: Booking) -> dict[str, object]:
    """What the audit log keeps of a new booking: its place, and whether needs were given (never what they say)."""
    values = booking_values(booking)
    if booking.access_needs or booking.dietary_needs:
        values["needs"] = "given"
    return values


# The bookings a session's page lists: those holding a place (booked, then marked) and those waiting for one.
LISTED_ON_SESSION = (*PLACE_HOLDING_STATUSES, BookingStatus.WAITLISTED)


def people_booked_on(session: TrainingSession, user: User) -> list[Booking]:
    """The bookings holding or waiting for a place on a session that the user may see (`scope.booked_people_scope`),
    each with its practitioner, places before the waiting list, then by name; one query."""
    scope = booked_people_scope(user, session)
    if scope is False:
        return []
    query = (
        sa.select(Booking)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(Booking.session_id == session.id, Booking.status.in_(LISTED_ON_SESSION))
        .options(
            contains_eager(Booking.practitioner).options(
                selectinload(Practitioner.authorities), joinedload(Practitioner.organisation)
            )
        )
        .order_by(
            Booking.status == BookingStatus.WAITLISTED,
            Booking.waitlist_position,
            Practitioner.last_name,
            Practitioner.first_name,
        )
    )
    if scope is not None:
        query = query.where(Practitioner.organisation_id == scope)
    return list(db.session.scalars(query))
