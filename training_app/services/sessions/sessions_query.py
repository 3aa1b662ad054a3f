"""Read-only session listings with places taken, counted in SQL (SPEC 4.5 GET /sessions)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from ...extensions import db
from ...models import Area, Authority, Course, SessionDay, SessionStatus, TrainingSession, Venue
from ..booking.booking_checks import open_for_booking
from ..booking.places import places_left, session_places
from ..common.batches import Query, in_chunks


@dataclass(frozen=True)
class SessionFilters:
    """What a listing may be narrowed by: course code, host authority code, dates the session runs on, free places,
    and being open for booking on a day (`booking_checks.open_for_booking`)."""

    course: str | None = None
    authority: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    area_id: int | None = None
    has_places: bool = False
    code: str | None = None
    open_on: date | None = None


@dataclass(frozen=True)
class DaySummary:
    """One session day; start and end are aware UTC datetimes."""

    date: date
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SessionSummary:
    """A session with its places: capacity, booked, waitlisted and spaces left."""

    code: str
    course_code: str
    status: SessionStatus
    host_authority_code: str
    capacity: int
    booked: int
    waitlisted: int
    days: tuple[DaySummary, ...]
    course_title: str = ""
    venue: str | None = None
    host_area: str | None = None

    @property
    def spaces(self) -> int:
        """Places still free; never below zero (walk-ins can fill a session past capacity)."""
        return places_left(self.capacity, self.booked)


class SessionQueryError(ValueError):
    """A listing was asked for with filters that cannot be met; `fields` says which."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


def filter_problems(filters: SessionFilters) -> dict[str, str]:
    """Unknown codes and a backwards date range, by filter name (`course`, `authority`, `from`, `to`)."""
    problems: dict[str, str] = {}
    if filters.course and not _exists(Course.code == filters.course):
        problems["course"] = f"No course has the code {filters.course}."
    if filters.authority and not _exists(Authority.code == filters.authority):
        problems["authority"] = f"No authority has the code {filters.authority}."
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        problems["to"] = "The end of the range must be on or after its start."
    return problems


def list_sessions(filters: SessionFilters, limit: int | None = None, offset: int = 0) -> list[SessionSummary]:
    """Sessions matching the filters, earliest first, with their counts and days (`session_page` without the total)."""
    return session_page(filters, limit, offset, total=False)[0]


def session_page(
    filters: SessionFilters, limit: int | None = None, offset: int = 0, checked: bool = False, total: bool = True
) -> tuple[list[SessionSummary], int]:
    """One page of the sessions matching the filters, earliest first, with their counts and days, and how many match
    in all: a statement for the page, one for its days, and a count only when the page does not tell the total (it
    is full, or past the end). `checked`: the caller has already asked `filter_problems`; `total=False`: the total
    is not wanted (given as 0 when the page cannot tell it).

    `limit` and `offset` take one page of them, in the same order; places are counted for that page's sessions only
    (issue 25: counting all 40,000 sessions' places to show 25 cost half a second).
    """
    problems = {} if checked else filter_problems(filters)
    if problems:
        raise SessionQueryError(problems)
    matching = _matching_ids(filters)
    rows = list(db.session.execute(_rows(_page(matching, limit, offset))))
    short = limit is None or 0 < len(rows) < limit or (not rows and not offset)
    found = offset + len(rows) if short else _count(matching) if total else 0
    days = _days_by_session([row[0] for row in rows])
    sessions = [
        SessionSummary(
            code,
            course,
            status,
            host,
            capacity,
            booked,
            waitlisted,
            tuple(days.get(session_id, ())),
            title,
            venue,
            area,
        )
        for session_id, code, course, status, host, capacity, booked, waitlisted, title, venue, area in rows
    ]
    return sessions, int(found)


@dataclass(frozen=True)
class SessionDetail:
    """One session for its own page and `GET /sessions/{code}`: its summary, its venue and its trainers."""

    summary: SessionSummary
    venue: Venue | None
    trainers: tuple[str, ...]
    booking_closes_days: int
    cancel_reason: str | None


