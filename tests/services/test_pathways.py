"""Pathway statuses (SPEC 3.2) at each boundary: lead time, expiry, renewal and booking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import group, make_booking, make_course, make_practitioner, make_record, make_session
from training_app.extensions import db
from training_app.models import BookingStatus, Pathway, PathwayCourse, PathwayStatus, Requirement, SessionStatus
from training_app.services.attendance.completions import course_status
from training_app.services.catalogue.pathways import pathway_of

COMPLETED = date(2020, 3, 15)
EXPIRES = date(2023, 3, 15)  # 36 calendar months later

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (EXPIRES - timedelta(days=91), PathwayStatus.CURRENT),
        (EXPIRES - timedelta(days=90), PathwayStatus.DUE_SOON),  # the lead time's first day
        (EXPIRES - timedelta(days=1), PathwayStatus.DUE_SOON),
        (EXPIRES, PathwayStatus.EXPIRED),  # expired from the expiry date on
    ],
)
def test_a_record_is_current_then_due_soon_within_the_lead_time_then_expired(today, status):
    assert course_status(COMPLETED, EXPIRES, 90, booked=False, today=today) == status


def test_a_coming_booking_turns_due_soon_and_expired_into_booked_but_not_current():
    assert course_status(COMPLETED, EXPIRES, 90, booked=True, today=EXPIRES) == PathwayStatus.BOOKED
    assert course_status(COMPLETED, EXPIRES, 90, booked=True, today=EXPIRES - timedelta(days=5)) == PathwayStatus.BOOKED
    assert course_status(COMPLETED, EXPIRES, 90, booked=True, today=COMPLETED) == PathwayStatus.CURRENT
    assert course_status(None, None, 90, booked=True, today=COMPLETED) == PathwayStatus.BOOKED
    assert course_status(None, None, 90, booked=False, today=COMPLETED) == PathwayStatus.NOT_STARTED


def test_a_course_that_never_expires_stays_current():
    assert course_status(COMPLETED, None, 90, booked=False, today=date(2099, 1, 1)) == PathwayStatus.CURRENT


def _pathway(*steps):
    pathway = Pathway(group=group("3"), name="Intensive contact pathway")
    pathway.steps = [
        PathwayCourse(course=course, requirement=requirement, position=n)
        for n, (course, requirement) in enumerate(steps, 1)
    ]
    db.session.add(pathway)
    db.session.flush()


def test_a_practitioners_pathway_lists_each_course_in_order_with_its_status():
    caf = make_course(code="CAF", validity_months=36, reminder_lead_days=60)
    aware = make_course(code="AWARE")
    lp = make_course(code="LP", validity_months=36)
    _pathway((aware, Requirement.REQUIRED), (caf, Requirement.REQUIRED), (lp, Requirement.RECOMMENDED))
    person = make_practitioner(group=group("3"))
    make_record(person, caf, date(2016, 1, 10))
    make_record(person, caf, COMPLETED)  # the renewal supersedes the 2016 record
    make_booking(make_session(course=lp, code="LP-1", days=(date(2023, 2, 1),)), person)
    make_booking(make_session(course=aware, days=(date(2022, 12, 1),)), person, BookingStatus.CANCELLED)

    pathway = pathway_of(person, today=date(2023, 1, 20))

    assert pathway.group.code == "3"
    assert [
        (c.course.code, c.requirement, c.status, c.completed_on, c.expires_on, c.session_code) for c in pathway.courses
    ] == [
        ("AWARE", Requirement.REQUIRED, PathwayStatus.NOT_STARTED, None, None, None),
        ("CAF", Requirement.REQUIRED, PathwayStatus.DUE_SOON, COMPLETED, EXPIRES, None),  # 54 days before expiry
        ("LP", Requirement.RECOMMENDED, PathwayStatus.BOOKED, None, None, "LP-1"),
    ]


def test_bookings_on_ended_or_cancelled_sessions_do_not_count_as_booked():
    caf = make_course(code="CAF", validity_months=36)
    _pathway((caf, Requirement.REQUIRED))
    person = make_practitioner(group=group("3"))
    make_record(person, caf, COMPLETED)
    make_booking(make_session(course=caf, days=(date(2023, 3, 1),)), person)  # ran before today
    cancelled = make_session(course=caf, days=(date(2023, 6, 1),), status=SessionStatus.CANCELLED)
    make_booking(cancelled, make_practitioner())

    assert [c.status for c in pathway_of(person, today=date(2023, 4, 1)).courses] == [PathwayStatus.EXPIRED]


def test_a_practitioner_without_a_group_has_no_pathway():
    assert pathway_of(make_practitioner(group=None), today=COMPLETED).courses == []
