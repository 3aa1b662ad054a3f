"""Imports of bookings: history as it was, with capacity and one active booking per course kept."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session
from tests.imports.helpers import partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Booking,
    BookingStatus,
    Certificate,
    MarkStatus,
    RecordSource,
    TrainingRecord,
)
from training_app.services.attendance.records import certificate_number

HEADER = "session,practitioner,status"


@pytest.fixture
def setting(app_ctx):
    """A two-day CAF session with three places, a one-day awareness session, and four practitioners."""
    places = partnership()
    caf = make_session(places["caf"], days=(date(2008, 1, 30), date(2008, 1, 31)), code="CAF-1", capacity=3)
    awareness = make_session(places["awareness"], days=(date(2008, 2, 5),), code="AWA-1", capacity=20)
    people = [make_practitioner(places["school"], email=f"p{n}@example.org") for n in range(1, 5)]
    db.session.commit()
    return {"caf": caf, "awareness": awareness, "people": people}


def booking_of(email: str, session_code: str) -> Booking:
    db.session.expire_all()
    query = sa.select(Booking).join(Booking.practitioner).join(Booking.session)
    return db.session.scalars(query.filter_by(code=session_code).filter(Booking.practitioner.has(email=email))).one()


def marks_of(booking: Booking) -> list[tuple[date, MarkStatus]]:
    query = sa.select(AttendanceMark).filter_by(booking_id=booking.id)
    return sorted((m.session_day.date, m.status) for m in db.session.scalars(query))


def test_bookings_are_created_with_their_status_and_course(setting):
    result = run_import(
        "bookings",
        HEADER,
        "CAF-1,P1@example.org,booked",
        "CAF-1,p2@example.org,cancelled",
        "AWA-1,p1@example.org,late_cancelled",
        "AWA-1,p2@example.org,no_show",
    )

    assert result.summary == "imported 4 bookings (4 created, 0 updated)"
    booked = booking_of("p1@example.org", "CAF-1")
    assert (booked.status, booked.course.code, booked.waitlist_position) == (BookingStatus.BOOKED, "CAF", None)
    assert booking_of("p2@example.org", "AWA-1").course.code == "AWA"
    assert booking_of("p2@example.org", "AWA-1").status == BookingStatus.NO_SHOW


def test_attended_marks_every_day_and_creates_a_record_and_a_certificate(setting):
    result = run_import("bookings", HEADER, "CAF-1,p1@example.org,attended", "CAF-1,p2@example.org,absent")

    assert result.ok, result.errors
    attended = booking_of("p1@example.org", "CAF-1")
    assert attended.status == BookingStatus.ATTENDED
    assert marks_of(attended) == [(date(2008, 1, 30), MarkStatus.ATTENDED), (date(2008, 1, 31), MarkStatus.ATTENDED)]
    record = db.session.scalars(sa.select(TrainingRecord)).one()
    assert (record.practitioner.email, record.course.code, record.completed_on, record.expires_on) == (
        "p1@example.org",
        "CAF",
        date(2008, 1, 31),
        date(2011, 1, 31),
    )
    assert (record.booking_id, record.source) == (attended.id, RecordSource.BOOKING)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert (certificate.training_record_id, certificate.number) == (record.id, certificate_number(record.id))
    absent = booking_of("p2@example.org", "CAF-1")
    assert marks_of(absent) == [(date(2008, 1, 30), MarkStatus.ABSENT), (date(2008, 1, 31), MarkStatus.ABSENT)]


def test_importing_an_attended_booking_again_makes_no_second_record(setting):
    assert run_import("bookings", HEADER, "CAF-1,p1@example.org,absent").ok
    assert run_import("bookings", HEADER, "CAF-1,p1@example.org,attended").ok

    result = run_import("bookings", HEADER, "CAF-1,p1@example.org,attended")

    assert result.summary == "imported 1 bookings (0 created, 1 updated)"
    counts = table_counts()
    assert (counts["training_records"], counts["certificates"], counts["attendance_marks"]) == (1, 1, 2)
    booking = booking_of("p1@example.org", "CAF-1")
    assert marks_of(booking) == [(date(2008, 1, 30), MarkStatus.ATTENDED), (date(2008, 1, 31), MarkStatus.ATTENDED)]


def test_waitlisted_rows_join_the_end_of_the_existing_waiting_list_in_file_order(setting):
    people = setting["people"]
    make_booking(setting["caf"], people[0], BookingStatus.WAITLISTED, position=1)
    db.session.commit()

    result = run_import(
        "bookings",
        HEADER,
        "CAF-1,p3@example.org,waitlisted",
        "CAF-1,p1@example.org,booked",
        "CAF-1,p2@example.org,waitlisted",
    )

    assert result.summary == "imported 3 bookings (2 created, 1 updated)"
    assert booking_of("p1@example.org", "CAF-1").waitlist_position is None
    assert booking_of("p3@example.org", "CAF-1").waitlist_position == 2
    assert booking_of("p2@example.org", "CAF-1").waitlist_position == 3


def test_places_taken_in_the_database_and_the_file_never_exceed_capacity(setting):
    people = setting["people"]
    make_booking(setting["caf"], people[0], BookingStatus.ATTENDED)
    make_booking(setting["caf"], people[1], BookingStatus.CANCELLED)
    db.session.commit()
    before = table_counts()

    result = run_import(
        "bookings",
        HEADER,
        "CAF-1,p2@example.org,booked",
        "CAF-1,p3@example.org,no_show",
        "CAF-1,p4@example.org,absent",
    )

    assert result.errors == ["line 4: session: session CAF-1 is full: its 3 places are all taken"]
    assert table_counts() == before


def test_changing_a_place_taking_booking_frees_its_place(setting):
    people = setting["people"]
    for person in people[:3]:
        make_booking(setting["caf"], person)
    db.session.commit()

    result = run_import("bookings", HEADER, "CAF-1,p1@example.org,cancelled", "CAF-1,p4@example.org,booked")

    assert result.summary == "imported 2 bookings (1 created, 1 updated)"


def test_a_second_active_booking_for_the_same_course_is_refused(setting):
    make_session(setting["caf"].course, days=(date(2008, 3, 3),), code="CAF-2", capacity=5)
    make_booking(setting["caf"], setting["people"][0], BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    before = table_counts()

    result = run_import(
        "bookings",
        HEADER,
        "CAF-2,p1@example.org,booked",
        "CAF-2,p2@example.org,waitlisted",
        "CAF-1,p2@example.org,booked",
        "CAF-1,p3@example.org,attended",
        "CAF-2,p3@example.org,booked",
    )

    assert result.errors == [
        "line 2: practitioner: p1@example.org already has an active booking for course CAF (session CAF-1)",
        "line 4: practitioner: p2@example.org already has an active booking for course CAF (session CAF-2 on line 3)",
    ]
    assert table_counts() == before


def test_bad_booking_rows_are_all_reported(setting):
    before = table_counts()

    result = run_import(
        "bookings",
        HEADER,
        "CAF-1,p1@example.org,booked",
        "NOPE,nobody@example.org,attended",
        "CAF-1,p2@example.org,present",
        ",,",
        "CAF-1,P1@EXAMPLE.ORG,booked",
        "CAF-1,p3@example.org,",
    )

    assert result.errors == [
        "line 3: session: no session with code NOPE",
        "line 3: practitioner: no practitioner with email nobody@example.org",
        "line 4: status: must be one of booked, waitlisted, attended, absent, cancelled, late_cancelled, no_show, "
        'not "present"',
        "line 6: practitioner: repeats line 2 (same session and practitioner)",
        "line 7: status: is required",
    ]
    assert table_counts() == before


def test_two_attended_sessions_of_a_course_ending_the_same_day_are_refused(setting):
    make_session(setting["caf"].course, days=(date(2008, 1, 31),), code="CAF-2", capacity=5)
    db.session.commit()

    result = run_import("bookings", HEADER, "CAF-1,p1@example.org,attended", "CAF-2,p1@example.org,attended")

    assert result.errors == ["line 3: status: completes course CAF on 2008-01-31 again (line 2)"]
