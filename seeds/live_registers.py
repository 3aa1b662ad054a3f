"""The live programme's registers (SPEC 5): today's session open with people booked and one partial mark, and
last month's sessions marked, with completions (records and certificates), a no-show (charged) and a partial day.

Last month's attendees are people trained in the 2007-08 history (refreshers and awareness plus), so no count as
of 31 August 2008 moves and nobody leaves the 'still to train' list; among them are teachers and teaching
assistants of the booker's school and of another claim school, whose attended days the live claims use.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Booking,
    BookingStatus,
    Charge,
    ChargeReason,
    CoverCategory,
    MarkStatus,
    Practitioner,
    SessionDay,
    SessionStatus,
    TrainingSession,
)
from training_app.models.sessions import is_half_day
from training_app.services.booking.booking_needs import NO_NEEDS, read_needs
from training_app.services.common.calendar import london_to_utc

from .common import Demo, insert_rows, next_working_day
from .funds import BOOKER_SCHOOL_INDEX, claim_schools
from .sessions import FULL_DAY, HALF_DAY, SessionPlan, write_sessions

SCHOOL_STAFF = 3  # teachers and teaching assistants from each of two claim schools
OTHERS = 4
BOOKED_TODAY = 8
HALF_DAY_CHARGE, DAY_CHARGE = 2500, 5000  # the courses' default charges (models.courses)
# What two of today's people told the trainers when they were booked (SPEC 3.4 booking questions).
TODAYS_NEEDS = [
    read_needs("Uses a wheelchair: a ground-floor room or a lift, please.", None),
    read_needs(None, "Vegetarian.\nNut allergy (carries an adrenaline pen)."),
]


def seed_live_registers(demo: Demo, today: date) -> Counter:
    """Book today's session (its register open, one partial mark) and write last month's marked sessions."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    trained = _trained_people(demo)
    plans = _last_month_plans(demo, first, trained)
    counts = write_sessions(demo, plans)
    counts["attendance_marks"] += _partial_day(plans[0])
    counts["charges"] = _no_show_charges(plans)
    counts["bookings"] += _book_today(demo, today)
    return counts


def _trained_people(demo: Demo) -> list:
    """People who completed a course in the history, school staff with a cover category of the booker's school
    and the next claim school first, then others; each once, in a fixed order."""
    schools = [school.id for school, _ in claim_schools(demo)]
    chosen = [schools[BOOKER_SCHOOL_INDEX], *(s for n, s in enumerate(schools) if n != BOOKER_SCHOOL_INDEX)][:2]
    seen: dict[int, object] = {}
    for attended in demo.attended_days:
        seen.setdefault(attended.person.id, attended.person)
    people = list(seen.values())
    staff = [
        person
        for school in chosen
        for person in [p for p in people if p.organisation.id == school and p.cover != CoverCategory.NONE][
            :SCHOOL_STAFF
        ]
    ]
    others = [p for p in people if p.organisation.kind != "school"][: OTHERS * 3]
    return staff + others


def _last_month_plans(demo: Demo, first: date, people: list) -> list[SessionPlan]:
    """A refresher over a day and a morning a week later (school staff and others; one no-show, one partial) and
    an awareness plus afternoon (others; one no-show)."""
    staff, others = people[: SCHOOL_STAFF * 2], people[SCHOOL_STAFF * 2 :]
    school = staff[0].organisation
    start = next_working_day(first + timedelta(days=2))
    refresher = SessionPlan(
        "CAF-REFRESH",
        school.authority,
        _area(demo, school.authority),
        [(start, *FULL_DAY), (next_working_day(start + timedelta(days=7)), *HALF_DAY)],
        capacity=16,
        status=SessionStatus.COMPLETED,
        code=f"CAF-REFRESH-{start.year}-R01",
    )
    refresher.attended = [*staff, *others[:OTHERS]]
    refresher.no_show = [others[OTHERS]]
    refresher.booked = [others[OTHERS + 1]]  # attended the first morning, left early on the second
    day = next_working_day(first + timedelta(days=16))
    plus = SessionPlan(
        "AWARE-PLUS",
        "RUTLAND",
        _area(demo, "RUTLAND"),
        [(day, time(13, 0), time(16, 0))],
        capacity=12,
        status=SessionStatus.COMPLETED,
        code=f"AWARE-PLUS-{day.year}-R02",
    )
    plus.attended = others[OTHERS + 2 : OTHERS + 6]
    plus.no_show = others[OTHERS + 6 : OTHERS + 7]
    return [refresher, plus]


def _area(demo: Demo, authority: str) -> str:
    return sorted(area for code, area in demo.venue_ids if code == authority)[0]


def _session_ids(codes: list[str]) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(TrainingSession.code, TrainingSession.id).where(TrainingSession.code.in_(codes))
        ).all()
    )


