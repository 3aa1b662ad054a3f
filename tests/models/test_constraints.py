"""The database itself refuses what the rules forbid, whatever a service forgets."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_venue
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    AuditEvent,
    BookingStatus,
    Claim,
    ClaimCategory,
    ClaimLine,
    CoverUnit,
    Fund,
    MarkStatus,
)


def test_one_active_booking_per_practitioner_per_course(app_ctx):
    course = make_course()
    first, second = make_session(course=course), make_session(course=course)
    person = make_practitioner()
    make_booking(first, person)
    with pytest.raises(IntegrityError):
        make_booking(second, person, BookingStatus.WAITLISTED, position=1)
    db.session.rollback()


def test_a_cancelled_booking_frees_the_course_for_another_booking(app_ctx):
    course = make_course()
    first, second = make_session(course=course), make_session(course=course)
    person = make_practitioner()
    make_booking(first, person, BookingStatus.CANCELLED)
    assert make_booking(second, person).id


def test_only_waitlisted_bookings_hold_a_position(app_ctx):
    session = make_session()
    with pytest.raises(IntegrityError):
        make_booking(session, make_practitioner(), BookingStatus.BOOKED, position=3)
    db.session.rollback()


def test_two_people_cannot_share_a_waiting_list_position(app_ctx):
    session = make_session()
    make_booking(session, make_practitioner(), BookingStatus.WAITLISTED, position=1)
    with pytest.raises(IntegrityError):
        make_booking(session, make_practitioner(), BookingStatus.WAITLISTED, position=1)
    db.session.rollback()


def test_capacity_and_venue_capacity_must_be_positive(app_ctx):
    with pytest.raises(IntegrityError):
        make_session(capacity=0)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make_venue(capacity=0)
    db.session.rollback()


def test_an_attendance_mark_is_never_on_two_live_claim_lines(app_ctx):
    session = make_session()
    booking = make_booking(session, make_practitioner())
    mark = AttendanceMark(booking=booking, session_day=session.days[0], status=MarkStatus.ATTENDED)
    fund = Fund(
        financial_year=2008,
        amount_pence=100,
        scheme_start=datetime(2008, 4, 1).date(),
        claim_deadline=datetime(2009, 4, 30).date(),
    )
    db.session.add_all([mark, fund])
    db.session.flush()

    def claim_line(live=True):
        claim = Claim(organisation_id=booking.practitioner.organisation_id, fund=fund)
        line = ClaimLine(
            claim=claim,
            attendance_mark=mark,
            practitioner_id=booking.practitioner_id,
            session_day_id=mark.session_day_id,
            category=ClaimCategory.TEACHER,
            unit=CoverUnit.DAY,
            rate_pence=18000,
            amount_pence=18000,
            live=live,
        )
        db.session.add(claim)
        db.session.flush()
        return line

    claim_line(live=False)  # a rejected claim's line does not block a new claim
    claim_line()
    with pytest.raises(IntegrityError):
        claim_line()
    db.session.rollback()


def test_naive_datetimes_are_refused_and_aware_ones_come_back_in_utc(app_ctx):
    db.session.add(AuditEvent(action="test", entity_type="x", at=datetime(2008, 7, 1, 9, 30)))
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()
    db.session.add(AuditEvent(action="test", entity_type="x", at=datetime(2008, 7, 1, 9, 30, tzinfo=UTC)))
    db.session.commit()
    at = db.session.execute(sa.select(AuditEvent.at)).scalar_one()
    assert at == datetime(2008, 7, 1, 9, 30, tzinfo=UTC) and at.tzinfo is not None


def test_session_days_must_end_after_they_start(app_ctx):
    from datetime import date, time

    with pytest.raises(IntegrityError):
        make_session(days=(date(2008, 10, 1),), start=time(12, 0), end=time(9, 0))
    db.session.rollback()
