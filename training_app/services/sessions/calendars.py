"""iCalendar files (SPEC 3.3, 3.4): one VEVENT per session day in Europe/London time, and each trainer's secret feed.

UIDs are stable (the session's code and the day's place in it, at the domain of SERVICE_URL), so an update replaces
the event in a calendar rather than adding one. A published file (the download, the feeds) carries the session's
SEQUENCE, raised by the scheduling service on every change of time, venue or status; an emailed invitation or
cancellation (iTIP, RFC 5546) names the service as ORGANIZER and the practitioner as ATTENDEE and carries their own
SEQUENCE (see `invitees`). The Europe/London VTIMEZONE is written with RRULEs, as Outlook and Google write it: the
RDATE lists icalendar builds were read an hour out in winter by ical.js (Thunderbird) and vobject.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from icalendar import Calendar, Event, vCalAddress
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import AuditAction, Booking, SessionStatus, Trainer, TrainingSession, User
from ...models.sessions import session_trainers
from ..accounts import audit
from ..common.calendar import to_london
from ..common.locks import lock_row

PRODUCT_ID = "-//Training programme//Sessions//EN"
# Europe/London as Google writes it: two observances from 1970 with the rules in force since 1996 (BST from 01:00
# GMT on the last Sunday in March, GMT from 02:00 BST on the last Sunday in October), without end.
LONDON_VTIMEZONE = b"".join(
    line + b"\r\n"
    for line in (
        b"BEGIN:VTIMEZONE",
        b"TZID:Europe/London",
        b"X-LIC-LOCATION:Europe/London",
        b"BEGIN:DAYLIGHT",
        b"TZOFFSETFROM:+0000",
        b"TZOFFSETTO:+0100",
        b"TZNAME:BST",
        b"DTSTART:19700329T010000",
        b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        b"END:DAYLIGHT",
        b"BEGIN:STANDARD",
        b"TZOFFSETFROM:+0100",
        b"TZOFFSETTO:+0000",
        b"TZNAME:GMT",
        b"DTSTART:19701025T020000",
        b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        b"END:STANDARD",
        b"END:VTIMEZONE",
    )
)
# Characters no iCalendar text may hold (RFC 5545 3.3.11: controls), and those some readers take for a line break.
_UNPRINTABLE = re.compile(" *[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+ *")
# Session .ics files built in this process, by what they say: (when built, content); see session_calendar.
CALENDAR_CACHE_SECONDS, CALENDAR_CACHE_SIZE = 300, 1000
_BUILT: dict[tuple[object, ...], tuple[float, bytes]] = {}
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


@dataclass(frozen=True)
class Invitee:
    """The practitioner an emailed REQUEST or CANCEL is for (its ATTENDEE), and the SEQUENCE it carries for them."""

    name: str
    email: str
    sequence: int


@dataclass(frozen=True)
class _Deployment:
    """What ties a file to this deployment: the UIDs' domain and the ORGANIZER (the service's sender)."""

    uid_domain: str
    organizer_name: str
    organizer_email: str


def event_uid(session: TrainingSession, number: int, deployment: _Deployment | None = None) -> str:
    """The stable UID of a session's nth day (1-based), unique to the deployment: at SERVICE_URL's host."""
    return f"{session.code}-day-{number}@{(deployment or _deployment()).uid_domain}"


def _deployment() -> _Deployment:
    config = current_app.config
    host = urlsplit(config.get("SERVICE_URL") or "").hostname or "localhost"
    name, email = parseaddr(config["MAIL_DEFAULT_SENDER"])
    return _Deployment(host, name or config.get("SERVICE_NAME") or email, email)


def invitees(session: TrainingSession, bookings: Sequence[Booking], method: str) -> dict[int, Invitee]:
    """Each booking's practitioner as the ATTENDEE of a REQUEST or CANCEL about the session, by booking id.

    A person's SEQUENCE must rise with every message they get about the session's UIDs, or their calendar ignores
    it: the session's SEQUENCE, plus two for each other booking they have had on it (a cancelled place, then a
    new one), plus one on a CANCEL (after the REQUEST at the same session SEQUENCE).
    """
    if not bookings:
        return {}
    others = _other_bookings([booking.id for booking in bookings])
    step = 1 if method == CANCEL else 0
    return {
        booking.id: Invitee(
            booking.practitioner.full_name,
            booking.practitioner.email,
            session.sequence + 2 * others.get(booking.id, 0) + step,
        )
        for booking in bookings
    }


def leaving_invitee(session: TrainingSession, booking: Booking) -> Invitee:
    """The practitioner of a booking that has just moved off `session` (a transfer), as the ATTENDEE of the CANCEL
    that takes the session out of their calendar: the SEQUENCE they would have had cancelling it there (their
    other bookings on the session count as in `invitees`; the moved one is no longer among them)."""
    others = db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(
            Booking.session_id == session.id,
            Booking.practitioner_id == booking.practitioner_id,
            Booking.id != booking.id,
        )
    )
    practitioner = booking.practitioner
    return Invitee(practitioner.full_name, practitioner.email, session.sequence + 2 * (others or 0) + 1)


def _other_bookings_query() -> sa.Select[int, int]:
    other = sa.orm.aliased(Booking)
    same_person_same_session = sa.and_(
        other.session_id == Booking.session_id, other.practitioner_id == Booking.practitioner_id, other.id != Booking.id
    )
    return (
        sa.select(Booking.id, sa.func.count(other.id))
        .join(other, same_person_same_session)
        .where(Booking.id.in_(sa.bindparam("booking_ids", expanding=True)))
        .group_by(Booking.id)
    )


# Built once with bound parameters: every booking's confirmation runs it.
_OTHER_BOOKINGS = _other_bookings_query()


def _other_bookings(booking_ids: list[int]) -> dict[int, int]:
    """For each booking, how many other bookings its practitioner has had on its session (absent: none)."""
    rows = db.session.execute(_OTHER_BOOKINGS, {"booking_ids": booking_ids})
    return {row[0]: row[1] for row in rows}


def session_calendar(session: TrainingSession, method: str = PUBLISH, invitee: Invitee | None = None) -> bytes:
    """The session's days as an .ics file; METHOD:CANCEL marks every event cancelled. A REQUEST or CANCEL is an
    iTIP message to one practitioner, so it needs them as `invitee`.

    Every booking's confirmation carries one, so each process keeps the files it built for a few minutes, keyed
    by everything they say (a changed time, venue, trainer or status is a new key); DTSTAMP says when it was built.
    """
    if method != PUBLISH and invitee is None:
        raise ValueError(f"a METHOD:{method} calendar is sent to someone: name the invitee")
    deployment = _deployment()
    key = (*_calendar_key(session, method), deployment, invitee)
    now = time.monotonic()
    cached = _BUILT.get(key)
    if cached is not None and now - cached[0] < CALENDAR_CACHE_SECONDS:
        return cached[1]
    calendar = _calendar(method, f"{session.code} {session.course.title}")
    cancelled = method == CANCEL or session.status is SessionStatus.CANCELLED
    for event in session_events(session, cancelled, invitee, deployment):
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


def session_events(
    session: TrainingSession,
    cancelled: bool = False,
    invitee: Invitee | None = None,
    deployment: _Deployment | None = None,
) -> list[Event]:
    """One VEVENT per day, DTSTART and DTEND in London local time with TZID=Europe/London, from the service as
    ORGANIZER (and to the invitee as ATTENDEE, with their SEQUENCE); user text is made safe by `_text`."""
    deployment = deployment or _deployment()
    stamp = datetime.now(UTC)
    where = _text(_location(session))
    trainers = ", ".join(trainer.name for trainer in session.trainers)
    title = _text(f"{session.course.title} ({session.code})")
    events = []
    for number, day in enumerate(session.days, start=1):
        event = Event()
        event.add("uid", event_uid(session, number, deployment))
        event.add("dtstamp", stamp)
        event.add("dtstart", to_london(day.starts_at))
        event.add("dtend", to_london(day.ends_at))
        event.add("sequence", session.sequence if invitee is None else invitee.sequence)
        event.add("summary", f"Cancelled: {title}" if cancelled else title)
        if where:
            event.add("location", where)
        event.add("description", _text(_description(session, number, trainers)))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("organizer", _address(deployment.organizer_email, deployment.organizer_name))
        if invitee is not None:
            attendee = _address(invitee.email, invitee.name)
            attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
            event.add("attendee", attendee)
        events.append(event)
    return events


def _description(session: TrainingSession, number: int, trainers: str) -> str:
    description = f"Day {number} of {len(session.days)}."
    if trainers:
        description += f" Trainers: {trainers}."
    if session.cancel_reason:
        description += f" Cancelled: {session.cancel_reason}"
    return description


def _address(email: str, name: str) -> vCalAddress:
    """A mailto: calendar address with the person's name as its CN."""
    address = vCalAddress(f"mailto:{_text(email).replace(' ', '')}")
    if name := _text(name).strip():
        address.params["CN"] = name
    return address