def _partial_day(plan: SessionPlan) -> int:
    """The booked person on the refresher: attended the first morning, left at 11:15 on the second."""
    session_id = _session_ids([plan.code])[plan.code]
    booking_id = db.session.execute(
        sa.select(Booking.id).filter_by(session_id=session_id, status=BookingStatus.BOOKED)
    ).scalar_one()
    day_ids = db.session.scalars(
        sa.select(SessionDay.id).filter_by(session_id=session_id).order_by(SessionDay.starts_at)
    ).all()
    (first, _, end), (second, *_) = plan.days
    note = "Left early for a case conference"
    rows = [
        _mark(booking_id, day_ids[0], MarkStatus.ATTENDED, london_to_utc(first, end), None, ""),
        _mark(booking_id, day_ids[1], MarkStatus.PARTIAL, london_to_utc(second, end), time(11, 15), note),
    ]
    insert_rows(AttendanceMark, rows)
    return len(rows)


def _charge(day: date, start: time, end: time) -> int:
    minutes = int((london_to_utc(day, end) - london_to_utc(day, start)).total_seconds() // 60)
    return HALF_DAY_CHARGE if is_half_day(minutes) else DAY_CHARGE


def _mark(booking_id: int, day_id: int, status: MarkStatus, at: datetime, noted: time | None, notes: str) -> dict:
    return {
        "booking_id": booking_id,
        "session_day_id": day_id,
        "status": status,
        "marked_at": at,
        "noted_time": noted,
        "notes": notes,
    }


def _no_show_charges(plans: list[SessionPlan]) -> int:
    """The course's default charge (£25 a half day, £50 a day) for the days a no-show missed, for their
    organisation, as services.booking.charges reckons it."""
    ids = _session_ids([plan.code for plan in plans])
    query = (
        sa.select(Booking.id, Booking.session_id, Booking.practitioner_id)
        .where(Booking.session_id.in_(ids.values()), Booking.status == BookingStatus.NO_SHOW)
        .order_by(Booking.id)
    )
    days = {ids[plan.code]: sum(_charge(day, start, end) for day, start, end in plan.days) for plan in plans}
    people = sa.select(Booking.practitioner_id).where(Booking.session_id.in_(ids.values()))
    organisations = dict(
        db.session.execute(
            sa.select(Practitioner.id, Practitioner.organisation_id).where(Practitioner.id.in_(people))
        ).all()
    )
    rows = [
        {
            "booking_id": booking_id,
            "organisation_id": organisations[person_id],
            "reason": ChargeReason.NO_SHOW,
            "amount_pence": days[session_id],
        }
        for booking_id, session_id, person_id in db.session.execute(query)
    ]
    insert_rows(Charge, rows)
    return len(rows)


def _needs_for(count: int) -> list:
    """The needs of `count` people booked today: TODAYS_NEEDS for the second and third, none for the rest."""
    return [TODAYS_NEEDS[n - 1] if 1 <= n <= len(TODAYS_NEEDS) else NO_NEEDS for n in range(count)]


def _book_today(demo: Demo, today: date) -> int:
    """People with no booking at all booked onto the session running today, two of them with access or dietary
    needs (which the register shows its trainers); one marked partial (arrived late)."""
    session = (
        db.session.execute(
            sa.select(TrainingSession).where(TrainingSession.starts_on == today).order_by(TrainingSession.code)
        )
        .scalars()
        .first()
    )
    if session is None:
        return 0
    taken = sa.select(Booking.practitioner_id)
    people = [p for p in demo.people if p.organisation.kind == "school" and not p.organisation.awareness_only]
    free = set(db.session.scalars(sa.select(Practitioner.id).where(Practitioner.id.not_in(taken))))
    chosen = [p for p in people if p.id in free][:BOOKED_TODAY]
    opened = london_to_utc(today - timedelta(days=21), time(9, 0))
    booking_ids = insert_rows(
        Booking,
        [
            {
                "session_id": session.id,
                "practitioner_id": person.id,
                "course_id": session.course_id,
                "status": BookingStatus.BOOKED,
                "created_at": opened,
                "updated_at": opened,
                "booked_by_id": demo.user_ids.get("coordinator@demo.test"),
                "access_needs": needs.access,
                "dietary_needs": needs.dietary,
            }
            for person, needs in zip(chosen, _needs_for(len(chosen)), strict=True)
        ],
    )
    day = session.days[0] if session.days else None
    if day is not None and booking_ids:
        marked = london_to_utc(today, time(10, 10))
        insert_rows(
            AttendanceMark, [_mark(booking_ids[0], day.id, MarkStatus.PARTIAL, marked, time(10, 5), "Arrived late")]
        )
    return len(booking_ids)
