"""The live programme's bookings (SPEC 5, issue 7), made through the booking services so the rules live once: a
coming session full with a waiting list, the demo booker's school with staff booked, waiting and one request waiting
for approval, and a late cancellation this morning of today's session, charged by the course's policy. The full
session's course holds freed places as offers (issue 21): a cancellation this morning offered its place to the first
person waiting, one of the booker's school's staff, whose booker can accept it.

Each booking is made as of a fixed moment before the load day (`--today`), never the machine's clock, so the booking
window and "has it started" read the same on every run. Only sessions from 2010 on are touched: 2008 stays exact.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    Booking,
    BookingStatus,
    Course,
    Practitioner,
    SelfBooking,
    TrainingSession,
    User,
)
from training_app.models.courses import course_prerequisites
from training_app.services.booking import booking_mail
from training_app.services.booking.booking_requests import book_myself
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.booking.group_booking import book_group
from training_app.services.common.calendar import london_to_utc

from .common import Demo
from .funds import BOOKER_SCHOOL_INDEX, claim_schools

BOOKED_OTHERS = 19  # with one of the school's staff, the full session's 20 places
SCHOOL_BOOKED, SCHOOL_WAITING = 1, 2
OFFER_HOURS = 48  # the full session's course holds a freed place this long
APPROVAL_COURSE = "MGR-BRIEF"  # managers' briefings need the booker's approval in the demo
BOOKER, COORDINATOR, PRACTITIONER = "booker@demo.test", "coordinator@demo.test", "practitioner@demo.test"


def seed_live_bookings(demo: Demo, today: date) -> Counter:
    """The booker's school's bookings, a full session with its waiting list, a request and a late cancellation
    (nobody is emailed)."""
    with booking_mail.not_sending():
        return _seed(demo, today)


def _seed(demo: Demo, today: date) -> Counter:
    booked_on = london_to_utc(today - timedelta(days=21), time(9, 0))  # when the bookings were made
    users = {email: db.session.get(User, demo.user_ids[email]) for email in (BOOKER, COORDINATOR, PRACTITIONER)}
    school = claim_schools(demo)[BOOKER_SCHOOL_INDEX][0]
    staff, others = _free_people(demo, school.id, users[PRACTITIONER].practitioner_id)
    counts: Counter = Counter()
    full = _coming_session(today, weeks=3)
    school_staff = staff[: SCHOOL_BOOKED + SCHOOL_WAITING]
    outcomes = book_group(full, others[:BOOKED_OTHERS], users[COORDINATOR], now=booked_on)
    outcomes += book_group(full, school_staff, users[BOOKER], now=booked_on)  # one place left: one gets it, two wait
    outcomes += book_group(full, others[BOOKED_OTHERS : BOOKED_OTHERS + 1], users[COORDINATOR], now=booked_on)
    refused = [outcome.reason for outcome in outcomes if outcome.refused]
    if refused:
        raise RuntimeError(f"the demo's bookings broke a rule: {refused[0]}")
    counts["bookings"] += len(outcomes)
    counts["waiting_list_offers"] = _open_offer(full, others[0], users[COORDINATOR], school.id, today)
    counts["booking_requests"] = _request(today, users[PRACTITIONER], booked_on)
    counts["charges"] = _late_cancellation(today, staff[len(school_staff)], users[BOOKER], booked_on)
    counts["bookings"] += 1
    return counts


def _open_offer(full: TrainingSession, leaving: Practitioner, coordinator: User, school_id: int, today: date) -> int:
    """The full session's course holds freed places as offers; one of the others booked on it cancels at 08:00 this
    morning, so the place is offered (until two days on) to the first waiting, one of the booker's school's staff."""
    full.course.offer_hours = OFFER_HOURS
    db.session.commit()
    booking = db.session.scalars(
        sa.select(Booking).where(
            Booking.session_id == full.id, Booking.practitioner_id == leaving.id, Booking.status == BookingStatus.BOOKED
        )
    ).one()
    offered = cancel_booking(booking, coordinator, "No longer able to attend", now=_morning(today)).promoted
    if offered is None or offered.status != BookingStatus.OFFERED or offered.practitioner.organisation_id != school_id:
        raise RuntimeError("the demo's freed place was not offered to the booker's school's staff")
    return 1


def _free_people(demo: Demo, school_id: int, practitioner_id: int | None) -> tuple[list, list]:
    """The school's staff and others (not awareness-only) with no booking at all yet, as practitioners."""
    taken = set(db.session.scalars(sa.select(Booking.practitioner_id).distinct()))
    free = [p.id for p in demo.people if p.id not in taken and p.id != practitioner_id]
    people = {p.id: p for p in db.session.scalars(sa.select(Practitioner).where(Practitioner.id.in_(free)))}
    ordered = [people[i] for i in free if i in people and not getattr(people[i].organisation, "awareness_only", True)]
    staff = [p for p in ordered if p.organisation_id == school_id]
    others = [p for p in ordered if p.organisation_id != school_id]
    return staff, others


def _coming_session(today: date, weeks: int, course_code: str | None = None) -> TrainingSession:
    """The first live session at least `weeks` ahead of a course without prerequisites (or of the course named)."""
    query = (
        sa.select(TrainingSession)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(TrainingSession.starts_on >= today + timedelta(weeks=weeks))
        .order_by(TrainingSession.starts_on, TrainingSession.code)
    )
    if course_code is None:
        query = query.where(Course.id.not_in(sa.select(course_prerequisites.c.course_id)))
    else:
        query = query.where(Course.code == course_code)
    return db.session.scalars(query).first() or _missing(course_code)


def _missing(course_code: str | None) -> TrainingSession:
    raise LookupError(f"the live programme has no coming session of {course_code or 'a course without prerequisites'}")


def _request(today: date, practitioner: User, asked_on) -> int:
    """The demo practitioner asks for a place on a coming managers' briefing, which needs their booker's approval."""
    db.session.execute(
        sa.update(Course).where(Course.code == APPROVAL_COURSE).values(self_booking=SelfBooking.WITH_APPROVAL)
    )
    db.session.commit()
    book_myself(_coming_session(today, weeks=2, course_code=APPROVAL_COURSE), practitioner, now=asked_on)
    return 1


def _late_cancellation(today: date, person: Practitioner, booker: User, booked_on) -> int:
    """A member of the school's staff booked weeks ago onto today's session, cancelled at 08:00 this morning: late,
    so the school is charged."""
    running = db.session.scalars(
        sa.select(TrainingSession).where(TrainingSession.starts_on == today).order_by(TrainingSession.code)
    ).first()
    if running is None:
        return 0
    booking = book_place(running, person, booker, now=booked_on)
    cancelled = cancel_booking(booking, booker, "Called away to a child protection conference", now=_morning(today))
    return 1 if cancelled.charge_pence else 0


def _morning(today: date):
    return london_to_utc(today, time(8, 0))