def _text(value: str) -> str:
    """User text made safe for any iCalendar line: each run of control characters (a newline or CR in a title, a
    NUL in a venue's name), with the spaces around it, becomes one space; icalendar escapes the rest (commas,
    semicolons, backslashes)."""
    return _UNPRINTABLE.sub(" ", value)


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
    deployment = _deployment()
    for session in db.session.scalars(query):
        for event in session_events(session, session.status is SessionStatus.CANCELLED, None, deployment):
            calendar.add_component(event)
    return _with_london_timezone(calendar)


class FeedRefused(Exception):
    """A feed address was made since the page asking for a new one was shown: that one is kept."""


def feed_version(trainer: Trainer) -> str:
    """Which feed address the trainer has now, without telling it: "" for none, else a digest of its hash. A page
    asking for a new address names the one it showed, so that of two asks at once only the first makes one."""
    if trainer.feed_token_hash is None:
        return ""
    return hashlib.sha256(trainer.feed_token_hash.encode()).hexdigest()[:16]


def issue_feed_token(trainer: Trainer, by: User | str, replacing: str | None = None) -> str:
    """A new secret feed token for the trainer, replacing any earlier one; only its hash is kept.

    The trainer's row is locked first. `replacing` is the `feed_version` the page showed: when the address changed
    since (a second click, a coordinator at the same moment), FeedRefused and nothing changes, so the address shown
    by the one page that made it is the one that works."""
    trainer = lock_row(Trainer, trainer.id)
    if replacing is not None and feed_version(trainer) != replacing:
        name = trainer.name
        db.session.rollback()
        raise FeedRefused(f"a new feed address for {name} was made a moment ago")
    token = secrets.token_urlsafe(32)
    replaced = trainer.feed_token_hash is not None
    trainer.feed_token_hash = token_hash(token)
    audit.record(by, AuditAction.TRAINER_FEED_ISSUED, trainer, {"had_feed": replaced}, {"had_feed": True})
    db.session.commit()
    return token


