"""Courses: create, edit, retire; prerequisites without loops; self-booking values; charges; every change audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_record, make_session, make_user
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Booking,
    Course,
    CourseKind,
    Role,
    SelfBooking,
    TrainingRecord,
    TrainingSession,
)
from training_app.services.booking.booking_checks import BookingRefused
from training_app.services.booking.bookings import book_place
from training_app.services.catalogue.courses import (
    CourseError,
    CourseSettings,
    create_course,
    edit_course,
    leads_back,
    reinstate_course,
    retire_course,
    retired_problem,
)

pytestmark = pytest.mark.usefixtures("app_ctx")


def _settings(code="CAF", **fields) -> CourseSettings:
    return CourseSettings(
        code=code, title=fields.pop("title", "CAF practitioner"), kind=CourseKind.CAF_PRACTITIONER, **fields
    )


def _events(action):
    return list(db.session.scalars(sa.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)))


def test_a_new_course_takes_the_defaults_and_is_audited():
    course = create_course(_settings(), actor="coordinator@council.example")
    saved = db.session.scalars(sa.select(Course).filter_by(code="CAF")).one()
    assert saved is course
    assert (course.reminder_lead_days, course.charge_half_day_pence, course.charge_day_pence) == (90, 2500, 5000)
    assert course.self_booking == SelfBooking.NO and not course.is_retired
    (event,) = _events("course_created")
    assert event.old_value is None and event.new_value["code"] == "CAF" and event.new_value["charge_day_pence"] == 5000


def test_every_field_is_kept_and_an_edit_records_old_and_new_values():
    make_course(code="AWARE")
    course = create_course(_settings(), actor=None)
    changed = _settings(
        title="CAF for practitioners",
        typical_duration_minutes=390,
        validity_months=36,
        reminder_lead_days=60,
        counts_as_trained=True,
        prerequisites=["AWARE"],
        charge_half_day_pence=3000,
        charge_day_pence=6000,
        self_booking=SelfBooking.WITH_APPROVAL,
        description="Two days.",
        joining_instructions="Bring your own lunch.",
    )
    assert edit_course(course, changed, actor="c@council.example") is True
    db.session.expire_all()
    course = db.session.scalars(sa.select(Course).filter_by(code="CAF")).one()
    assert [p.code for p in course.prerequisites] == ["AWARE"]
    assert (course.validity_months, course.reminder_lead_days, course.counts_as_trained) == (36, 60, True)
    assert course.self_booking == SelfBooking.WITH_APPROVAL
    assert course.joining_instructions == "Bring your own lunch."
    (event,) = _events("course_changed")
    assert event.old_value["charge_half_day_pence"] == 2500 and event.new_value["charge_half_day_pence"] == 3000
    assert event.old_value["prerequisites"] == [] and event.new_value["prerequisites"] == ["AWARE"]
    assert event.new_value["self_booking"] == "with_approval"


def test_an_edit_that_changes_nothing_is_not_audited():
    course = create_course(_settings(), actor=None)
    assert edit_course(course, _settings(), actor=None) is False
    assert _events("course_changed") == []


@pytest.mark.parametrize("value", list(SelfBooking))
def test_each_self_booking_value_is_stored(value):
    course = create_course(_settings(self_booking=value), actor=None)
    db.session.expire_all()
    assert db.session.get(Course, course.id).self_booking == value


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"validity_months": 0}, "validity_months"),
        ({"validity_months": 1201}, "validity_months"),
        ({"reminder_lead_days": -1}, "reminder_lead_days"),
        ({"charge_half_day_pence": -1}, "charge_half_day_pence"),
        ({"charge_day_pence": 2**31}, "charge_day_pence"),
        ({"typical_duration_minutes": 0}, "typical_duration_minutes"),
        ({"title": " "}, "title"),
        ({"code": ""}, "code"),
        ({"prerequisites": ["NOPE"]}, "prerequisites"),
        ({"prerequisites": ["CAF"]}, "prerequisites"),
    ],
)
def test_bad_settings_are_refused_by_field_and_change_nothing(fields, field):
    with pytest.raises(CourseError) as refused:
        create_course(_settings(**fields), actor=None)
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_validity_bounds_and_no_validity_are_accepted():
    assert create_course(_settings(code="A", validity_months=1), actor=None).validity_months == 1
    assert create_course(_settings(code="B", validity_months=1200), actor=None).validity_months == 1200
    assert create_course(_settings(code="C", validity_months=None), actor=None).validity_months is None


def test_a_code_already_taken_is_refused():
    make_course(code="CAF")
    with pytest.raises(CourseError) as refused:
        create_course(_settings(), actor=None)
    assert "already a course" in refused.value.fields["code"]


def test_prerequisites_that_lead_back_to_the_course_are_refused_and_nothing_changes():
    aware = create_course(_settings(code="AWARE"), actor=None)
    create_course(_settings(code="CAF", prerequisites=["AWARE"]), actor=None)
    create_course(_settings(code="LP", prerequisites=["CAF"]), actor=None)
    with pytest.raises(CourseError) as refused:
        edit_course(aware, _settings(code="AWARE", prerequisites=["LP"]), actor=None)
    assert "loop" in refused.value.fields["prerequisites"]
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalars(sa.select(Course).filter_by(code="AWARE")).one().prerequisites == []


def test_leads_back_follows_the_whole_chain():
    assert leads_back("A", {"A": ["B"], "B": ["C"], "C": ["A"]})
    assert not leads_back("A", {"A": ["B"], "B": ["C"], "C": []})
    assert not leads_back(1, {1: [2], 2: [3], 3: [2]})  # a loop that does not come back to the start


def test_retiring_keeps_the_history_and_marks_the_course():
    course = make_course(code="CAF")
    make_session(course=course)
    make_record(make_practitioner(), course, date(2008, 5, 1))
    db.session.commit()
    assert retire_course(course, actor="c@council.example") is True
    assert retire_course(course, actor="c@council.example") is False
    db.session.expire_all()
    course = db.session.scalars(sa.select(Course).filter_by(code="CAF")).one()
    assert course.is_retired
    assert retired_problem(course) == "CAF is retired: it takes no new sessions or bookings."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRecord)) == 1
    (event,) = _events("course_retired")
    assert (event.old_value, event.new_value) == ({"retired": False}, {"retired": True})
    assert reinstate_course(course, actor=None) is True
    assert retired_problem(course) is None


def test_a_retired_course_takes_no_new_bookings_but_keeps_the_ones_it_has():
    course = make_course(code="CAF")
    session = make_session(course=course, days=(date(2030, 5, 1),))
    kept = make_booking(session, make_practitioner())
    newcomer = make_practitioner()
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    retire_course(course, actor=coordinator)
    with pytest.raises(BookingRefused, match="CAF is retired: it takes no new sessions or bookings."):
        book_place(session, newcomer, by=coordinator, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert db.session.scalars(sa.select(Booking.id)).all() == [kept.id]
