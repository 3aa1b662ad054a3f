"""Emails about a session's changes (SPEC 3.3): a new time or venue to everyone booked, a cancellation to everyone
booked or waiting, each with the session's .ics (same UIDs, higher SEQUENCE) made out to them, their organisation's
bookers copied (SPEC 3.4, as every booking email)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Booking, BookingStatus, TrainingSession
from ..accounts.scope import bookers_by_organisation
from ..booking.places import ComingSession, coming_sessions_with_places
from ..common.calendar import london_today, to_london
from ..mail.mail import Attachment, MailError, send_email
from .calendars import CANCEL, REQUEST, invitees, session_calendar

ICS_TYPE = "text/calendar"
MAX_OFFERED = 10


def tell_of_change(session: TrainingSession) -> int:
    """Email everyone booked the session's new days and venue with the updated .ics; how many were told."""
    query = (
        sa.select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.BOOKED)
        .options(selectinload(Booking.practitioner))
        .order_by(Booking.id)
    )
    bookings = list(db.session.scalars(query))
    body = f"Session {session.code} of {session.course.title} has changed.\n\n{_details(session)}\n"
    return _send_each(session, bookings, f"Changed: {session.course.title} ({session.code})", body, REQUEST)


def tell_of_cancellation(session: TrainingSession, bookings: Sequence[Booking]) -> int:
    """Email the people who were booked or waiting: the reason, the other sessions of the course open for booking."""
    body = (
        f"Session {session.code} of {session.course.title} has been cancelled.\n\nReason: {session.cancel_reason}\n\n"
        f"{_details(session)}\n\n{_alternatives(session)}\n"
    )
    return _send_each(session, bookings, f"Cancelled: {session.course.title} ({session.code})", body, CANCEL)


def _details(session: TrainingSession) -> str:
    lines = [
        f"{to_london(day.starts_at):%A %-d %B %Y, %H:%M} to {to_london(day.ends_at):%H:%M}" for day in session.days
    ]
    if session.venue is not None:
        lines.append(f"Venue: {session.venue.name}")
    return "\n".join(lines)


def _alternatives(session: TrainingSession) -> str:
    others = open_alternatives(session)
    if not others:
        return "There are no other sessions of this course open for booking at the moment."
    lines = ["Other sessions of this course open for booking:"]
    for other in others:
        lines.append(f"- {other.code}, starting {other.starts_on:%-d %B %Y}: {other.places_left} places left")
    return "\n".join(lines)


def open_alternatives(session: TrainingSession) -> list[ComingSession]:
    """The course's other coming sessions open for booking with places, soonest first (`coming_sessions_with_places`
    applies `booking_checks.open_for_booking`, the booking rule in SQL)."""
    coming = coming_sessions_with_places([session.course_id], london_today(), per_course=MAX_OFFERED + 1)
    return [other for other in coming if other.code != session.code][:MAX_OFFERED]


def _send_each(session: TrainingSession, bookings: Sequence[Booking], subject: str, body: str, method: str) -> int:
    """One message per person, so nobody sees who else was booked, with their organisation's bookers copied and the
    .ics made out to them; a mail failure is logged, not raised."""
    sent = 0
    attendees = invitees(session, bookings, method)
    copied = bookers_by_organisation(booking.practitioner.organisation_id for booking in bookings)
    for booking in bookings:
        practitioner = booking.practitioner
        content = session_calendar(session, method, attendees[booking.id])
        attachment = Attachment(f"{session.code}.ics", content, f"{ICS_TYPE}; method={method}")
        cc = copied.get(practitioner.organisation_id or 0, [])
        try:
            send_email([practitioner.email], subject, body, cc=cc, attachments=[attachment])
        except MailError as error:
            current_app.logger.warning("could not email %s: %s", practitioner.email, error)
            continue
        sent += 1
    return sent
