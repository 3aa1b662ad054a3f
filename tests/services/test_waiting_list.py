"""Waiting lists (SPEC 3.4, issue 7): first come by default; by pathway need where the course says so, people whose
group's pathway requires the course ahead of those for whom it is recommended or optional, first come within each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import group, make_course, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Pathway, PathwayCourse, Requirement, Role, WaitlistOrder
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.common.calendar import london_today

pytestmark = pytest.mark.usefixtures("app_ctx")


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _queue(code: str) -> list[str]:
    db.session.expire_all()
    query = (
        sa.select(Booking)
        .where(Booking.session.has(code=code), Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlist_position)
    )
    return [f"{b.waitlist_position}:{b.practitioner.first_name}" for b in db.session.scalars(query)]


def _setting(order: WaitlistOrder):
    course = make_course(code="CAF", waitlist_order=order)
    for code, requirement in (("3", Requirement.REQUIRED), ("6", Requirement.RECOMMENDED), ("2", Requirement.OPTIONAL)):
        db.session.add(
            Pathway(
                group=group(code), name=code, steps=[PathwayCourse(course=course, requirement=requirement, position=1)]
            )
        )
    session = make_session(course=course, code="Q-1", capacity=1, days=(_weekday(21),))
    db.session.commit()
    return session


def _arrive(session, coordinator, *people: tuple[str, str | None]):
    bookings = {}
    for name, group_code in people:
        person = make_practitioner(first_name=name, group=group(group_code) if group_code else None)
        db.session.commit()
        bookings[name] = book_place(session, person, coordinator)
    return bookings


def test_first_come_first_served_by_default():
    session = _setting(WaitlistOrder.FIRST_COME)
    coordinator = make_user(Role.COORDINATOR)

    _arrive(session, coordinator, ("Ann", "3"), ("Opt", "2"), ("Non", None), ("Req", "3"))

    assert _queue("Q-1") == ["1:Opt", "2:Non", "3:Req"]


def test_by_pathway_need_required_goes_ahead_of_recommended_optional_and_others_first_come_within_each():
    session = _setting(WaitlistOrder.PATHWAY_NEED)
    coordinator = make_user(Role.COORDINATOR)
    arrivals = (("Ann", "3"), ("Opt", "2"), ("Non", None), ("Rec", "6"), ("Req1", "3"), ("Req2", "3"), ("Rec2", "6"))

    bookings = _arrive(session, coordinator, *arrivals)

    assert _queue("Q-1") == ["1:Req1", "2:Req2", "3:Rec", "4:Rec2", "5:Opt", "6:Non"]
    cancel_booking(bookings["Ann"], coordinator)  # the place goes to the one most in need
    assert db.session.get(Booking, bookings["Req1"].id).status == BookingStatus.BOOKED
    assert _queue("Q-1") == ["1:Req2", "2:Rec", "3:Rec2", "4:Opt", "5:Non"]
