"""Places booked from the pages at once on a 4-worker server (a double-click, many times over): a practitioner
booking themself from ten pages makes one place, or one request to their booker, for a course booked freely and one
booked with approval; a booker confirming one group of three for two places from ten pages books two and puts one on
the waiting list, once; ten answers to one waiting-list offer, accepting and declining, decide it once. Each is
audited and emailed once; the others are told it is done already, never a 500. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import ACTIVE_STATUSES, Booking, BookingStatus, OutgoingMail, Role, SelfBooking
from training_app.services.booking.bookings import cancel_booking
from training_app.services.common.calendar import london_today

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _fine
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_offers import ANSWERS, CAPACITY, _full_session_with_one_waiting, _statuses
from .test_simultaneous_settings_changes import _sends


@pytest.mark.parametrize(
    ("rule", "status", "action"),
    [
        (SelfBooking.YES, BookingStatus.BOOKED, "booking_made"),
        (SelfBooking.WITH_APPROVAL, BookingStatus.REQUESTED, "booking_requested"),
    ],
    ids=["booked freely", "asked for"],
)
def test_ten_self_bookings_of_one_place_at_once_make_one(app, app_ctx, shared_live_server, rule, status, action):
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    make_session(course=make_course(code="SELF", self_booking=rule), code="SELF-1", days=(day,), capacity=5)
    school = make_organisation(code="SCHOOL")
    make_user(Role.BOOKER, email="office@school.example", organisation=school)
    ann = make_practitioner(organisation=school, email="ann@school.example", first_name="Ann")
    make_user(Role.PRACTITIONER, email="ann@school.example", practitioner=ann)
    db.session.commit()
    page = "/bookings/self/SELF-1"
    form = {"access_needs": "", "dietary_needs": ""}
    calls = _sends(shared_live_server, "ann@school.example", page, [(page, form)] * 10)

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, shared_live_server.log()[-3000:]
    refused = [a.text for a in answers if a.status_code == 422]
    assert all("You cannot book this session:" in text and "already" in text for text in refused)
    _fine(answers, shared_live_server, {302, 422})
    held = db.session.scalars(sa.select(Booking.status).where(Booking.status.in_([*ACTIVE_STATUSES, status]))).all()
    assert held == [status]
    assert len(_actions("booking_made", "booking_requested")) == 1
    assert len(_actions(action)) == 1
    sent = Counter(db.session.execute(sa.select(OutgoingMail.recipients, OutgoingMail.subject)).all())
    assert sent and all(count == 1 for count in sent.values()), sent  # told once (the booker, for a request)


def test_one_group_booked_from_ten_booker_pages_at_once_is_booked_once(app, app_ctx, shared_live_server):
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    make_session(course=make_course(code="GROUP"), code="GROUP-1", days=(day,), capacity=2)
    school = make_organisation(code="SCHOOL")
    make_user(Role.BOOKER, email="office@school.example", organisation=school)
    staff = [make_practitioner(organisation=school, email=f"staff{n}@school.example") for n in range(3)]
    ids = [person.id for person in staff]
    db.session.commit()
    page = "/bookings/new/GROUP-1"
    form = {"staff": [str(i) for i in ids], "confirm": "Confirm bookings"}

    answers = all_at_once(_sends(shared_live_server, "office@school.example", page, [(page, form)] * 10), TIMEOUT)

    _fine(answers, shared_live_server, {302})  # the nine are told who is booked already
    held = db.session.execute(
        sa.select(Booking.practitioner_id, Booking.status).where(Booking.status.in_(ACTIVE_STATUSES))
    ).all()
    assert sorted(person for person, _ in held) == ids  # each of the three once
    assert Counter(status for _, status in held) == {BookingStatus.BOOKED: 2, BookingStatus.WAITLISTED: 1}
    assert len(_actions("booking_made")) == 3
    sent = Counter(db.session.execute(sa.select(OutgoingMail.recipients, OutgoingMail.subject)).all())
    assert all(count == 1 for count in sent.values()), sent


def test_answers_to_one_offer_from_ten_pages_at_once_decide_it_once(app, app_ctx, shared_live_server):
    _, booked, first, _, coordinator, _ = _full_session_with_one_waiting()
    coordinator.email = "coordinator@council.example"
    cancel_booking(db.session.get(Booking, booked[0].id), coordinator)  # the place is offered to the one waiting
    offer = first.id
    db.session.commit()
    page = f"/bookings/{offer}/offer"
    posts = [(f"{page}/{'accept' if n % 2 else 'decline'}", {}) for n in range(10)]

    answers = all_at_once(_sends(shared_live_server, "coordinator@council.example", page, posts), TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 409: 9}, shared_live_server.log()[-3000:]
    assert all("This offer cannot be" in answer.text for answer in answers if answer.status_code == 409)
    _fine(answers, shared_live_server, {302, 409})
    [decided] = _actions(*ANSWERS)
    statuses = _statuses()
    if decided[0] == "booking_offer_accepted":
        assert statuses == {"booked": CAPACITY, "cancelled": 1}
    else:  # declined, with nobody else waiting: the place is free again
        assert statuses == {"booked": CAPACITY - 1, "cancelled": 1, "offer_declined": 1}
