"""A session's change and cancellation emails (SPEC 3.3, 3.4): each person's organisation's bookers are copied, as
in every booking email, and a cancellation offers only the course's sessions still open for booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import Role
from training_app.services.booking.bookings import book_place
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan

NOW = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # a Tuesday, in London too
TODAY = date(2027, 1, 12)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_bookers_of_each_persons_organisation_are_copied_on_a_change_and_a_cancellation(app, app_ctx):
    session = make_session(code="COPY-1", days=(date(2027, 2, 10),))
    schools = [make_organisation(), make_organisation()]
    people = [
        make_practitioner(organisation=school, email=f"p{n}.copy@school.example") for n, school in enumerate(schools)
    ]
    bookers = [
        make_user(Role.BOOKER, organisation=school, email=f"b{n}.copy@school.example")
        for n, school in enumerate(schools)
    ]
    make_user(Role.BOOKER, organisation=schools[0], email="gone.copy@school.example", active=False)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    for person in people:
        book_place(session, person, coordinator)

    plan = scheduling.plan_of(session)
    later = replace(plan, days=tuple(DayPlan(day.date, time(10, 0), time(16, 0)) for day in plan.days))
    scheduling.edit_session("COPY-1", later, coordinator, confirmed=True)
    scheduling.cancel_session("COPY-1", "Trainer unwell", coordinator)

    for person, booker in zip(people, bookers, strict=True):
        messages = emails_to(app, person.email)
        assert [(message["Subject"].split(":")[0], message["Cc"]) for message in messages] == [
            ("Booked", booker.email),
            ("Changed", booker.email),
            ("Cancelled", booker.email),
        ]


def test_a_cancellation_offers_only_sessions_still_open_for_booking(app, app_ctx):
    course = make_course(title="CAF assessment")
    cancelled = make_session(course=course, code="ALT-0", days=(date(2027, 3, 1),))
    make_session(course=course, code="ALT-TODAY", days=(TODAY,), start=time(9, 30))  # started an hour ago
    make_session(course=course, code="ALT-CLOSED", days=(date(2027, 1, 14),), booking_closes_days=2)  # closed today
    full = make_session(course=course, code="ALT-FULL", days=(date(2027, 2, 1),), capacity=1)
    make_session(course=course, code="ALT-OPEN", days=(date(2027, 1, 15),), booking_closes_days=2)
    make_session(course=course, code="ALT-LATER", days=(date(2027, 2, 3),))
    person = make_practitioner(email="alt.person@school.example")
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    book_place(cancelled, person, coordinator)
    book_place(full, make_practitioner(), coordinator)

    scheduling.cancel_session("ALT-0", "Venue closed", coordinator)

    body = body_of(emails_to(app, person.email)[-1])
    offered = [line.split(",")[0].removeprefix("- ") for line in body.splitlines() if line.startswith("- ")]
    assert offered == ["ALT-OPEN", "ALT-LATER"]
