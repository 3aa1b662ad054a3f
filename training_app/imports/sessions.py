"""`sessions`: code,course,date,start,end,venue,capacity,host_authority,host_area,status, one row per day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Area, Authority, Course, SessionStatus, TrainingSession, Venue
from ..services.booking.interest import tell_interested
from ..services.booking.places import NO_BOOKINGS, places_by_session
from ..services.common.batches import fetch_in
from ..services.common.calendar import london_to_utc
from ..services.common.locks import locking
from ..services.sessions.sessions import DayTimes, change_problems, marked_day_ids, room_problem, set_days
from .base import Reader, Row
from .organisations import area_of, areas_by_authority

# What every day of one session must agree on: (column, attribute of the record).
SHARED = (
    ("course", "course"),
    ("venue", "venue"),
    ("capacity", "capacity"),
    ("host_authority", "host_authority"),
    ("host_area", "host_area"),
    ("status", "status"),
)


@dataclass
class SessionDayRecord:
    """A checked sessions row: one day of the session `code`."""

    row: Row
    code: str
    course: Course
    day: date
    starts_at: datetime
    ends_at: datetime
    venue: str | None
    capacity: int
    host_authority: Authority
    host_area: Area | None
    status: SessionStatus


def by_code(records: list[SessionDayRecord]) -> dict[str, list[SessionDayRecord]]:
    """The day rows of each session, in file order."""
    sessions: dict[str, list[SessionDayRecord]] = {}
    for record in records:
        sessions.setdefault(record.code, []).append(record)
    return sessions


class SessionReader(Reader):
    """Sessions by code, each row one of its days; unknown venues are created with the largest capacity seen."""

    kind = "sessions"
    columns = ("code", "course", "date", "start", "end", "venue", "capacity", "host_authority", "host_area", "status")
    key_columns = ("code", "date")

    def load(self, rows: Sequence[Row]) -> None:
        self.courses = {c.code: c for c in fetch_in(sa.select(Course), Course.code, (r["course"] for r in rows))}
        self.authorities = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}
        self.areas = areas_by_authority()
        self.venues = {v.name: v for v in fetch_in(sa.select(Venue), Venue.name, (r["venue"] for r in rows))}
        sessions = locking(sa.select(TrainingSession).options(selectinload(TrainingSession.days)))
        self.existing = {s.code: s for s in fetch_in(sessions, TrainingSession.code, (r["code"] for r in rows))}
        session_ids = [session.id for session in self.existing.values()]
        self.places = places_by_session(session_ids)
        self.marked_days = marked_day_ids(session_ids)

    def check(self, row: Row) -> SessionDayRecord | None:
        code = row.code("code", 40)
        course = row.ref("course", self.courses, "no course with code {}")
        day, start, end = row.date("date"), row.time("start"), row.time("end")
        venue = row.text("venue", 200, required=False)
        capacity = row.integer("capacity", minimum=1, required=True)
        host_authority = row.ref("host_authority", self.authorities, "no authority with code {}")
        host_area = area_of(row, "host_area", host_authority, self.areas)
        status = row.choice("status", SessionStatus)
        if not row.ok:
            return None
        day = row.checked(day)
        starts_at, ends_at = london_to_utc(day, row.checked(start)), london_to_utc(day, row.checked(end))
        record = SessionDayRecord(
            row,
            row.checked(code),
            row.checked(course),
            day,
            starts_at,
            ends_at,
            venue,
            row.checked(capacity),
            row.checked(host_authority),
            host_area,
            row.checked(status),
        )
        if ends_at <= starts_at:  # logged, but the row still takes part in the checks across rows
            row.error("end", f"must be after start ({row['start']}), not {row['end']}")
        return record

    def check_file(self, records: list[SessionDayRecord]) -> None:
        for code, days in by_code(records).items():
            _check_days_agree(code, days)
            if code in self.existing:
                self._check_update(self.existing[code], days)
        for record in records:
            if problem := room_problem(record.capacity, self.venues.get(record.venue)):
                record.row.error(problem.field, problem.message)

    def _check_update(self, session: TrainingSession, days: list[SessionDayRecord]) -> None:
        """An existing session may change only in ways its bookings and register allow."""
        first = days[0]
        places = self.places.get(session.id, NO_BOOKINGS)
        dates = [record.day for record in days]
        for problem in change_problems(session, first.course, first.capacity, dates, places, self.marked_days):
            first.row.error(problem.field, problem.message)

    def write(self, records: list[SessionDayRecord]) -> tuple[int, int]:
        venues = self._venues(records)
        sessions, created, written = by_code(records), 0, []
        for code, days in sessions.items():
            session = self.existing.get(code)
            if session is None:
                session = TrainingSession(code=code)
                db.session.add(session)
                created += 1
            first = days[0]
            session.course, session.capacity, session.status = first.course, first.capacity, first.status
            session.venue = venues[first.venue] if first.venue else None
            session.host_authority, session.host_area = first.host_authority, first.host_area
            set_days(session, [DayTimes(record.day, record.starts_at, record.ends_at) for record in days])
            written.append(session)
        db.session.flush()
        # SPEC 3.4 Interest: the people waiting for dates of these courses, once per session (a dry run rolls back)
        tell_interested(session.id for session in written)
        return created, len(sessions) - created

    def _venues(self, records: list[SessionDayRecord]) -> dict[str, Venue]:
        """Known venues, plus a new one for each unknown name with the largest capacity asked of it."""
        venues = dict(self.venues)
        for record in records:
            if not record.venue:
                continue
            venue = venues.get(record.venue)
            if venue is None:
                venue = venues[record.venue] = Venue(name=record.venue, capacity=record.capacity)
                db.session.add(venue)
            elif record.venue not in self.venues:
                venue.capacity = max(venue.capacity, record.capacity)
        return venues


def _check_days_agree(code: str, days: list[SessionDayRecord]) -> None:
    first = days[0]
    for record in days[1:]:
        for column, attribute in SHARED:
            if getattr(record, attribute) != getattr(first, attribute):
                record.row.error(
                    column,
                    f'"{record.row[column]}" differs from line {first.row.line} ("{first.row[column]}"): '
                    f"every day of session {code} must have the same {column}",
                )
