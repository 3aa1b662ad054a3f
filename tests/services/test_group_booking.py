"""Booking a group onto one session (SPEC 3.4): the preview and the confirmation go through the one allocation step,
so they give each person the same answer, and a group costs a fixed number of statements per person."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Practitioner, Role, TrainingSession, User
from training_app.services.booking.group_booking import book_group, preview_group_booking

pytestmark = pytest.mark.usefixtures("app_ctx")

NOW = datetime(2008, 9, 1, 9, tzinfo=UTC)


@pytest.fixture
def school():
    """A school with its booker, a course needing PRE first, and a session of it with two places."""
    organisation = make_organisation(code="SCH")
    prerequisite = make_course(code="PRE")
    course = make_course(code="CAF")
    course.prerequisites = [prerequisite]
    session = make_session(course=course, code="CAF-1", capacity=2, days=(date(2008, 10, 1),))
    booker = make_user(Role.BOOKER, organisation=organisation)
    return {
        "organisation": organisation,
        "prerequisite": prerequisite,
        "course": course,
        "session": session,
        "booker": booker,
    }


def _trained(school, first_name: str) -> Practitioner:
    person = make_practitioner(organisation=school["organisation"], first_name=first_name, last_name="Staff")
    make_record(person, school["prerequisite"], date(2008, 1, 1))
    return person


def _answers(outcomes) -> list[tuple[str, str, int | None, str | None]]:
    return [(o.practitioner.full_name, o.outcome, o.position, o.reason) for o in outcomes]


def test_preview_and_confirm_refuse_someone_without_the_prerequisite_who_is_booked_on_the_course_for_the_same_reason(
    school,
):
    both = make_practitioner(organisation=school["organisation"], first_name="Both", last_name="Problems")
    later = make_session(course=school["course"], code="CAF-2", days=(date(2008, 11, 5),))
    make_booking(later, both)  # already booked on the course, and PRE never completed
    ready = _trained(school, "Ready")
    db.session.commit()

    preview = _answers(preview_group_booking(school["session"], [both, ready], school["booker"], NOW))
    confirmed = _answers(book_group(school["session"], [both, ready], school["booker"], NOW))

    assert preview == confirmed
    assert confirmed == [
        (
            "Both Problems",
            "refused",
            None,
            "Both Problems already has an active booking for course CAF (session CAF-2)",
        ),
        ("Ready Staff", "booked", None, None),
    ]


def test_someone_refused_takes_no_place_in_the_preview_as_in_the_confirmation(school):
    untrained = make_practitioner(organisation=school["organisation"], first_name="Untrained", last_name="Staff")
    group = [untrained, _trained(school, "Ann"), _trained(school, "Ben"), _trained(school, "Cat")]
    db.session.commit()

    preview = _answers(preview_group_booking(school["session"], group, school["booker"], NOW))
    confirmed = _answers(book_group(school["session"], group, school["booker"], NOW))

    assert preview == confirmed
    assert [(name, outcome, position) for name, outcome, position, _ in confirmed] == [
        ("Untrained Staff", "refused", None),
        ("Ann Staff", "booked", None),
        ("Ben Staff", "booked", None),
        ("Cat Staff", "waitlisted", 1),
    ]
    statuses = db.session.execute(sa.select(Booking.status, Booking.waitlist_position).order_by(Booking.id)).all()
    assert [tuple(row) for row in statuses] == [
        (BookingStatus.BOOKED, None),
        (BookingStatus.BOOKED, None),
        (BookingStatus.WAITLISTED, 1),
    ]


# A group booking's statements: the session's lock, its places, the people's active bookings, overlaps, missing
# prerequisites and who has left (SPEC 3.1), their bookers' emails, their calendars' SEQUENCEs, the webhooks wanting
# the bookings (SPEC 3.11: one SELECT, nothing written when none does), and delivering the
# emails after the commit (two short transactions), whatever the group's size; then per person a savepoint around
# the booking's insert, its audit event and its email (SQLite inserts the audit events one by one, PostgreSQL together).
AT_MOST_ONCE = 16  # the session locked, then its days, course, venue and trainers read after the lock
AT_MOST_PER_PERSON = 5


def test_a_group_booking_runs_a_fixed_number_of_statements_per_person(school, count_statements):
    counts, selects = {}, {}
    for size in (1, 5, 20):
        session = make_session(course=school["course"], capacity=10, days=(date(2008, 10, 1 + size),))
        ids = [_trained(school, f"P{size}-{n}").id for n in range(size)]
        db.session.commit()
        people = db.session.scalars(sa.select(Practitioner).where(Practitioner.id.in_(ids))).all()
        session, booker = db.session.get(TrainingSession, session.id), db.session.get(User, school["booker"].id)
        with count_statements() as statements:
            outcomes = book_group(session, people, booker, NOW)
        assert [o.outcome for o in outcomes].count("booked") == min(size, 10)
        counts[size], selects[size] = len(statements), len(statements.starting("SELECT"))

    per_person = (counts[20] - counts[5]) // 15
    assert counts[20] - counts[5] == 15 * per_person and counts[5] - counts[1] == 4 * per_person  # linear in size
    assert per_person <= AT_MOST_PER_PERSON
    assert counts[20] <= AT_MOST_ONCE + AT_MOST_PER_PERSON * 20
    assert selects[1] == selects[5] == selects[20]  # no lookup is repeated per person


def test_a_race_the_database_refuses_undoes_only_that_persons_booking(school, monkeypatch):
    racer = _trained(school, "Racer")
    other = _trained(school, "Other")
    make_booking(make_session(course=school["course"], code="CAF-3", days=(date(2008, 11, 5),)), racer)
    db.session.commit()
    # As if Racer's booking on CAF-3 (another session's lock) were made just after the active bookings were read.
    monkeypatch.setattr("training_app.services.booking.bookings._active_bookings", lambda ids: {})

    outcomes = _answers(book_group(school["session"], [racer, other], school["booker"], NOW))

    assert outcomes == [
        ("Racer Staff", "refused", None, "Racer Staff already has an active booking for course CAF"),
        ("Other Staff", "booked", None, None),
    ]
    on_session = sa.select(Booking.practitioner_id).where(Booking.session_id == school["session"].id)
    assert db.session.scalars(on_session).all() == [other.id]
