"""Waiting-list offers (SPEC 3.4, issue 21): where a course has `offer_hours`, a freed place is held for the first
person waiting (waiting_list.promote_first makes the offer) and counts as taken (places.py) until it is answered.

Accepting books them; declining, or the scheduler lapsing it once it runs out (or the session starts), passes it to
the next person waiting through the same promotion rule. Each answer is taken once: the session is locked, then the
booking read afresh, so two answers at once (or an answer racing the scheduler) decide it once and the loser is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AuditAction,
    Booking,
    BookingStatus,
    Course,
    Practitioner,
    Role,
    SessionDay,
    TrainingSession,
    User,
    utcnow,
)
from ...models.webhooks import WebhookEvent
from ..accounts import audit
from ..accounts.scope import can_book_for
from ..common.calendar import to_london
from ..webhooks.events import record_booking_event
from . import booking_mail
from .booking_checks import BookingRefused, Refusal
from .bookings import booking_values, lock_session_of, record_promotion
from .waiting_list import has_started, promote_first

# What an offer's booking became, in words for a refusal.
_ANSWERED = {
    BookingStatus.BOOKED: "the offer has already been accepted",
    BookingStatus.OFFER_DECLINED: "the offer was declined and has passed on",
    BookingStatus.OFFER_LAPSED: "the offer lapsed and has passed on",
}


def may_answer(user: User, booking: Booking) -> bool:
    """Whether a user may accept or decline a booking's offer: the person offered the place, their organisation's
    booker, or staff (as for cancelling)."""
    return can_book_for(user, booking.practitioner)


@dataclass(frozen=True)
class OfferAnswer:
    """What answering did: the booking (booked, or declined) and who the place passed to, if anyone."""

    booking: Booking
    passed_to: Booking | None


def accept_offer(booking: Booking, by: User, now: datetime | None = None) -> OfferAnswer:
    """Accept an open offer: the place is booked, audited, and confirmed by email with the .ics; committed.
    Refused (409, nothing written) when no offer is open: answered already, lapsed, or the session has started."""
    now = now or utcnow()
    _lock_open_offer(booking, by, now)
    if booking.offer_expires_at is not None and booking.offer_expires_at <= now:
        db.session.rollback()
        raise BookingRefused("booking", f"the offer lapsed at {_when(booking.offer_expires_at)}", Refusal.CONFLICT)
    old = booking_values(booking)
    booking.status = BookingStatus.BOOKED
    db.session.flush()
    audit.record(by, AuditAction.BOOKING_OFFER_ACCEPTED, booking, old, booking_values(booking))
    record_booking_event(WebhookEvent.BOOKING_PROMOTED, [booking])  # the place is theirs now: a promotion
    # Emails join this transaction (outgoing_mail) and go once it commits: never lost, never sent twice.
    booking_mail.tell_of_booking(booking)
    db.session.commit()
    return OfferAnswer(booking, None)


def decline_offer(booking: Booking, by: User, now: datetime | None = None) -> OfferAnswer:
    """Decline an open offer: the booking leaves as `offer_declined` and the place passes to the next person
    waiting (offered again, or booked if the course no longer holds offers); committed. 409 when none is open."""
    now = now or utcnow()
    session = _lock_open_offer(booking, by, now)
    passed_to = _pass_on(booking, session, BookingStatus.OFFER_DECLINED, by, now)
    db.session.commit()
    return OfferAnswer(booking, passed_to)


def lapse_offers(now: datetime | None = None) -> int:
    """The scheduler's job: every open offer that ran out (or whose session has started) lapses and passes to the
    next person waiting, one session's lock at a time, each committed; how many lapsed. Safe to run twice at once:
    each booking is read afresh under its session's lock and skipped when already answered."""
    now = now or utcnow()
    started = sa.select(SessionDay.session_id).where(SessionDay.starts_at <= now)
    due = list(
        db.session.scalars(
            sa.select(Booking.id)
            .where(
                Booking.status == BookingStatus.OFFERED,
                sa.or_(Booking.offer_expires_at <= now, Booking.session_id.in_(started)),
            )
            .order_by(Booking.offer_expires_at, Booking.id)
        )
    )
    db.session.rollback()  # end the read; each lapse takes its own transaction
    lapsed = 0
    for booking_id in due:
        booking = db.session.get(Booking, booking_id)
        if booking is None:
            continue
        try:
            session = lock_session_of(booking)
        except BookingRefused:
            continue
        runs_out = booking.offer_expires_at is not None and booking.offer_expires_at <= now
        if booking.status != BookingStatus.OFFERED or not (runs_out or has_started(session, now)):
            db.session.rollback()  # answered meanwhile
            continue
        _pass_on(booking, session, BookingStatus.OFFER_LAPSED, "scheduler", now)
        db.session.commit()
        lapsed += 1
    return lapsed


