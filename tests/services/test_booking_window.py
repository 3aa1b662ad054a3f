"""The booking window per course (SPEC 3.4, issue 7): a new session closes for booking the course's number of
working days before day one (default 2) unless the session says otherwise; weekends and bank holidays excluded."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import make_authority, make_course, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import Role, TrainingSession
from training_app.services.booking.booking_checks import (
    BookingRefused,
    booking_closes_on,
    open_for_booking,
    session_problem,
)
from training_app.services.booking.bookings import book_place
from training_app.services.catalogue.courses import CourseError, CourseSettings, create_course
from training_app.services.common.calendar import london_to_utc
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan, SessionPlan

pytestmark = pytest.mark.usefixtures("app_ctx")

TUESDAY_AFTER_EASTER = date(2027, 3, 30)  # Good Friday 26 March and Easter Monday 29 March 2027 are bank holidays


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=UTC), tick=False):
        yield


def _session(course, **fields):
    plan = SessionPlan(
        course_id=course.id,
        days=(DayPlan(TUESDAY_AFTER_EASTER, time(9, 30), time(16, 0)),),
        capacity=10,
        host_authority_id=make_authority().id,
        **fields,
    )
    return scheduling.create_session(plan, make_user(Role.COORDINATOR), confirmed=True).session


def test_a_new_session_takes_the_courses_window_across_a_bank_holiday_weekend():
    session = _session(make_course(code="CAF"))
    assert session.booking_closes_days == 2
    # two working days before Tuesday 30 March, skipping Easter Monday, the weekend and Good Friday: 25, then 24
    assert booking_closes_on(session) == date(2027, 3, 24)


def test_the_course_sets_the_window_and_a_session_may_override_it():
    course = make_course(code="LP", booking_closes_days=5)
    assert _session(course).booking_closes_days == 5
    assert _session(course, booking_closes_days=0).booking_closes_days == 0


def test_booking_is_refused_from_the_day_the_window_closes():
    session = _session(make_course(code="CAF"))
    person, coordinator = make_practitioner(), make_user(Role.COORDINATOR)
    db.session.commit()
    with (
        time_machine.travel(datetime(2027, 3, 24, 9, 0, tzinfo=UTC), tick=False),
        pytest.raises(BookingRefused, match="closed on 24 March 2027"),
    ):
        book_place(session, person, coordinator)
    with time_machine.travel(datetime(2027, 3, 23, 9, 0, tzinfo=UTC), tick=False):
        assert book_place(session, person, coordinator).status == "booked"


def test_a_course_window_outside_0_to_60_is_refused():
    with pytest.raises(CourseError) as refused:
        create_course(CourseSettings(code="X", title="X", kind="other", booking_closes_days=61), make_user())
    assert "booking_closes_days" in refused.value.fields


def test_lists_offer_a_session_only_while_its_window_is_open_the_same_days_as_booking_refuses():
    """`open_for_booking` (SQL) and `session_problem` (one session) agree on every day of March 2027, across Easter."""
    course = make_course(code="CAF")
    windows = {_session(course, booking_closes_days=days).id: days for days in (0, 2, 5, 12)}
    day = date(2027, 3, 1)
    while day <= date(2027, 3, 31):
        offered = set(db.session.scalars(sa.select(TrainingSession.id).where(open_for_booking(day))))
        for session_id in windows:
            bookable = session_problem(db.session.get(TrainingSession, session_id), london_to_utc(day, time(8))) is None
            assert (session_id in offered) == bookable, (day, windows[session_id])
        day += timedelta(days=1)
