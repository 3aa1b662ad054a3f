"""`bookings`: session,practitioner,status; history as it was, but capacity and one active booking hold."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    AttendanceMark,
    Booking,
    BookingStatus,
    MarkStatus,
    Practitioner,
    TrainingSession,
)
from ..services.records import record_completions
from .base import Reader, Row, fetch_in, in_chunks

MARKS = {BookingStatus.ATTENDED: MarkStatus.ATTENDED, BookingStatus.ABSENT: MarkStatus.ABSENT}


@dataclass
class BookingRecord:
    """A checked bookings row, with the booking it updates when there is one."""

    row: Row
    session: TrainingSession
    practitioner_id: int
    status: BookingStatus
    existing: Booking | None


class BookingReader(Reader):
    """Bookings by session and practitioner email; `attended` marks every day and completes the booking."""

    kind = "bookings"
    columns = ("session", "practitioner", "status")
    key_columns = ("session", "practitioner")

    def key(self, row: Row) -> tuple[str, ...]:
        return (row["session"], row["practitioner"].lower())

    def load(self, rows: list[Row]) -> None:
        # Locked (PostgreSQL) until the import commits, as booking a place does, so capacity holds under load.
        sessions = (
            sa.select(TrainingSession)
            .options(selectinload(TrainingSession.days), joinedload(TrainingSession.course, innerjoin=True))
            .with_for_update(of=TrainingSession)
        )
        found = fetch_in(sessions, TrainingSession.code, (row["session"] for row in rows))
        self.sessions = {session.code: session for session in found}
        emails = (row["practitioner"].lower() for row in rows)
        people = sa.select(Practitioner.email, Practitioner.id)
        self.practitioners = dict(fetch_in(people, Practitioner.email, emails, scalars=False))
        session_ids = [session.id for session in found]
        bookings = fetch_in(sa.select(Booking), Booking.session_id, session_ids)
        self.existing = {(booking.session_id, booking.practitioner_id): booking for booking in bookings}
        self.places = _places(session_ids)
        self.active = _active_bookings(self.practitioners.values())

    def check(self, row: Row) -> BookingRecord | None:
        session = row.ref("session", self.sessions, "no session with code {}")
        practitioner_id = row.ref("practitioner", self.practitioners, "no practitioner with email {}", lower=True)
        status = row.choice("status", BookingStatus)
        if status in MARKS and session is not None and not session.days:
            row.error("status", f"session {session.code} has no days to mark {status}")
        if not row.ok:
            return None
        return BookingRecord(row, session, practitioner_id, status, self.existing.get((session.id, practitioner_id)))

    def check_file(self, records: list[BookingRecord]) -> None:
        self._check_capacity(records)
        self._check_one_active_per_course(records)
        _check_one_completion_a_day(records)

    def _check_capacity(self, records: list[BookingRecord]) -> None:
        """Places taken in the database and in the file never exceed the session's capacity."""
        taken = {session_id: count for session_id, (count, _) in self.places.items()}
        for record in records:
            if record.existing is not None and record.existing.status in PLACE_HOLDING_STATUSES:
                taken[record.session.id] -= 1  # the file says again whether this booking takes a place
        for record in records:
            if record.status in PLACE_HOLDING_STATUSES:
                session = record.session
                taken[session.id] = taken.get(session.id, 0) + 1
                if taken[session.id] > session.capacity:
                    record.row.error(
                        "session", f"session {session.code} is full: its {session.capacity} places are all taken"
                    )

    def _check_one_active_per_course(self, records: list[BookingRecord]) -> None:
        """A practitioner holds at most one booked or waitlisted place per course."""
        in_file = {(record.session.id, record.practitioner_id) for record in records}
        holders = {
            (practitioner_id, course_id): f"(session {code})"
            for session_id, practitioner_id, course_id, code in self.active
            if (session_id, practitioner_id) not in in_file
        }
        for record in records:
            if record.status not in ACTIVE_STATUSES:
                continue
            key = (record.practitioner_id, record.session.course_id)
            if key in holders:
                record.row.error(
                    "practitioner",
                    f"{record.row['practitioner']} already has an active booking for course "
                    f"{record.session.course.code} {holders[key]}",
                )
            else:
                holders[key] = f"(session {record.session.code} on line {record.row.line})"

    def write(self, records: list[BookingRecord]) -> tuple[int, int]:
        last_positions = {session_id: last for session_id, (_, last) in self.places.items()}
        created, marked = 0, []
        for record in records:
            booking = record.existing
            if booking is None:
                booking = Booking(
                    session=record.session, practitioner_id=record.practitioner_id, course_id=record.session.course_id
                )
                db.session.add(booking)
                created += 1
            _set_status(booking, record, last_positions)
            if record.status in MARKS:
                marked.append((booking, record))
        db.session.flush()
        _mark_every_day(marked, list(self.sessions.values()))
        record_completions([booking for booking, record in marked if record.status == BookingStatus.ATTENDED])
        return created, len(records) - created


