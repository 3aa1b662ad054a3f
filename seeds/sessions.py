"""Sessions, their days, trainers, bookings, attendance marks, training records and certificates (SPEC 3.3-3.6).

history.py and schedule.py decide who goes where; this module writes those plans in bulk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from training_app.models import (
    AttendanceMark,
    Booking,
    BookingStatus,
    Certificate,
    MarkStatus,
    RecordSource,
    SessionDay,
    SessionStatus,
    Trainer,
    TrainingRecord,
    TrainingSession,
)
from training_app.models.sessions import session_trainers
from training_app.services.attendance.records import certificate_number, expiry_for
from training_app.services.common.calendar import london_to_utc

from .common import Demo, insert_links, insert_rows, next_working_day
from .courses import COURSES

FULL_DAY = (time(9, 30), time(16, 0))
HALF_DAY = (time(9, 30), time(12, 30))
TRAINERS = [
    ("Helen Ward", "helen.ward@bridges.example.org"),
    ("Mark Ellis", "mark.ellis@bridges.example.org"),
    ("Sunita Patel", "sunita.patel@bridges.example.org"),
]
VALIDITY = {code: validity for code, _, _, _, validity, _, _ in COURSES}


@dataclass
class SessionPlan:
    """One session to write, with the people on it by what became of their booking."""

    course: str
    host: str
    area: str
    days: list[tuple[date, time, time]]
    capacity: int
    status: SessionStatus = SessionStatus.SCHEDULED
    attended: list = field(default_factory=list)
    no_show: list = field(default_factory=list)
    booked: list = field(default_factory=list)
    waitlisted: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    code: str = ""

    @property
    def starts_on(self) -> date:
        return self.days[0][0]


@dataclass(frozen=True)
class AttendedDay:
    """An attendance mark of 'attended', as supply-cover claims need it."""

    mark_id: int
    person: object
    session_day_id: int
    day: date
    minutes: int


def days_for(start: date, pattern: str) -> list[tuple[date, time, time]]:
    """A session's days: 'full' (one day), 'two_full' (consecutive days) or 'two_half' (two mornings a week apart)."""
    first = next_working_day(start)
    if pattern == "two_full":
        return [(first, *FULL_DAY), (next_working_day(first + timedelta(days=1)), *FULL_DAY)]
    if pattern == "two_half":
        return [(first, *HALF_DAY), (next_working_day(first + timedelta(days=7)), *HALF_DAY)]
    return [(first, *FULL_DAY)]


def seed_trainers(demo: Demo) -> None:
    """The Bridges training coordinator and trainers."""
    demo.trainer_ids = insert_rows(Trainer, [{"name": name, "email": email} for name, email in TRAINERS])


def write_sessions(demo: Demo, plans: list[SessionPlan]) -> Counter:
    """Write every plan; returns how many rows of each kind were made."""
    _number(plans)
    session_ids = _insert_sessions(demo, plans)
    day_ids = _insert_days(plans, session_ids)
    bookings = _insert_bookings(demo, plans, session_ids)
    marks = _insert_marks(demo, bookings, day_ids)
    records = _insert_records(demo, bookings)
    return Counter(
        sessions=len(plans),
        session_days=sum(map(len, day_ids)),
        bookings=len(bookings),
        attendance_marks=marks,
        training_records=records,
        certificates=records,
    )


def _number(plans: list[SessionPlan]) -> None:
    """Codes such as CAF-2008-014: numbered per course and year in date order."""
    seen: Counter = Counter()
    for plan in sorted(plans, key=lambda p: (p.starts_on, p.course, p.host, p.area)):
        if plan.code:  # a plan written apart from its year's others names itself, so codes never collide
            continue
        seen[(plan.course, plan.starts_on.year)] += 1
        plan.code = f"{plan.course}-{plan.starts_on.year}-{seen[(plan.course, plan.starts_on.year)]:03d}"


def _insert_sessions(demo: Demo, plans: list[SessionPlan]) -> list[int]:
    rows = [
        {
            "code": p.code,
            "course_id": demo.course_ids[p.course],
            "venue_id": demo.venue_ids[(p.host, p.area)],
            "capacity": p.capacity,
            "host_authority_id": demo.authority_ids[p.host],
            "host_area_id": demo.area_ids[(p.host, p.area)],
            "booking_closes_days": 5,
            "status": p.status,
            "starts_on": p.days[0][0],
            "ends_on": p.days[-1][0],
            "cancelled_at": _cancelled_at(p),
            "notes": "Rescheduled: trainer unavailable." if p.status == SessionStatus.CANCELLED else "",
        }
        for p in plans
    ]
    ids = insert_rows(TrainingSession, rows)
    trainers = demo.trainer_ids
    insert_links(
        session_trainers,
        [
            {"session_id": id_, "trainer_id": trainers[(index + offset) % len(trainers)]}
            for index, (plan, id_) in enumerate(zip(plans, ids, strict=True))
            for offset in range(len(plan.days))
        ],
    )
    return ids


