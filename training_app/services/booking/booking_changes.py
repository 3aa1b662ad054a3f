"""Changing a booking rather than cancelling it (SPEC 3.4, issue 7): a transfer to another session of the same
course, keeping the booking and its history, and a named colleague of the same organisation as a substitute.
Each is one committed transaction that locks the sessions it touches before counting places. Also a coordinator's
move of someone within a waiting list, with the reason recorded."""

from __future__ import annotations

from datetime import datetime

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    AuditAction,
    Booking,
    BookingStatus,
    Practitioner,
    TrainingSession,
    User,
    utcnow,
)
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..accounts.scope import can_book_for, is_staff
from ..common.lookups import session_with_code
from ..webhooks.events import record_booking_event
from . import booking_mail
from .allocation import allocate, place_or_roll_back
from .booking_checks import BookingRefused, Eligibility, Refusal
from .bookings import PlaceLedger, lock_session, lock_session_of, record_promotion
from .waiting_list import close_gap, has_started, move_to, promote_first, waiting

MAX_REASON = 400


def transfer_booking(
    booking: Booking, to_code: str, by: User, now: datetime | None = None, seen_on: str | None = None
) -> Booking | None:
    """Move a booking to another session of its course: a place there if one is free, else the end of its waiting
    list. The old place goes to the first person waiting there; returns who was promoted, if anyone. `seen_on`, the
    session the page showed the booking on: refused when it has moved since (two transfers at once move it once)."""
    now = now or utcnow()
    if not can_book_for(by, booking.practitioner):
        raise BookingRefused("booking", "is not one of your organisation's staff", Refusal.FORBIDDEN)
    target = _session_by_code(to_code)
    if target.id == booking.session_id:
        raise BookingRefused("session", f"the booking is already on session {target.code}")
    first, second = sorted((booking.session_id, target.id))  # always lock in the same order: no deadlock
    sessions = {first: lock_session(first), second: lock_session(second)}
    old, new = sessions[booking.session_id], sessions[target.id]
    db.session.refresh(booking)
    _check_not_moved(booking, old, seen_on)
    _check_transfer(booking, old, new, now)
    ledger = PlaceLedger([old, new], [booking.practitioner_id])
    ledger.release(booking)
    eligibility = Eligibility.load(new, [booking.practitioner_id])
    allocation = allocate(new, booking.practitioner_id, ledger, eligibility, now, booking.prerequisite_override)
    if allocation.refused:
        db.session.rollback()
        raise allocation.refusal
    before = {"session_id": old.id, "status": booking.status.value, "position": booking.waitlist_position}
    was_waiting, position = booking.status == BookingStatus.WAITLISTED, booking.waitlist_position
    booking.status, booking.waitlist_position = BookingStatus.CANCELLED, None  # off the old list while it moves
    db.session.flush()
    booking.session_id = new.id
    place_or_roll_back(booking, allocation, new)
    promoted = None
    if was_waiting and position is not None:
        close_gap(old.id, position)
    else:
        promoted = promote_first(old, now)
    after = {"session_id": new.id, "status": booking.status.value, "position": booking.waitlist_position}
    audit.record(by, AuditAction.BOOKING_TRANSFERRED, booking, before, after)
    if promoted is not None:
        record_promotion(by, promoted)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice. A place on
    # the old session was in the person's calendar: its CANCEL goes first.
    if not was_waiting:
        booking_mail.tell_of_move_away(booking, old)
    booking_mail.tell_of_booking(booking)
    if promoted is not None:
        booking_mail.tell_of_promotion(promoted)
    db.session.commit()
    return promoted


