"""Practitioners booking themselves (SPEC 3.4, issue 7): where a course's `self_booking` is `yes` they book as anyone
does (bookings.book_place); with `with_approval` they ask, and the request (`requested`, holding no place)
waits for their organisation's booker, who approves it (a place or the waiting list as places stand at that moment,
by book_place's rules under the same lock) or declines it with a reason. Each step is audited and emailed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    AuditAction,
    Booking,
    BookingStatus,
    Practitioner,
    Role,
    SelfBooking,
    SessionStatus,
    TrainingSession,
    User,
    utcnow,
)
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..accounts.scope import acts_for, is_staff, staff_in_organisation_scope
from ..webhooks.events import record_booking_event
from . import booking_mail
from .allocation import allocate, place_or_roll_back
from .booking_checks import BookingRefused, Eligibility, Refusal, eligibility_problems
from .booking_needs import Needs
from .bookings import PlaceLedger, book_place, lock_session

MAX_REASON = 400


def book_myself(session: TrainingSession, by: User, now: datetime | None = None, needs: Needs | None = None) -> Booking:
    """A practitioner books their own place (`yes`) or asks their booker for one (`with_approval`), with their
    answers to the booking questions."""
    practitioner = _own_record(by)
    rule = session.course.self_booking
    if rule == SelfBooking.NO:
        message = f"course {session.course.code} is booked for you by your organisation's booker"
        raise BookingRefused("session", message, Refusal.FORBIDDEN)
    if rule == SelfBooking.YES:
        return book_place(session, practitioner, by, now=now, needs=needs)
    return request_place(session, practitioner, by, now, needs)


def request_place(
    session: TrainingSession,
    practitioner: Practitioner,
    by: User,
    now: datetime | None = None,
    needs: Needs | None = None,
) -> Booking:
    """Record a practitioner's request for a place, holding none, for their booker to decide; committed."""
    now = now or utcnow()
    if practitioner.organisation_id is None:
        raise BookingRefused("practitioner", "has no organisation whose booker could approve a request")
    locked = lock_session(session.id)
    problems = eligibility_problems(locked, practitioner.id, now)
    if held := _active_on_course(practitioner.id, locked.course_id):
        message = f"already has a booking for course {locked.course.code} (session {held})"
        problems.append(BookingRefused("practitioner", message, Refusal.CONFLICT))
    if problems:
        db.session.rollback()
        raise problems[0]
    booking = Booking(
        session_id=locked.id,
        practitioner_id=practitioner.id,
        course_id=locked.course_id,
        booked_by_id=by.id,
        status=BookingStatus.REQUESTED,
    )
    if needs is not None:
        needs.write_to(booking)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:  # the partial unique index: one open request per course
        db.session.rollback()
        message = f"has already asked for a place on course {locked.course.code}"
        raise BookingRefused("practitioner", message, Refusal.CONFLICT) from None
    requested: dict[str, object] = {"session_id": locked.id, "status": "requested"}
    if needs is not None and needs.given:
        requested["needs"] = "given"
    audit.record(by, AuditAction.BOOKING_REQUESTED, booking, new=requested)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_request(booking)
    db.session.commit()
    return booking


def approve_request(booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """The booker approves a request: a place if one is free now, else the waiting list (its order rules); the
    same checks as any booking, counted under the session's lock. Committed, audited and emailed."""
    now = now or utcnow()
    _check_decider(booking, by)
    locked = lock_session(booking.session_id)
    db.session.refresh(booking)
    _check_open(booking)
    ledger = PlaceLedger([locked], [booking.practitioner_id])
    eligibility = Eligibility.load(locked, [booking.practitioner_id])
    allocation = allocate(locked, booking.practitioner_id, ledger, eligibility, now)
    booking.booked_by_id = by.id
    place_or_roll_back(booking, allocation, locked)
    new = {"status": booking.status.value, "position": booking.waitlist_position}
    audit.record(by, AuditAction.BOOKING_APPROVED, booking, {"status": "requested"}, new)
    record_booking_event(WebhookEvent.BOOKING_CREATED, [booking])  # a request becomes a booking (or a wait)
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_booking(booking)
    db.session.commit()
    return booking


def decline_request(booking: Booking, by: User, reason: str, now: datetime | None = None) -> Booking:
    """The booker declines a request, saying why; committed, audited, and the practitioner is told the reason."""
    _check_decider(booking, by)
    reason = " ".join(reason.split())
    if not reason:
        raise BookingRefused("reason", "Enter why the request is declined")
    if len(reason) > MAX_REASON:
        raise BookingRefused("reason", f"Reason must be {MAX_REASON} characters or fewer")
    lock_session(booking.session_id)
    db.session.refresh(booking)
    _check_open(booking)
    booking.status, booking.cancel_reason, booking.cancelled_at = BookingStatus.DECLINED, reason, now or utcnow()
    audit.record(
        by, AuditAction.BOOKING_DECLINED, booking, {"status": "requested"}, {"status": "declined", "reason": reason}
    )
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_decline(booking)
    db.session.commit()
    return booking


def open_requests(user: User) -> sa.Select[Booking]:
    """Requests waiting for a decision on sessions that still run: a booker's organisation's, or everyone's."""
    return open_requests_of(staff_in_organisation_scope(user))


def open_requests_of(staff: sa.ColumnElement[bool] | None) -> sa.Select[Booking]:
    """Requests waiting for a decision on sessions that still run, of the staff a condition on `practitioners`
    names (None: everyone's)."""
    query = (
        sa.select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(Booking.status == BookingStatus.REQUESTED, TrainingSession.status == SessionStatus.SCHEDULED)
        .order_by(TrainingSession.starts_on, Booking.created_at, Booking.id)
    )
    return query if staff is None else query.where(staff)


def can_decide(user: User, booking: Booking) -> bool:
    """Who approves or declines a request: the practitioner's organisation's booker, or a coordinator."""
    if is_staff(user):
        return True
    return acts_for(user, booking.practitioner.organisation_id)


def _check_decider(booking: Booking, by: User) -> None:
    if not can_decide(by, booking):
        raise BookingRefused("booking", "is not a request from your organisation's staff", Refusal.FORBIDDEN)


def _check_open(booking: Booking) -> None:
    if booking.status != BookingStatus.REQUESTED:
        raise BookingRefused(
            "booking", f"is no longer waiting: it is {booking.status.value.replace('_', ' ')}", Refusal.CONFLICT
        )


def own_booking_on(session: TrainingSession, user: User) -> Booking | None:
    """The user's own booking on a session, as its page tells them: a place, a place on the waiting list or a request
    to their booker; None for anyone without a practitioner record or without one of those."""
    if user.practitioner_id is None:
        return None
    query = sa.select(Booking).where(
        Booking.session_id == session.id,
        Booking.practitioner_id == user.practitioner_id,
        Booking.status.in_(
            (BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.OFFERED, BookingStatus.REQUESTED)
        ),
    )
    return db.session.scalars(query.limit(1)).first()


def _own_record(user: User) -> Practitioner:
    if user.role != Role.PRACTITIONER or user.practitioner is None:
        raise BookingRefused(
            "practitioner", "only a practitioner with a training record books themself", Refusal.FORBIDDEN
        )
    return user.practitioner


def _active_on_course(practitioner_id: int, course_id: int) -> str | None:
    query = (
        sa.select(TrainingSession.code)
        .join(Booking, Booking.session_id == TrainingSession.id)
        .where(
            Booking.practitioner_id == practitioner_id,
            Booking.course_id == course_id,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .limit(1)
    )
    return db.session.scalar(query)
