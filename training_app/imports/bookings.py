"""`bookings`: session,practitioner,status; history as it was, but capacity and one active booking hold.

The rules are services.booking.bookings': this reader parses rows and reports what the ledger refuses, by line.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingStatus, Practitioner, TrainingSession
from ..services.booking.bookings import DAY_MARKS, PlaceLedger, lock_sessions, mark_every_day, set_status
from ..services.common.batches import fetch_in
from .base import Reader, Row

# SPEC 4.3's statuses: a request for approval (and a declined one) is made on the pages, never loaded; nor is a
# waiting-list offer (made when a place comes free, with its expiry) or its answer.
NOT_IMPORTED = (
    BookingStatus.REQUESTED,
    BookingStatus.DECLINED,
    BookingStatus.OFFERED,
    BookingStatus.OFFER_DECLINED,
    BookingStatus.OFFER_LAPSED,
)
ImportedStatus = enum.StrEnum(  # type: ignore[misc]
    "ImportedStatus", [(status.name, status.value) for status in BookingStatus if status not in NOT_IMPORTED]
)


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

    def load(self, rows: Sequence[Row]) -> None:
        # Locked until the import commits, as booking a place is, so capacity holds under load.
        self.sessions = lock_sessions(row["session"] for row in rows)
        emails = (row["practitioner"].lower() for row in rows)
        people = sa.select(Practitioner.email, Practitioner.id)
        self.practitioners = dict(fetch_in(people, Practitioner.email, emails, scalars=False))
        session_ids = [session.id for session in self.sessions.values()]
        bookings = fetch_in(sa.select(Booking), Booking.session_id, session_ids)
        self.existing = {(booking.session_id, booking.practitioner_id): booking for booking in bookings}
        self.ledger = PlaceLedger(list(self.sessions.values()), self.practitioners.values())

    def check(self, row: Row) -> BookingRecord | None:
        session = row.ref("session", self.sessions, "no session with code {}")
        practitioner_id = row.ref("practitioner", self.practitioners, "no practitioner with email {}", lower=True)
        chosen = row.choice("status", ImportedStatus)
        status = BookingStatus(chosen.value) if chosen is not None else None
        if status in DAY_MARKS and session is not None and not session.days:
            row.error("status", f"session {session.code} has no days to mark {status}")
        if not row.ok:
            return None
        session, practitioner_id = row.checked(session), row.checked(practitioner_id)
        existing = self.existing.get((session.id, practitioner_id))
        return BookingRecord(row, session, practitioner_id, row.checked(status), existing)

    def check_file(self, records: list[BookingRecord]) -> None:
        for record in records:
            if record.existing is not None:
                self.ledger.release(record.existing)  # the file says again what this booking holds
        for record in records:
            where = f"(session {record.session.code} on line {record.row.line})"
            for problem in self.ledger.take(record.session, record.practitioner_id, record.status, where):
                prefix = f"{record.row['practitioner']} " if problem.field == "practitioner" else ""
                record.row.error(problem.field, prefix + problem.message)
        _check_one_completion_a_day(records)

    def write(self, records: list[BookingRecord]) -> tuple[int, int]:
        created, marked = 0, []
        for record in records:
            booking = record.existing
            if booking is None:
                session = record.session
                booking = Booking(
                    session=session,
                    session_id=session.id,
                    practitioner_id=record.practitioner_id,
                    course_id=session.course_id,
                )
                db.session.add(booking)
                created += 1
            set_status(booking, record.status, self.ledger)
            if record.status in DAY_MARKS:
                marked.append((booking, DAY_MARKS[record.status]))
        db.session.flush()
        mark_every_day(marked)  # completes the attended ones (services.attendance.records.complete_marked)
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
