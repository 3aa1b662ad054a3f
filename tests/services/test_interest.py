"""Interest in a course (SPEC 3.4 Interest): registered once per person and course, within the user's scope; when a
session of the course is scheduled (new, copied, changed or imported), everyone interested who is not booked on the
course is emailed once for that session; counted by the authority and area of their organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import (
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
    make_user,
)
from tests.imports.helpers import run_import
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, CourseInterest, OutgoingMail, Role
from training_app.services.booking.booking_checks import BookingRefused, Refusal
from training_app.services.booking.interest import interest_by_area, register_interest, withdraw_interest
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan, SessionPlan

pytestmark = pytest.mark.usefixtures("app_ctx")

MONDAY = date(2027, 4, 12)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def own_outbox(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))


@pytest.fixture
def world():
    county = make_authority(code="LEICESTERSHIRE", name="Leicestershire", order=2)
    city = make_authority(code="LEICESTER", name="Leicester", order=3)
    melton, charnwood = make_area(county, "Melton"), make_area(county, "Charnwood")
    school = make_organisation(county, code="SCH-M", area_id=melton.id)
    clinic = make_organisation(county, code="CLI-C", area_id=charnwood.id)
    office = make_organisation(city, code="CITY-1")  # no area
    course = make_course(code="LP", title="Lead professional")
    people = {
        "ann": make_practitioner(school, email="ann@example.org", first_name="Ann"),
        "bob": make_practitioner(school, email="bob@example.org", first_name="Bob"),
        "cat": make_practitioner(clinic, email="cat@example.org", first_name="Cat"),
        "dan": make_practitioner(office, email="dan@example.org", first_name="Dan"),
    }
    coordinator = make_user(Role.COORDINATOR)
    booker = make_user(Role.BOOKER, organisation=school, email="booker@school.example")
    db.session.commit()
    return {"course": course, "people": people, "by": coordinator, "booker": booker, "county": county, "city": city}


def _interest(world, *names):
    for name in names:
        register_interest(world["course"], world["people"][name], world["by"])


def _schedule(world, day=MONDAY):
    plan = SessionPlan(
        course_id=world["course"].id,
        days=(DayPlan(day, time(9, 30), time(16, 0)),),
        capacity=10,
        host_authority_id=world["county"].id,
    )
    return scheduling.create_session(plan, world["by"], confirmed=True).session


def test_everyone_interested_is_emailed_once_per_session_with_a_link_to_book_it(app, world):
    _interest(world, "ann", "cat")
    session = _schedule(world)
    [message] = emails_to(app, "ann@example.org")
    assert message["Subject"] == f"New dates: Lead professional ({session.code})"
    assert f"/sessions/{session.code}" in body_of(message) and "booker@school.example" in message["Cc"]
    assert len(emails_to(app, "cat@example.org")) == 1
    scheduling.edit_session(session.code, scheduling.plan_of(session), world["by"], confirmed=True)
    plan = scheduling.plan_of(session)
    scheduling.edit_session(session.code, SessionPlan(**{**plan.__dict__, "capacity": 12}), world["by"], True)
    assert len(emails_to(app, "ann@example.org")) == 1  # saved again: not again
    second = _schedule(world, MONDAY + timedelta(days=7))
    assert [m["Subject"] for m in emails_to(app, "ann@example.org")][-1].endswith(f"({second.code})")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseInterest)) == 2  # it stays until booked


def test_a_booked_person_a_withdrawn_interest_and_a_leaver_are_not_emailed(app, world):
    _interest(world, "ann", "bob", "cat")
    other = make_session(course=world["course"], days=(MONDAY - timedelta(days=3),))
    make_booking(other, world["people"]["ann"])
    world["people"]["cat"].left_on = date(2027, 2, 1)
    db.session.commit()
    withdraw_interest(world["course"], world["people"]["bob"], world["by"])
    _schedule(world)
    assert emails_to(app, "ann@example.org") == [] and emails_to(app, "bob@example.org") == []
    assert emails_to(app, "cat@example.org") == []


def test_a_copied_session_and_an_imported_one_tell_the_interested_too(app, world):
    _interest(world, "dan")
    first = _schedule(world)
    copy = scheduling.duplicate_plan(first, MONDAY + timedelta(days=14))
    scheduling.create_session(copy, world["by"], confirmed=True)
    result = run_import(
        "sessions",
        "code,course,date,start,end,venue,capacity,host_authority,host_area,status",
        "LP-IMP-1,LP,2027-05-10,09:30,16:00,,10,LEICESTER,,scheduled",
    )
    assert result.ok, result.errors
    subjects = sorted(message["Subject"] for message in emails_to(app, "dan@example.org"))
    assert len(subjects) == 3 and any("LP-IMP-1" in subject for subject in subjects)
    run_import(  # imported again: nothing new
        "sessions",
        "code,course,date,start,end,venue,capacity,host_authority,host_area,status",
        "LP-IMP-1,LP,2027-05-10,09:30,16:30,,10,LEICESTER,,scheduled",
    )
    assert len(emails_to(app, "dan@example.org")) == 3
    keys = db.session.scalars(sa.select(OutgoingMail.dedupe_key).where(OutgoingMail.dedupe_key.like("interest:%")))
    assert len(list(keys)) == 3


def test_a_past_or_cancelled_imported_session_tells_nobody(app, world):
    _interest(world, "dan")
    run_import(
        "sessions",
        "code,course,date,start,end,venue,capacity,host_authority,host_area,status",
        "LP-OLD,LP,2026-05-10,09:30,16:00,,10,LEICESTER,,completed",
        "LP-OFF,LP,2027-05-10,09:30,16:00,,10,LEICESTER,,cancelled",
    )
    assert emails_to(app, "dan@example.org") == []


def test_interest_is_counted_by_the_authority_and_area_of_the_organisation(world):
    _interest(world, "ann", "bob", "cat", "dan")
    make_booking(make_session(course=world["course"], days=(MONDAY,)), world["people"]["bob"])  # answered
    db.session.commit()
    counts = interest_by_area(world["course"].id)
    assert counts.total == 3
    assert [(r.authority, r.area, r.count) for r in counts.rows] == [
        ("Leicestershire", "Charnwood", 1),
        ("Leicestershire", "Melton", 1),
        ("Leicester", "No area", 1),
    ]
    assert interest_by_area(world["course"].id, {world["city"].id}).total == 1  # a lead's authorities


def test_one_interest_per_person_and_course_and_only_within_scope(world):
    _interest(world, "ann")
    with pytest.raises(BookingRefused) as again:
        register_interest(world["course"], world["people"]["ann"], world["booker"])
    assert again.value.kind is Refusal.CONFLICT and "already asked" in again.value.message
    with pytest.raises(BookingRefused) as outsider:
        register_interest(world["course"], world["people"]["dan"], world["booker"])
    assert outsider.value.kind is Refusal.FORBIDDEN
    someone = make_user(Role.PRACTITIONER, practitioner_id=world["people"]["cat"].id)
    db.session.commit()
    with pytest.raises(BookingRefused) as not_self:
        register_interest(world["course"], world["people"]["bob"], someone)
    assert not_self.value.kind is Refusal.FORBIDDEN
    register_interest(world["course"], world["people"]["cat"], someone)
    booked = make_session(course=world["course"], days=(MONDAY,))
    make_booking(booked, world["people"]["dan"], BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    with pytest.raises(BookingRefused) as on_list:
        register_interest(world["course"], world["people"]["dan"], world["by"])
    assert on_list.value.kind is Refusal.CONFLICT and "already booked" in on_list.value.message
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("interest_%")))
    assert sorted(actions) == ["interest_registered", "interest_registered"]


def test_withdrawing_twice_is_a_conflict(world):
    _interest(world, "ann")
    withdraw_interest(world["course"], world["people"]["ann"], world["booker"])
    with pytest.raises(BookingRefused) as again:
        withdraw_interest(world["course"], world["people"]["ann"], world["booker"])
    assert again.value.kind is Refusal.CONFLICT


def test_an_interest_taken_at_the_same_moment_is_a_conflict_not_an_error(world, monkeypatch):
    _interest(world, "ann")
    # As if a simultaneous request registered it after this one looked: the unique key refuses the second row.
    monkeypatch.setattr("training_app.services.booking.interest._interest", lambda *args, **kwargs: None)
    with pytest.raises(BookingRefused) as raced:
        register_interest(world["course"], world["people"]["ann"], world["by"])
    assert raced.value.kind is Refusal.CONFLICT and "already asked" in raced.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseInterest)) == 1


def test_attending_a_session_booked_since_asking_answers_the_interest_but_an_older_one_does_not(world):
    _interest(world, "ann", "bob")
    past = make_session(course=world["course"], days=(date(2027, 2, 1),))
    make_booking(past, world["people"]["ann"], BookingStatus.ATTENDED)  # booked as they asked (the frozen moment)
    older = make_booking(past, world["people"]["bob"], BookingStatus.ATTENDED)
    older.created_at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # years before: they want the course again
    db.session.commit()
    counts = interest_by_area(world["course"].id)
    assert counts.total == 1 and counts.rows[0].area == "Melton"