def find_session(code: str) -> SessionDetail | None:
    """The session with this code, with its places, venue and trainers; None when there is none."""
    if not code or len(code) > 40 or "\x00" in code:
        return None
    found = list_sessions(SessionFilters(code=code))
    session = db.session.scalar(sa.select(TrainingSession).where(TrainingSession.code == code))
    if not found or session is None:
        return None
    trainers = tuple(sorted(trainer.name for trainer in session.trainers))
    return SessionDetail(found[0], session.venue, trainers, session.booking_closes_days, session.cancel_reason)


def _count(matching: Query) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery())) or 0)


def _exists(condition: sa.ColumnElement[bool]) -> bool:
    return bool(db.session.execute(sa.select(sa.exists().where(condition))).scalar())


def _matching_ids(filters: SessionFilters) -> Query:
    # Joined to its course always: the planner then reads sessions course by course through their (course, first day)
    # index, a short range for sessions open for booking, instead of every session (issue 25).
    query = sa.select(TrainingSession.id).join(Course, TrainingSession.course_id == Course.id)
    if filters.course:
        query = query.where(Course.code == filters.course)
    if filters.authority:
        query = query.join(Authority, TrainingSession.host_authority_id == Authority.id).where(
            Authority.code == filters.authority
        )
    if filters.date_from:
        query = query.where(TrainingSession.ends_on >= filters.date_from)
    if filters.date_to:
        query = query.where(TrainingSession.starts_on <= filters.date_to)
    if filters.code is not None:
        query = query.where(TrainingSession.code == filters.code)
    if filters.area_id is not None:
        query = query.where(TrainingSession.host_area_id == filters.area_id)
    if filters.has_places:
        places = session_places()
        taken = sa.func.coalesce(places.c.taken, 0)
        query = query.outerjoin(places, places.c.session_id == TrainingSession.id).where(
            places_left(TrainingSession.capacity, taken) > 0, TrainingSession.status == SessionStatus.SCHEDULED
        )
    if filters.open_on is not None:
        query = query.where(open_for_booking(filters.open_on))
    return query


def _order() -> tuple[sa.ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    return (TrainingSession.starts_on.is_(None), TrainingSession.starts_on, TrainingSession.code)


def _page(matching: Query, limit: int | None, offset: int) -> sa.CTE:
    """The ids of one page of the matching sessions, in the listing's order."""
    return (
        sa.select(TrainingSession.id)
        .where(TrainingSession.id.in_(matching))
        .order_by(*_order())
        .limit(limit)
        .offset(offset)
        .cte("page")
    )


def _rows(page: sa.CTE) -> Query:
    """The page's sessions with their places (counted for those sessions only), course, host, venue and area."""
    places = session_places(sa.select(page.c.id))
    return (
        sa.select(
            TrainingSession.id,
            TrainingSession.code,
            Course.code,
            TrainingSession.status,
            Authority.code,
            TrainingSession.capacity,
            sa.func.coalesce(places.c.taken, 0),
            sa.func.coalesce(places.c.waitlisted, 0),
            Course.title,
            Venue.name,
            Area.name,
        )
        .select_from(page)
        .join(TrainingSession, TrainingSession.id == page.c.id)
        .join(Course, TrainingSession.course_id == Course.id)
        .join(Authority, TrainingSession.host_authority_id == Authority.id)
        .outerjoin(places, places.c.session_id == TrainingSession.id)
        .outerjoin(Venue, Venue.id == TrainingSession.venue_id)
        .outerjoin(Area, Area.id == TrainingSession.host_area_id)
        .order_by(*_order())
    )


def _days_by_session(session_ids: list[int]) -> dict[int, list[DaySummary]]:
    days: dict[int, list[DaySummary]] = defaultdict(list)
    for chunk in in_chunks(session_ids):
        query = (
            sa.select(SessionDay.session_id, SessionDay.date, SessionDay.starts_at, SessionDay.ends_at)
            .where(SessionDay.session_id.in_(chunk))
            .order_by(SessionDay.session_id, SessionDay.starts_at)
        )
        for session_id, day, starts_at, ends_at in db.session.execute(query):
            days[session_id].append(DaySummary(day, starts_at, ends_at))
    return days
