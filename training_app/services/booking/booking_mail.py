"""Emails about one person's booking (SPEC 3.4): booked, waiting, promoted, cancelled; the practitioner is told and
their organisation's bookers copied. Each names the course, the days in London time, the venue with its address
and the joining instructions; a place comes with the session's .ics (METHOD:REQUEST), a cancellation with
METHOD:CANCEL. Sent after the change is committed: a mail failure is logged and never undoes a booking."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app

from ...models import Booking, BookingStatus, TrainingSession
from ..accounts.scope import bookers_by_organisation, bookers_of
from ..common.calendar import to_london
from ..mail.mail import Attachment, MailError, queue_email, send_email
from ..sessions.calendars import CANCEL, REQUEST, Invitee, invitees, leaving_invitee, session_calendar

ICS_TYPE = "text/calendar"
# Off while the demo seed books through the services: the demo's made-up people need no emails, and building
# each .ics would slow the load by seconds.
_SENDING: ContextVar[bool] = ContextVar("booking_mail_sending", default=True)


@contextmanager
def not_sending() -> Iterator[None]:
    """Book, cancel and decide without emailing anyone, for the length of the block (the demo seed)."""
    token = _SENDING.set(False)
    try:
        yield
    finally:
        _SENDING.reset(token)


def sending() -> bool:
    """Whether emails about bookings go out now (not inside `not_sending`)."""
    return _SENDING.get()


def tell_of_booking(booking: Booking, copied: list[str] | None = None, invitee: Invitee | None = None) -> bool:
    """Confirm a new booking: the place with its .ics, or the position on the waiting list; `copied` (the bookers
    of the practitioner's organisation) and `invitee` (their calendar details) when the caller has them already."""
    session = booking.session
    if booking.status == BookingStatus.WAITLISTED:
        subject = f"On the waiting list: {session.course.title} ({session.code})"
        opening = f"The session is full, so {booking.practitioner.full_name} is number {booking.waitlist_position} "
        opening += "on its waiting list. We will email you if a place comes free."
        return _send(booking, subject, opening, None, copied)
    subject = f"Booked: {session.course.title} ({session.code})"
    opening = f"{booking.practitioner.full_name} has a place on this session."
    return _send(booking, subject, opening, REQUEST, copied, invitee)


def tell_of_bookings(bookings: Sequence[Booking]) -> None:
    """Confirm several new bookings (a group), the bookers of everyone's organisations looked up once."""
    if not _SENDING.get() or not bookings:
        return
    bookers = bookers_by_organisation({booking.practitioner.organisation_id for booking in bookings})
    placed = [booking for booking in bookings if booking.status != BookingStatus.WAITLISTED]
    calendar_of = invitees(bookings[0].session, placed, REQUEST) if placed else {}
    for booking in bookings:
        organisation_id = booking.practitioner.organisation_id
        copied = bookers.get(organisation_id, []) if organisation_id is not None else []
        tell_of_booking(booking, copied, calendar_of.get(booking.id))


def tell_of_promotion(booking: Booking) -> bool:
    """Tell the first person waiting that a place came free and is now theirs, or (a course holding offers) that it
    is offered to them until a time, with links to accept or decline it."""
    if booking.status == BookingStatus.OFFERED:
        return tell_of_offer(booking)
    session = booking.session
    subject = f"A place for you: {session.course.title} ({session.code})"
    opening = f"A place came free and {booking.practitioner.full_name} now has it."
    return _send(booking, subject, opening, REQUEST)


def offer_link(booking_id: int, answer: str) -> str:
    """The link in an offer email that opens the page to accept or decline it (signed in, as the person offered the
    place or their booker)."""
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/bookings/{booking_id}/offer/{answer}"


def tell_of_offer(booking: Booking) -> bool:
    """Offer the first person waiting a freed place until its expiry, with links to accept and decline it; once per
    offer (its dedupe key names the booking, session and expiry)."""
    if not _SENDING.get() or booking.offer_expires_at is None:
        return False
    session, person = booking.session, booking.practitioner
    until = f"{to_london(booking.offer_expires_at):%H:%M on %A %-d %B %Y}"
    subject = f"A place is offered: {session.course.title} ({session.code})"
    opening = (
        f"A place came free and is offered to {person.full_name}, first on the waiting list. It is held until {until} "
        "(London time); after that it passes to the next person waiting.\n\n"
        f"To accept the place: {offer_link(booking.id, 'accept')}\n"
        f"To decline it: {offer_link(booking.id, 'decline')}\n\n"
        "Sign in as the person offered the place or their organisation's booker to answer."
    )
    body = f"{opening}\n\n{session_details(session)}\n"
    copied = bookers_of(person.organisation_id)
    # Once per offer: a booking moved to another session later may be offered a place there too.
    key = f"offer-made:{booking.id}:{session.id}:{booking.offer_expires_at.isoformat()}"
    return queue_email([person.email], subject, body, cc=copied, dedupe_key=key) is not None


def tell_of_offer_ended(booking: Booking) -> bool:
    """Tell the person (their bookers copied) that the offer they did not accept has passed on."""
    session = booking.session
    lapsed = booking.status == BookingStatus.OFFER_LAPSED
    subject = f"Offer {'lapsed' if lapsed else 'declined'}: {session.course.title} ({session.code})"
    opening = (
        f"The place offered to {booking.practitioner.full_name} "
        f"{'was not accepted in time' if lapsed else 'was declined'}, so it has passed to the next person waiting."
    )
    return _send(booking, subject, opening, None)


def tell_of_cancellation(booking: Booking, charge_pence: int | None, held_place: bool = True) -> bool:
    """Confirm a cancellation, saying when it was late and what it costs; with the calendar's CANCEL only when the
    booking `held_place` (a place on the waiting list, or one only offered, was never sent an invitation)."""
    session = booking.session
    subject = f"Cancelled: {session.course.title} ({session.code})"
    opening = f"{booking.practitioner.full_name}'s booking has been cancelled."
    if charge_pence:
        opening += f" It was cancelled late, so the organisation is charged £{charge_pence / 100:,.2f}."
    return _send(booking, subject, opening, CANCEL if held_place else None)


def tell_of_move_away(booking: Booking, old: TrainingSession) -> bool:
    """A transfer's first email: the old session's CANCEL, so calendars drop it before the new session's invitation
    (`tell_of_booking`) arrives."""
    new = booking.session
    subject = f"Moved: {old.course.title} ({old.code} to {new.code})"
    opening = f"{booking.practitioner.full_name}'s booking has moved from {old.code} to {new.code}. "
    opening += f"This takes {old.code} out of the calendar; the invitation for {new.code} follows in another email."
    return _send(booking, subject, opening, CANCEL, invitee=leaving_invitee(old, booking), session=old)


def tell_of_request(booking: Booking) -> bool:
    """Ask the practitioner's bookers to approve or decline a request for a place (the practitioner is told too)."""
    session = booking.session
    subject = f"Approval needed: {session.course.title} ({session.code})"
    opening = f"{booking.practitioner.full_name} has asked for a place on this session. It holds no place until "
    opening += "their organisation's booker approves it: open Bookings, then Requests to approve."
    return _send(booking, subject, opening, None)


def tell_of_decline(booking: Booking) -> bool:
    """Tell the practitioner (their bookers copied) that their request was declined, and why."""
    session = booking.session
    subject = f"Request declined: {session.course.title} ({session.code})"
    opening = f"{booking.practitioner.full_name}'s request for a place was declined: {booking.cancel_reason}"
    return _send(booking, subject, opening, None)


def session_details(session: TrainingSession) -> str:
    """The course, its days in London time, the venue and its address, and the joining instructions."""
    lines = [f"Course: {session.course.title}", f"Session: {session.code}"]
    for day in session.days:
        lines.append(f"{to_london(day.starts_at):%A %-d %B %Y, %H:%M} to {to_london(day.ends_at):%H:%M}")
    venue = session.venue
    if venue is not None:
        where = ", ".join(part for part in (venue.name, venue.address, venue.postcode) if part)
        lines.append(f"Venue: {where}")
        if venue.accessibility_notes:
            lines.append(f"Access: {venue.accessibility_notes}")
    if session.course.joining_instructions:
        lines += ["", "Joining instructions:", session.course.joining_instructions]
    return "\n".join(lines)


def _send(
    booking: Booking,
    subject: str,
    opening: str,
    method: str | None,
    copied: list[str] | None = None,
    invitee: Invitee | None = None,
    session: TrainingSession | None = None,
) -> bool:
    """Email the practitioner, their bookers copied, about `session` (the booking's own unless named)."""
    if not _SENDING.get():
        return False
    session = session or booking.session
    attachments = []
    if method is not None:
        content = session_calendar(session, method, invitee or invitees(session, [booking], method)[booking.id])
        attachments.append(Attachment(f"{session.code}.ics", content, f"{ICS_TYPE}; method={method}"))
    body = f"{opening}\n\n{session_details(session)}\n"
    practitioner = booking.practitioner
    if copied is None:
        copied = bookers_of(practitioner.organisation_id)
    try:
        send_email([practitioner.email], subject, body, cc=copied, attachments=attachments)
    except MailError as error:
        current_app.logger.warning("could not email %s about booking %s: %s", practitioner.email, booking.id, error)
        return False
    return True
