"""The booking rules in services/booking/bookings.py and the places query in services/booking/places.py, as imports,
pages and the API rely on them: capacity, one active booking per course, waiting-list order, and one count of places."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_booking, make_course, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import BookingStatus
from training_app.services.booking.bookings import PlaceLedger, lock_sessions, set_status
from training_app.services.booking.places import NO_BOOKINGS, places_by_session, places_of
from training_app.services.sessions.sessions import change_problems

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_places_count_every_booking_that_used_a_place_and_no_other():
    session = make_session(capacity=10)
    for status in BookingStatus:
        make_booking(session, make_practitioner(), status, position=1 if status == BookingStatus.WAITLISTED else None)

    places = places_of(session.id)

    # booked, attended, absent, no_show and an open offer (held for the person offered it) used a place;
    # waitlisted, cancelled, late_cancelled, requested, declined, offer_declined and offer_lapsed did not.
    assert (places.taken, places.waitlisted, places.last_position, places.bookings) == (5, 1, 1, 12)
    assert places_of(make_session().id) == NO_BOOKINGS


def test_the_ledger_refuses_a_place_beyond_capacity_and_a_second_active_booking_of_a_course():
    course = make_course(code="CAF")
    full = make_session(course=course, capacity=1, code="CAF-1")
    other = make_session(course=course, capacity=5, code="CAF-2", days=(date(2008, 11, 1),))
    holder, newcomer = make_practitioner(), make_practitioner()
    make_booking(full, holder)
    db.session.commit()

    ledger = PlaceLedger(list(lock_sessions(["CAF-1", "CAF-2"]).values()), [holder.id, newcomer.id])

    assert [p.message for p in ledger.take(full, newcomer.id, BookingStatus.BOOKED)] == [
        "session CAF-1 is full: its 1 places are all taken"
    ]
    refused = ledger.take(other, holder.id, BookingStatus.BOOKED)
    assert [(p.field, p.message) for p in refused] == [
        ("practitioner", "already has an active booking for course CAF (session CAF-1)")
    ]
    assert ledger.take(other, make_practitioner().id, BookingStatus.WAITLISTED) == []


def test_releasing_a_booking_gives_its_place_back_to_the_batch():
    session = make_session(capacity=1, code="ONE")
    person = make_practitioner()
    booking = make_booking(session, person)
    ledger = PlaceLedger([session], [person.id])

    ledger.release(booking)

    assert ledger.has_place(session)
    assert ledger.take(session, person.id, BookingStatus.BOOKED) == []
    assert not ledger.has_place(session)


def test_people_joining_the_waiting_list_go_to_its_end_in_order():
    session = make_session(capacity=1)
    make_booking(session, make_practitioner(), BookingStatus.WAITLISTED, position=1)
    ledger = PlaceLedger([session], [])
    first, second = (make_booking(session, make_practitioner()) for _ in range(2))

    set_status(first, BookingStatus.WAITLISTED, ledger)
    set_status(second, BookingStatus.WAITLISTED, ledger)
    set_status(first, BookingStatus.WAITLISTED, ledger)  # already waiting: keeps its place in the queue

    assert (first.waitlist_position, second.waitlist_position) == (2, 3)
    set_status(first, BookingStatus.BOOKED, ledger)
    assert first.waitlist_position is None


def test_a_session_with_history_cannot_change_course_drop_below_its_places_or_lose_a_marked_day():
    session = make_session(capacity=5, code="S-1", days=(date(2008, 10, 1), date(2008, 10, 2)))
    for _ in range(3):
        make_booking(session, make_practitioner())
    places = places_by_session([session.id])[session.id]
    marked = {session.days[1].id}

    problems = change_problems(session, make_course(), 2, [date(2008, 10, 1)], places, marked)

    assert [(p.field, p.message) for p in problems] == [
        ("course", "session S-1 already has bookings, so its course cannot change"),
        ("capacity", "capacity 2 is below the 3 places taken on session S-1"),
        ("date", "day 2008-10-02 of session S-1 has attendance marks, so it must stay in the file"),
    ]
    assert change_problems(session, session.course, 3, [date(2008, 10, 1), date(2008, 10, 2)], places, marked) == []
