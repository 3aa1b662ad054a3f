"""Attendance registers (SPEC 3.5): marking booked people per session day, walk-ins, and what the marks mean.

One all-or-nothing unit of work for the page and the API: the session row is locked as bookings lock it, and what
follows is read afresh (services.common.locks); every entry is checked (a day of the session that has come, someone
on the register, a known status), and only when none is wrong are the marks written, each change audited with its
old and new value. Then the bookings touched are settled by the one completion rule (`records.settle_bookings`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import (
    AttendanceMark,
    AuditAction,
    Booking,
    Claim,
    ClaimLine,
    ClaimStatus,
    MarkStatus,
    Practitioner,
    SessionDay,
    SessionStatus,
    Trainer,
    TrainingSession,
    User,
    utcnow,
)
from ...models.sessions import session_trainers
from ..accounts import audit
from ..accounts.scope import is_staff
from ..booking.bookings import lock_session
from ..common.calendar import DateProblem, parse_iso_date, to_london
from ..common.locks import fresh
from .records import ON_REGISTER, Settlement, settle_bookings

MAX_NOTES = 400
MAX_ENTRIES = 5000
HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
# Setting a day back to not marked removes its mark (audited) and settles the booking again.
NOT_MARKED = "not_marked"
STATUSES = ", ".join(status.value for status in MarkStatus) + f" or {NOT_MARKED}"


@dataclass(frozen=True)
class Entry:
    """One mark asked for: a practitioner (by email) on a day (YYYY-MM-DD) with a status, and for a partial day
    the time they arrived or left (HH:MM), and a note."""

    practitioner: str
    day: str
    status: str
    time: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Problem:
    """Why an entry (by its index; None for the whole register) cannot be written, and which field is wrong."""

    index: int | None
    field: str
    message: str


class RegisterRefused(ValueError):
    """The register was not changed; every problem found is listed."""

    def __init__(self, problems: Sequence[Problem], forbidden: bool = False) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)
        self.forbidden = forbidden


@dataclass
class RegisterRow:
    """One person on the register with their marks, by session day id."""

    booking: Booking
    marks: dict[int, AttendanceMark] = field(default_factory=dict)


@dataclass(frozen=True)
class Marked:
    """What marking did: how many marks changed and how the bookings settled."""

    changed: int
    settlement: Settlement


def can_mark_register(user: User, session: TrainingSession) -> bool:
    """Coordinators (and admins) mark any register; anyone else only a session they are a trainer of."""
    if is_staff(user):
        return True
    query = (
        sa.select(Trainer.id)
        .join(session_trainers, session_trainers.c.trainer_id == Trainer.id)
        .where(session_trainers.c.session_id == session.id, Trainer.user_id == user.id)
    )
    return db.session.execute(query.limit(1)).first() is not None


def register_closed_reason(session: TrainingSession, today: date) -> str | None:
    """Why nobody may mark the session's register today, or None: marking opens on its first day."""
    if session.status == SessionStatus.CANCELLED:
        return f"Session {session.code} is cancelled, so it has no register to mark"
    if session.starts_on is None:
        return f"Session {session.code} has no days to mark"
    if today < session.starts_on:
        return f"The register of {session.code} opens on its first day, {session.starts_on:%-d %B %Y}"
    return None


def register_rows(session: TrainingSession) -> list[RegisterRow]:
    """Everyone on the register (holding a place: booked, attended, absent, no-show), by name, with their marks as
    they are now (overwriting any copy loaded before: marking reads them under the session's lock); two queries
    whatever the size."""
    bookings = db.session.scalars(
        fresh(
            sa.select(Booking)
            .options(joinedload(Booking.practitioner).joinedload(Practitioner.organisation))
            .join(Practitioner, Practitioner.id == Booking.practitioner_id)
            .where(Booking.session_id == session.id, Booking.status.in_(ON_REGISTER))
            .order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
        )
    ).all()
    rows = {booking.id: RegisterRow(booking) for booking in bookings}
    marks = sa.select(AttendanceMark).where(
        AttendanceMark.booking_id.in_(sa.select(Booking.id).where(Booking.session_id == session.id))
    )
    for mark in db.session.scalars(fresh(marks)):
        if mark.booking_id in rows:
            rows[mark.booking_id].marks[mark.session_day_id] = mark
    return list(rows.values())


def register_emails(session: TrainingSession) -> dict[int, str]:
    """The email of each person on the register, by booking id: what a page's fields name, for its entries."""
    query = (
        sa.select(Booking.id, Practitioner.email)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(Booking.session_id == session.id, Booking.status.in_(ON_REGISTER))
    )
    return dict(db.session.execute(query).all())