def _cancelled_at(plan: SessionPlan) -> datetime | None:
    if plan.status != SessionStatus.CANCELLED:
        return None
    return london_to_utc(plan.starts_on - timedelta(days=14), time(11, 0))


def _insert_days(plans: list[SessionPlan], session_ids: list[int]) -> list[list[int]]:
    rows = [
        {"session_id": id_, "date": day, "starts_at": london_to_utc(day, start), "ends_at": london_to_utc(day, end)}
        for plan, id_ in zip(plans, session_ids, strict=True)
        for day, start, end in plan.days
    ]
    ids = iter(insert_rows(SessionDay, rows))
    return [[next(ids) for _ in plan.days] for plan in plans]


BOOKING_GROUPS = [
    ("attended", BookingStatus.ATTENDED),
    ("no_show", BookingStatus.NO_SHOW),
    ("booked", BookingStatus.BOOKED),
    ("waitlisted", BookingStatus.WAITLISTED),
    ("cancelled", BookingStatus.CANCELLED),
]


def _insert_bookings(demo: Demo, plans: list[SessionPlan], session_ids: list[int]) -> list[tuple]:
    """One row per person on a plan; returns (booking id, plan, day ids index, person, status) in order."""
    entries, rows = [], []
    for index, (plan, session_id) in enumerate(zip(plans, session_ids, strict=True)):
        opened = datetime.combine(plan.starts_on - timedelta(days=28), time(9, 0), tzinfo=UTC)
        for attribute, status in BOOKING_GROUPS:
            for position, person in enumerate(getattr(plan, attribute), start=1):
                made = opened + timedelta(minutes=len(rows) % 600)
                rows.append(
                    {
                        "session_id": session_id,
                        "practitioner_id": person.id,
                        "course_id": demo.course_ids[plan.course],
                        "status": status,
                        "waitlist_position": position if status == BookingStatus.WAITLISTED else None,
                        "created_at": made,
                        "updated_at": made,
                        "cancelled_at": _cancelled_at(plan) if attribute == "cancelled" else None,
                        "cancel_reason": "Session cancelled" if attribute == "cancelled" else None,
                    }
                )
                entries.append((plan, index, person, status))
    ids = insert_rows(Booking, rows)
    return [(id_, *entry) for id_, entry in zip(ids, entries, strict=True)]


def _insert_marks(demo: Demo, bookings: list[tuple], day_ids: list[list[int]]) -> int:
    """Every day of a session that ran is marked: attended for attendees, absent for no-shows."""
    marked = {BookingStatus.ATTENDED: MarkStatus.ATTENDED, BookingStatus.NO_SHOW: MarkStatus.ABSENT}
    rows, attended = [], []
    for booking_id, plan, index, person, status in bookings:
        if status not in marked:
            continue
        for (day, start, end), day_id in zip(plan.days, day_ids[index], strict=True):
            rows.append(
                {
                    "booking_id": booking_id,
                    "session_day_id": day_id,
                    "status": marked[status],
                    "marked_at": london_to_utc(day, end),
                }
            )
            if status == BookingStatus.ATTENDED:
                attended.append((person, day_id, day, _minutes(day, start, end)))
    ids = insert_rows(AttendanceMark, rows)
    attended_ids = [id_ for id_, row in zip(ids, rows, strict=True) if row["status"] == MarkStatus.ATTENDED]
    demo.attended_days += [AttendedDay(m, *rest) for m, rest in zip(attended_ids, attended, strict=True)]
    return len(rows)


def _minutes(day: date, start: time, end: time) -> int:
    """How long a day runs, as the register and claims measure it."""
    return int((london_to_utc(day, end) - london_to_utc(day, start)).total_seconds() // 60)


def _insert_records(demo: Demo, bookings: list[tuple]) -> int:
    """A training record and a certificate for every completed booking."""
    completed = [
        (booking_id, plan, person) for booking_id, plan, _, person, s in bookings if s == BookingStatus.ATTENDED
    ]
    rows = []
    for booking_id, plan, person in completed:
        last_day, _, end = plan.days[-1]
        validity = VALIDITY[plan.course]
        rows.append(
            {
                "practitioner_id": person.id,
                "course_id": demo.course_ids[plan.course],
                "completed_on": last_day,
                "expires_on": expiry_for(last_day, validity),
                "booking_id": booking_id,
                "source": RecordSource.BOOKING,
                "created_at": london_to_utc(last_day, end),
            }
        )
    record_ids = insert_rows(TrainingRecord, rows)
    insert_rows(
        Certificate,
        [
            {
                "training_record_id": record_id,
                "number": certificate_number(record_id),
                "issued_at": row["created_at"],
            }
            for record_id, row in zip(record_ids, rows, strict=True)
        ],
    )
    return len(rows)
