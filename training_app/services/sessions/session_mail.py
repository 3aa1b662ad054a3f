"""Emails about a session's changes (SPEC 3.3): a new time or venue to everyone booked, a cancellation to everyone
booked or waiting, each with the session's .ics (same UIDs, higher SEQUENCE)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import Booking, BookingStatus, Practitioner, SessionStatus, TrainingSession
from ..common.calendar import london_today, to_london
from ..mail.mail import Attachment, MailError, send_email
from .calendars import CANCEL, REQUEST, session_calendar
from .sessions_query import SessionFilters, list_sessions

ICS_TYPE = "text/calendar"


def tell_of_change(session: TrainingSession) -> int:
    """Email everyone booked the session's new days and venue with the updated .ics; how many were told."""
    query = (
        sa.select(Practitioner.email)
        .join(Booking, Booking.practitioner_id == Practitioner.id)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.BOOKED)
    )
    emails = list(db.session.scalars(query))
    body = f"Session {session.code} of {session.course.title} has changed.\n\n{_details(session)}\n"
    attachment = Attachment(f"{session.code}.ics", session_calendar(session, REQUEST), f"{ICS_TYPE}; method=REQUEST")
    return _send_each(emails, f"Changed: {session.course.title} ({session.code})", body, attachment)


def tell_of_cancellation(session: TrainingSession, emails: Sequence[str]) -> int:
    """Email the people who were booked or waiting: the reason, the other sessions of the course with places."""
    body = (
        f"Session {session.code} of {session.course.title} has been cancelled.\n\nReason: {session.cancel_reason}\n\n"
        f"{_details(session)}\n\n{_alternatives(session)}\n"
    )
    attachment = Attachment(f"{session.code}.ics", session_calendar(session, CANCEL), f"{ICS_TYPE}; method=CANCEL")
    return _send_each(emails, f"Cancelled: {session.course.title} ({session.code})", body, attachment)


def _details(session: TrainingSession) -> str:
    lines = [
        f"{to_london(day.starts_at):%A %-d %B %Y, %H:%M} to {to_london(day.ends_at):%H:%M}" for day in session.days
    ]
    if session.venue is not None:
        lines.append(f"Venue: {session.venue.name}")
    return "\n".join(lines)


def _alternatives(session: TrainingSession) -> str:
    others = [
        summary
        for summary in list_sessions(SessionFilters(course=session.course.code, date_from=london_today()))
        if summary.code != session.code and summary.status is SessionStatus.SCHEDULED and summary.spaces > 0
    ]
    if not others:
        return "There are no other sessions of this course with places at the moment."
    lines = ["Other sessions of this course with places:"]
    for other in others[:10]:
        first = other.days[0].date.strftime("%-d %B %Y") if other.days else "date to be set"
        lines.append(f"- {other.code}, starting {first}: {other.spaces} places left")
    return "\n".join(lines)


def _send_each(emails: Sequence[str], subject: str, body: str, attachment: Attachment) -> int:
    """One message per person, so nobody sees who else was booked; a mail failure is logged, not raised."""
    sent = 0
    for email in dict.fromkeys(emails):
        try:
            send_email([email], subject, body, attachments=[attachment])
        except MailError as error:
            current_app.logger.warning("could not email %s: %s", email, error)
            continue
        sent += 1
    return sent