def mark_register(session: TrainingSession, entries: Sequence[Entry], by: User, now: datetime | None = None) -> Marked:
    """Write the entries to the session's register, all or nothing, in one committed transaction; RegisterRefused
    (nothing written) lists every problem. Bookings whose marks changed are settled (completion, no-show).

    The session is locked before anything is read, and the register, its marks and the bookings' statuses are read
    afresh after it, so saves at the same moment apply one after the other and each audits the values it replaced."""
    now = now or utcnow()
    if not can_mark_register(by, session):
        raise RegisterRefused([Problem(None, "session", "You are not a trainer of this session")], forbidden=True)
    locked = lock_session(session.id)
    problems, checked = _check_entries(locked, entries, to_london(now).date())
    problems += _claimed_problems(checked)
    if problems:
        db.session.rollback()
        raise RegisterRefused(problems)
    changed, touched = _write_marks(checked, by, now)
    settlement = settle_bookings(list(touched.values()), by, now)
    db.session.commit()
    return Marked(changed, settlement)


@dataclass(frozen=True)
class _Checked:
    booking: Booking
    day: SessionDay
    status: MarkStatus | None  # None: set back to not marked
    noted_time: time | None
    notes: str
    index: int = 0


def _check_entries(
    session: TrainingSession, entries: Sequence[Entry], today: date
) -> tuple[list[Problem], list[_Checked]]:
    closed = register_closed_reason(session, today)
    if closed is not None:
        return [Problem(None, "session", closed)], []
    if not entries:
        return [Problem(None, "entries", "Give at least one mark")], []
    if len(entries) > MAX_ENTRIES:
        return [Problem(None, "entries", f"Give at most {MAX_ENTRIES} marks at once")], []
    days = {day.date: day for day in session.days}
    on_register = {row.booking.practitioner.email: row.booking for row in register_rows(session)}
    problems: list[Problem] = []
    checked: list[_Checked] = []
    seen: dict[tuple[str, date], int] = {}
    for index, entry in enumerate(entries):
        found = _check_entry(index, entry, session, days, on_register, today)
        if isinstance(found, list):
            problems += found
            continue
        key = (found.booking.practitioner.email, found.day.date)
        if key in seen:
            message = f"{entry.practitioner} on {found.day.date} is marked twice (also entry {seen[key] + 1})"
            problems.append(Problem(index, "day", message))
        seen.setdefault(key, index)
        checked.append(found)
    return problems, checked


def _check_entry(
    index: int,
    entry: Entry,
    session: TrainingSession,
    days: dict[date, SessionDay],
    on_register: dict[str, Booking],
    today: date,
) -> _Checked | list[Problem]:
    """One entry checked, or every problem with it; a partial day needs the time they arrived or left."""
    problems = []
    booking = on_register.get(entry.practitioner.strip().lower())
    if booking is None:
        message = f"{entry.practitioner} is not on the register of {session.code}: add them as a walk-in first"
        problems.append(Problem(index, "practitioner", message))
    day = _day(index, entry.day, session, days, today, problems)
    if entry.status == NOT_MARKED:  # its time and note go with the mark
        if problems or booking is None or day is None:
            return problems
        return _Checked(booking, day, None, None, "", index)
    status = MarkStatus(entry.status) if entry.status in set(MarkStatus) else None
    if status is None:
        problems.append(Problem(index, "status", f"Status must be one of {STATUSES}, not {entry.status!r}"))
    noted_time = None
    if entry.time:
        if HH_MM.fullmatch(entry.time):
            noted_time = time.fromisoformat(entry.time)
        else:
            problems.append(Problem(index, "time", f"Time must be written HH:MM, like 09:45, not {entry.time!r}"))
        if status is not None and status != MarkStatus.PARTIAL:
            problems.append(Problem(index, "time", "Give a time only for a partial day (arrived late, left early)"))
    elif status == MarkStatus.PARTIAL:  # a partial day is only told apart by when they came or went
        who = booking.practitioner.full_name if booking is not None else entry.practitioner
        problems.append(Problem(index, "time", f"Give the time {who} arrived or left"))
    if len(entry.notes) > MAX_NOTES:
        problems.append(Problem(index, "notes", f"Notes must be {MAX_NOTES} characters or fewer"))
    if problems or booking is None or day is None or status is None:
        return problems
    return _Checked(booking, day, status, noted_time, " ".join(entry.notes.split()), index)