def revoke_feed_token(trainer: Trainer, by: User | str) -> bool:
    """Turn the trainer's feed off: the old address stops working. Locked as issuing is, so a feed made at the same
    moment is either turned off too or made after this. False (nothing audited) when it was off already, turned off
    a moment ago from another page."""
    trainer = lock_row(Trainer, trainer.id)
    if trainer.feed_token_hash is None:
        db.session.rollback()
        return False
    trainer.feed_token_hash = None
    audit.record(by, AuditAction.TRAINER_FEED_REVOKED, trainer, {"had_feed": True}, {"had_feed": False})
    db.session.commit()
    return True


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
    calendar.add("x-wr-calname", _text(name))
    return calendar


def _with_london_timezone(calendar: Calendar) -> bytes:
    """The calendar as bytes with Europe/London's VTIMEZONE (LONDON_VTIMEZONE) ahead of its events (RFC 5545
    3.6.5)."""
    ical = bytes(calendar.to_ical())
    first_event = ical.find(b"BEGIN:VEVENT")
    if first_event < 0:
        return ical
    return ical[:first_event] + LONDON_VTIMEZONE + ical[first_event:]


def _location(session: TrainingSession) -> str:
    venue = session.venue
    if venue is None:
        return ""
    parts: Iterable[str | None] = (venue.name, venue.address, getattr(venue, "postcode", None))
    return ", ".join(part for part in parts if part)
