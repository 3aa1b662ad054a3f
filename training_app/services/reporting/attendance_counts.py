"""Attendance per authority (SPEC 3.5, 3.9): who came, for a session or a period, counted by exact set of authorities.

An **attendee** is a practitioner with at least one session day marked `attended` or `partial` on the register
(of the session asked for, and on a day within the period asked for). Someone who came for part of a session
still came: partners are recharged for the people their staff sent, and `partial` is how a register records a
late arrival or an early leaver. A person marked only `absent` did not attend. Walk-ins are on the register, so
they count. Each attendee is counted once, however many days or sessions they came to, in the row of the exact
set of authorities they work for, with the rows labelled and ordered as the trained-by-area table
(counting.rows_by_authority_set). Aggregated in SQL: one grouped query, whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import AttendanceMark, Booking, MarkStatus, Practitioner, SessionDay
from ..common.batches import Query
from .counting import practitioner_ids_in_scope, rows_by_authority_set

TOTAL_ATTENDED = "Total Attended"
CAME = (MarkStatus.ATTENDED, MarkStatus.PARTIAL)


@dataclass(frozen=True)
class AttendanceRow:
    """Attendees under one exact set of authorities (or the total, last)."""

    label: str
    attended: int


class PeriodProblem(ValueError):
    """A period whose first day is after its last."""


def check_period(start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts (both ends are inclusive and either may be open)."""
    if start is not None and end is not None and start > end:
        raise PeriodProblem(f"The start date ({start:%d/%m/%Y}) must be on or before the end date ({end:%d/%m/%Y}).")


def attendee_ids(start: date | None = None, end: date | None = None, session_id: int | None = None) -> Query:
    """Ids of practitioners with a day marked attended or partial within the period (and session) given."""
    query = (
        sa.select(Booking.practitioner_id)
        .join(AttendanceMark, AttendanceMark.booking_id == Booking.id)
        .join(SessionDay, SessionDay.id == AttendanceMark.session_day_id)
        .where(AttendanceMark.status.in_(CAME))
    )
    if start is not None:
        query = query.where(SessionDay.date >= start)
    if end is not None:
        query = query.where(SessionDay.date <= end)
    if session_id is not None:
        query = query.where(SessionDay.session_id == session_id)
    return query


def attendance_by_authority(
    start: date | None = None,
    end: date | None = None,
    session_id: int | None = None,
    authority_ids: set[int] | None = None,
) -> list[AttendanceRow]:
    """The 3.9 rows for attendees of a session and/or period, kept to a lead's authorities when given; total last."""
    check_period(start, end)
    query = (
        sa.select(Practitioner.authority_key, sa.func.count(Practitioner.id))
        .where(Practitioner.id.in_(attendee_ids(start, end, session_id)), Practitioner.authority_key != "")
        .group_by(Practitioner.authority_key)
    )
    if authority_ids is not None:
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
    counts = {key: count for key, count in db.session.execute(query).all()}  # noqa: C416
    rows = rows_by_authority_set(counts, TOTAL_ATTENDED, authority_ids)
    return [AttendanceRow(row.label, row.trained) for row in rows]
