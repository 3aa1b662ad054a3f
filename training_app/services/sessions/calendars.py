"""iCalendar files (SPEC 3.3): one VEVENT per session day in Europe/London time, and each trainer's secret feed.

UIDs are stable (the session's code and the day's place in it), so an update replaces the event in a calendar
rather than adding one; SEQUENCE is the session's, raised by the scheduling service on every change of time,
venue or status.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa
from icalendar import Calendar, Event, Timezone
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import SessionStatus, Trainer, TrainingSession, User
from ...models.sessions import session_trainers
from ..accounts import audit
from ..common.calendar import LONDON, to_london

PRODUCT_ID = "-//Training programme//Sessions//EN"
UID_DOMAIN = "sessions.training.invalid"
# Session .ics files built in this process, by what they say: (when built, content); see session_calendar.
CALENDAR_CACHE_SECONDS, CALENDAR_CACHE_SIZE = 300, 1000
_BUILT: dict[tuple[object, ...], tuple[float, bytes]] = {}
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def event_uid(session: TrainingSession, number: int) -> str:
    """The stable UID of a session's nth day (1-based)."""
    return f"{session.code}-day-{number}@{UID_DOMAIN}"


def session_calendar(session: TrainingSession, method: str = PUBLISH) -> bytes:
    """The session's days as an .ics file; METHOD:CANCEL marks every event cancelled.

    Every booking's confirmation carries one, so each process keeps the files it built for a few minutes, keyed
    by everything they say (a changed time, venue, trainer or status is a new key); DTSTAMP says when it was built.
    """
    key = _calendar_key(session, method)
    now = time.monotonic()
    cached = _BUILT.get(key)
    if cached is not None and now - cached[0] < CALENDAR_CACHE_SECONDS:
        return cached[1]
    calendar = _calendar(method, f"{session.code} {session.course.title}")
    for event in session_events(session, cancelled=method == CANCEL or session.status is SessionStatus.CANCELLED):
        calendar.add_component(event)
    content = _with_london_timezone(calendar)
    if len(_BUILT) >= CALENDAR_CACHE_SIZE:
        _BUILT.clear()
    _BUILT[key] = (now, content)
    return content


def _calendar_key(session: TrainingSession, method: str) -> tuple[object, ...]:
    """Everything a session's .ics says, but its DTSTAMP."""
    days = tuple((day.starts_at, day.ends_at) for day in session.days)
    trainers = tuple(trainer.name for trainer in session.trainers)
    status = (session.status, session.sequence, session.cancel_reason)
    return (method, session.code, session.course.title, days, _location(session), trainers, status)


def session_events(session: TrainingSession, cancelled: bool = False) -> list[Event]:
    """One VEVENT per day, DTSTART and DTEND in London local time with TZID=Europe/London."""
    stamp = datetime.now(UTC)
    where = _location(session)
    trainers = ", ".join(trainer.name for trainer in session.trainers)
    events = []
    for number, day in enumerate(session.days, start=1):
        event = Event()
        event.add("uid", event_uid(session, number))
        event.add("dtstamp", stamp)
        event.add("dtstart", to_london(day.starts_at))
        event.add("dtend", to_london(day.ends_at))
        event.add("sequence", session.sequence)
        title = f"{session.course.title} ({session.code})"
        event.add("summary", f"Cancelled: {title}" if cancelled else title)
        if where:
            event.add("location", where)
        description = f"Day {number} of {len(session.days)}."
        if trainers:
            description += f" Trainers: {trainers}."
        if session.cancel_reason:
            description += f" Cancelled: {session.cancel_reason}"
        event.add("description", description)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        events.append(event)
    return events


def trainer_feed(trainer: Trainer) -> bytes:
    """Every session day the trainer teaches, for a calendar program to subscribe to."""
    calendar = _calendar(PUBLISH, f"Sessions taught by {trainer.name}")
    query = (
        sa.select(TrainingSession)
        .join(session_trainers, session_trainers.c.session_id == TrainingSession.id)
        .where(session_trainers.c.trainer_id == trainer.id)
        .options(
            selectinload(TrainingSession.days),
            selectinload(TrainingSession.trainers),
            joinedload(TrainingSession.course),
            joinedload(TrainingSession.venue),
        )
        .order_by(TrainingSession.starts_on, TrainingSession.code)
    )
    for session in db.session.scalars(query):
        for event in session_events(session, cancelled=session.status is SessionStatus.CANCELLED):
            calendar.add_component(event)
    return _with_london_timezone(calendar)


def issue_feed_token(trainer: Trainer, by: User | str) -> str:
    """A new secret feed token for the trainer, replacing any earlier one; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    replaced = trainer.feed_token_hash is not None
    trainer.feed_token_hash = token_hash(token)
    audit.record(by, "trainer.feed_issued", trainer, {"had_feed": replaced}, {"had_feed": True})
    db.session.commit()
    return token


def revoke_feed_token(trainer: Trainer, by: User | str) -> None:
    """Turn the trainer's feed off: the old address stops working."""
    trainer.feed_token_hash = None
    audit.record(by, "trainer.feed_revoked", trainer, {"had_feed": True}, {"had_feed": False})
    db.session.commit()


def trainer_for_token(token: str) -> Trainer | None:
    """The trainer whose feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Trainer).where(Trainer.feed_token_hash == token_hash(token)))


def token_hash(token: str) -> str:
    """The SHA-256 of a feed token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _calendar(method: str, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def _with_london_timezone(calendar: Calendar) -> bytes:
    """The calendar as bytes with Europe/London's VTIMEZONE ahead of its events (RFC 5545 3.6.5), as
    `add_missing_timezones` would add it; the component is built once per process, since building it took
    about 12 ms of every booking's confirmation."""
    ical = bytes(calendar.to_ical())
    first_event = ical.find(b"BEGIN:VEVENT")
    if first_event < 0:
        return ical
    return ical[:first_event] + _london_timezone() + ical[first_event:]


@cache
def _london_timezone() -> bytes:
    return bytes(Timezone.from_tzid(str(LONDON)).to_ical())


def _location(session: TrainingSession) -> str:
    venue = session.venue
    if venue is None:
        return ""
    parts: Iterable[str | None] = (venue.name, venue.address, getattr(venue, "postcode", None))
    return ", ".join(part for part in parts if part)