def substitute_colleague(booking: Booking, colleague: Practitioner, by: User, now: datetime | None = None) -> Booking:
    """Give a booking's place to a named colleague of the same organisation instead of cancelling it: the
    original is cancelled without charge, naming the substitute, and the colleague holds the same place."""
    now = now or utcnow()
    person = booking.practitioner
    if not can_book_for(by, person) or not can_book_for(by, colleague):
        raise BookingRefused("substitute", "is not one of your organisation's staff", Refusal.FORBIDDEN)
    if colleague.organisation_id is None or colleague.organisation_id != person.organisation_id:
        raise BookingRefused("substitute", f"must work for the same organisation as {person.full_name}")
    session = lock_session_of(booking)
    if booking.status != BookingStatus.BOOKED:
        raise BookingRefused("booking", "only a booked place can go to a substitute", Refusal.CONFLICT)
    ledger = PlaceLedger([session], [colleague.id])
    ledger.release(booking)
    eligibility = Eligibility.load(session, [colleague.id])
    # Often named the day before, so the booking window does not apply; the place is the one given up, never a
    # place on the waiting list.
    allocation = allocate(session, colleague.id, ledger, eligibility, now, window=False, waitlist=False)
    if allocation.refused:
        db.session.rollback()
        raise allocation.refusal
    booking.status, booking.substitute_id, booking.cancelled_at = BookingStatus.CANCELLED, colleague.id, now
    booking.cancel_reason = f"Place given to {colleague.full_name}"
    db.session.flush()
    replacement = Booking(
        session_id=session.id, practitioner_id=colleague.id, course_id=session.course_id, booked_by_id=by.id
    )
    place_or_roll_back(replacement, allocation, session)
    change = {"status": "cancelled", "substitute": colleague.id}
    audit.record(by, AuditAction.BOOKING_SUBSTITUTED, booking, {"status": "booked"}, change)
    audit.record(
        by, AuditAction.BOOKING_MADE, replacement, new={"session_id": session.id, "status": "booked", "position": None}
    )
    record_booking_event(WebhookEvent.BOOKING_CANCELLED, [booking])
    record_booking_event(WebhookEvent.BOOKING_CREATED, [replacement])
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_cancellation(booking, None)
    booking_mail.tell_of_booking(replacement)
    db.session.commit()
    return replacement


def move_on_waiting_list(booking: Booking, position: int, by: User, reason: str) -> int:
    """A coordinator moves someone to another place in a session's waiting list, saying why; those between shift
    by one, so positions stay gapless. One committed, audited transaction under the session's lock; the old place."""
    if not is_staff(by):
        raise BookingRefused("booking", "only a coordinator may reorder a waiting list", Refusal.FORBIDDEN)
    reason = " ".join(reason.split())
    if not reason:
        raise BookingRefused("reason", "Enter why they move")
    if len(reason) > MAX_REASON:
        raise BookingRefused("reason", f"Reason must be {MAX_REASON} characters or fewer")
    lock_session_of(booking)
    if booking.status != BookingStatus.WAITLISTED:
        raise BookingRefused("booking", "is not on the waiting list any more", Refusal.CONFLICT)
    if booking.waitlist_position == position:  # a second move to the same place, or a move that changes nothing
        raise BookingRefused("position", f"{booking.practitioner.full_name} is already number {position}")
    length = len(waiting(booking.session_id))
    if not 1 <= position <= length:
        db.session.rollback()
        raise BookingRefused("position", f"Enter a position from 1 to {length}")
    old = move_to(booking, position)
    audit.record(by, AuditAction.WAITLIST_MOVED, booking, {"position": old}, {"position": position, "reason": reason})
    db.session.commit()
    return old


def _check_not_moved(booking: Booking, locked: TrainingSession, seen_on: str | None) -> None:
    """Refuse a transfer of a booking moved since it was loaded (at the same moment, before the lock) or since the
    page showed it: the lock held is the old session's, and the person asked to move it from where they saw it."""
    if booking.session_id != locked.id or (seen_on is not None and locked.code != seen_on):
        now_on = booking.session.code
        db.session.rollback()
        raise BookingRefused("booking", f"has just moved to session {now_on}: look at it again", Refusal.CONFLICT)


def _check_transfer(booking: Booking, old: TrainingSession, new: TrainingSession, now: datetime) -> None:
    """A transfer needs an active booking, another session, the same course, and the old one not yet begun."""
    if booking.status not in ACTIVE_STATUSES:
        raise BookingRefused("booking", f"is already {booking.status.value.replace('_', ' ')}", Refusal.CONFLICT)
    if booking.status == BookingStatus.OFFERED:
        raise BookingRefused("booking", "holds an offer of a place: accept or decline it first", Refusal.CONFLICT)
    if new.course_id != old.course_id:
        raise BookingRefused("session", f"session {new.code} is not of course {old.course.code}")
    if booking.status == BookingStatus.BOOKED and has_started(old, now):
        raise BookingRefused("booking", f"session {old.code} has started: mark the register instead")


def _session_by_code(code: str) -> TrainingSession:
    found = session_with_code(code)
    if found is None:
        raise BookingRefused("session", f"there is no session with code {code[:40]}")
    return found