def _day(
    index: int,
    text: str,
    session: TrainingSession,
    days: dict[date, SessionDay],
    today: date,
    problems: list[Problem],
) -> SessionDay | None:
    """The session day an entry names; a problem when it is not a date, not one of the session's, or to come."""
    try:
        when = parse_iso_date(text)
    except DateProblem as problem:
        problems.append(Problem(index, "day", f"Day {problem}"))
        return None
    day = days.get(when)
    if day is None:
        listed = ", ".join(str(day) for day in sorted(days))
        problems.append(Problem(index, "day", f"{when} is not a day of session {session.code} (its days: {listed})"))
    elif when > today:
        problems.append(Problem(index, "day", f"{when} has not come yet: a day is marked on or after it"))
        return None
    return day


def _write_marks(checked: Sequence[_Checked], by: User, now: datetime) -> tuple[int, dict[int, Booking]]:
    """Write the checked marks; each change audited (old and new value). How many changed, and their bookings."""
    booking_ids = {item.booking.id for item in checked}
    marks = fresh(sa.select(AttendanceMark).where(AttendanceMark.booking_id.in_(booking_ids)))
    existing = {(mark.booking_id, mark.session_day_id): mark for mark in db.session.scalars(marks)}
    changed, touched = 0, {}
    for item in checked:
        mark = existing.get((item.booking.id, item.day.id))
        old = _mark_values(mark) if mark is not None else None
        if item.status is None:
            if mark is not None:
                _clear_mark(mark, item, old, by)
                changed += 1
                touched[item.booking.id] = item.booking
            continue
        new = {
            "status": item.status.value,
            "time": item.noted_time.strftime("%H:%M") if item.noted_time else None,
            "notes": item.notes,
        }
        if old == new:
            continue
        if mark is None:
            mark = AttendanceMark(booking_id=item.booking.id, session_day_id=item.day.id, status=item.status)
            db.session.add(mark)
        mark.status, mark.noted_time, mark.notes = item.status, item.noted_time, item.notes
        mark.marked_by_id, mark.marked_at = by.id, now
        db.session.flush()
        where = {"booking_id": item.booking.id, "practitioner": item.booking.practitioner.email}
        audit.record(
            by,
            AuditAction.ATTENDANCE_MARKED,
            mark,
            old and {**where, **old},
            {**where, "day": str(item.day.date), **new},
        )
        changed += 1
        touched[item.booking.id] = item.booking
    return changed, touched


def _clear_mark(mark: AttendanceMark, item: _Checked, old: dict[str, object] | None, by: User) -> None:
    """Set a day back to not marked: the mark is deleted, its old value audited."""
    where = {"booking_id": item.booking.id, "practitioner": item.booking.practitioner.email, "day": str(item.day.date)}
    audit.record(by, AuditAction.ATTENDANCE_MARK_CLEARED, mark, {**where, **(old or {})}, None)
    db.session.delete(mark)
    db.session.flush()


def _claimed_problems(checked: Sequence[_Checked]) -> list[Problem]:
    """Attended days on a supply-cover claim stay attended: a mark on a live claim line (draft, submitted, approved,
    paid) may not be changed from attended nor cleared, and one on a rejected claim's line (kept as its record) may
    be changed but not cleared. One query for every entry."""
    leaving = [item for item in checked if item.status != MarkStatus.ATTENDED]
    if not leaving:
        return []
    query = (
        sa.select(AttendanceMark.booking_id, AttendanceMark.session_day_id, Claim.id, Claim.status, ClaimLine.live)
        .join(ClaimLine, ClaimLine.attendance_mark_id == AttendanceMark.id)
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(AttendanceMark.booking_id.in_({item.booking.id for item in leaving}))
        .order_by(ClaimLine.live.desc(), Claim.id)
    )
    claims: dict[tuple[int, int], tuple[int, str, bool]] = {}
    for booking_id, day_id, claim_id, claim_status, live in db.session.execute(query):
        claims.setdefault((booking_id, day_id), (claim_id, claim_status.value, live))
    problems = []
    for item in leaving:
        found = claims.get((item.booking.id, item.day.id))
        if found is None or not (found[2] or item.status is None):
            continue
        claim_id, status, live = found
        who = f"{item.booking.practitioner.full_name} on {item.day.date:%-d %B %Y}"
        if live and status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
            message = f"{who} is on supply-cover claim {claim_id} ({status}), so the day stays attended"
        elif live:
            message = (
                f"{who} is on supply-cover claim {claim_id} ({status}), so the day stays attended "
                "unless the claim is rejected"
            )
        else:
            message = (
                f"{who} is on rejected supply-cover claim {claim_id}, so the mark is kept: mark it absent or partial"
            )
        problems.append(Problem(item.index, "status", message))
    return problems


def _mark_values(mark: AttendanceMark) -> dict[str, object]:
    return {
        "status": mark.status.value,
        "time": mark.noted_time.strftime("%H:%M") if mark.noted_time else None,
        "notes": mark.notes or "",
    }