def _check_one_completion_a_day(records: list[BookingRecord]) -> None:
    """Two attended sessions of one course ending the same day would be the same training record."""
    first_line: dict[tuple[int, int, object], int] = {}
    for record in records:
        if record.status != BookingStatus.ATTENDED:
            continue
        session = record.session
        key = (record.practitioner_id, session.course_id, session.ends_on)
        if key in first_line:
            message = f"completes course {session.course.code} on {session.ends_on} again (line {first_line[key]})"
            record.row.error("status", message)
        first_line.setdefault(key, record.row.line)


def _set_status(booking: Booking, record: BookingRecord, last_positions: dict[int, int]) -> None:
    """Set the status; a new place on the waiting list goes after the session's existing list, in file order."""
    session_id = record.session.id
    if record.status != BookingStatus.WAITLISTED:
        booking.waitlist_position = None
    elif booking.status != BookingStatus.WAITLISTED or booking.waitlist_position is None:
        last_positions[session_id] = last_positions.get(session_id, 0) + 1
        booking.waitlist_position = last_positions[session_id]
    booking.status = record.status


def _mark_every_day(marked: list[tuple[Booking, BookingRecord]], sessions: list[TrainingSession]) -> None:
    """Mark every day of the session attended or absent, replacing marks already there."""
    existing = _marks(session.id for session in sessions)
    for booking, record in marked:
        status = MARKS[record.status]
        for day in record.session.days:
            mark = existing.get((booking.id, day.id))
            if mark is None:
                db.session.add(AttendanceMark(booking_id=booking.id, session_day_id=day.id, status=status))
            else:
                mark.status = status


def _places(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per session: the places taken and the last waiting-list position (0 when nobody waits)."""
    places: dict[int, tuple[int, int]] = {}
    taking = sa.case((Booking.status.in_(PLACE_HOLDING_STATUSES), 1))
    for chunk in in_chunks(session_ids):
        query = (
            sa.select(Booking.session_id, sa.func.count(taking), sa.func.max(Booking.waitlist_position))
            .where(Booking.session_id.in_(chunk))
            .group_by(Booking.session_id)
        )
        places.update({session_id: (taken, last or 0) for session_id, taken, last in db.session.execute(query)})
    return places


def _active_bookings(practitioner_ids) -> list[tuple[int, int, int, str]]:
    """(session id, practitioner id, course id, session code) of every active booking of these practitioners."""
    query = (
        sa.select(Booking.session_id, Booking.practitioner_id, Booking.course_id, TrainingSession.code)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(Booking.status.in_(ACTIVE_STATUSES))
    )
    return fetch_in(query, Booking.practitioner_id, practitioner_ids, scalars=False)


def _marks(session_ids) -> dict[tuple[int, int], AttendanceMark]:
    """Existing marks of the bookings on these sessions, by (booking id, day id)."""
    marks: dict[tuple[int, int], AttendanceMark] = {}
    for chunk in in_chunks(session_ids):
        bookings = sa.select(Booking.id).where(Booking.session_id.in_(chunk))
        query = sa.select(AttendanceMark).where(AttendanceMark.booking_id.in_(bookings))
        marks.update({(mark.booking_id, mark.session_day_id): mark for mark in db.session.scalars(query)})
    return marks