@dataclass(frozen=True)
class OpenOffer:
    """An open offer a user may answer, for dashboards and booking pages."""

    booking_id: int
    practitioner: str
    course: str
    session: str
    expires_at: datetime


def open_offers(user: User, limit: int = 50) -> list[OpenOffer]:
    """The open offers the user may answer: their own as a practitioner, their organisation's staff's as a booker,
    everyone's as staff; soonest to run out first; one query."""
    query = (
        sa.select(Booking.id, Practitioner.first_name, Practitioner.last_name, TrainingSession.code)
        .add_columns(Booking.offer_expires_at, TrainingSession.course_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(Booking.status == BookingStatus.OFFERED)
        .order_by(Booking.offer_expires_at, Booking.id)
        .limit(limit)
    )
    query = query.add_columns(Course.title).join(Course, Course.id == TrainingSession.course_id)
    if user.role == Role.PRACTITIONER:
        query = query.where(Booking.practitioner_id == (user.practitioner_id or -1))
    elif user.role == Role.BOOKER:
        query = query.where(Practitioner.organisation_id == (user.organisation_id or -1))
    elif user.role not in (Role.ADMIN, Role.COORDINATOR):
        return []
    return [
        OpenOffer(row.id, f"{row.first_name} {row.last_name}", row.title, row.code, row.offer_expires_at)
        for row in db.session.execute(query)
    ]


def _lock_open_offer(booking: Booking, by: User, now: datetime) -> TrainingSession:
    """Check the user may answer, lock the booking's session and read the booking afresh; refused (409, nothing
    written) unless an offer is open on a session not yet started."""
    if not may_answer(by, booking):
        raise BookingRefused("booking", "is not one of your organisation's staff", Refusal.FORBIDDEN)
    session = lock_session_of(booking)
    if booking.status != BookingStatus.OFFERED:
        db.session.rollback()
        raise BookingRefused("booking", _ANSWERED.get(booking.status, "no offer is open"), Refusal.CONFLICT)
    if has_started(session, now):
        db.session.rollback()
        raise BookingRefused("booking", f"session {session.code} has started: the offer has ended", Refusal.CONFLICT)
    return session


def _pass_on(
    booking: Booking, session: TrainingSession, status: BookingStatus, by: User | str, now: datetime
) -> Booking | None:
    """End an offer with `status` and give the place to the next person waiting (the one promotion rule), audited
    and emailed in the caller's transaction; who it passed to."""
    old = booking_values(booking)
    booking.status = status
    db.session.flush()
    action = AuditAction.BOOKING_OFFER_DECLINED if status == BookingStatus.OFFER_DECLINED else None
    audit.record(by, action or AuditAction.BOOKING_OFFER_LAPSED, booking, old, booking_values(booking))
    passed_to = promote_first(session, now)
    if passed_to is not None:
        record_promotion(by, passed_to)
    booking_mail.tell_of_offer_ended(booking)
    if passed_to is not None:
        booking_mail.tell_of_promotion(passed_to)
    return passed_to


def _when(moment: datetime) -> str:
    return f"{to_london(moment):%H:%M on %-d %B %Y}"
