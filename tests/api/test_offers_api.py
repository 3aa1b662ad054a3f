"""POST /api/v1/bookings/{id}/offer/accept and /offer/decline (SPEC 3.4, 4.5, issue 21): the person offered the
place or their booker answers; 409 when no offer is open; 403 for anyone else; 404 for no booking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import Booking, Role
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.common.calendar import london_today

from .helpers import bearer, user_with_token


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def offer(app_ctx):
    """Ben offered the one place on CAF-1 (Ann cancelled), Cat waiting; tokens for their booker, Ben, and others."""
    school = make_organisation(code="SCH-1")
    coordinator = make_user(Role.COORDINATOR)
    session = make_session(
        course=make_course(code="CAF", offer_hours=6), code="CAF-1", capacity=1, days=(_weekday(21),)
    )
    people = {n: make_practitioner(organisation=school) for n in ("ann", "ben", "cat")}
    _, booker = user_with_token(Role.BOOKER, organisation=school)
    _, ben = user_with_token(Role.PRACTITIONER, practitioner=people["ben"])
    _, cat = user_with_token(Role.PRACTITIONER, practitioner=people["cat"])
    _, stranger = user_with_token(Role.BOOKER)
    db.session.commit()
    bookings = {n: book_place(session, people[n], coordinator) for n in people}
    cancel_booking(bookings["ann"], coordinator)
    ids = {n: b.id for n, b in bookings.items()}
    return {"ids": ids, "booker": bearer(booker), "ben": bearer(ben), "cat": bearer(cat), "stranger": bearer(stranger)}


def _status(booking_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status.value


def test_the_offered_person_accepts_and_a_second_accept_is_409(client, offer):
    ben = offer["ids"]["ben"]

    first = client.post(f"/api/v1/bookings/{ben}/offer/accept", headers=offer["ben"])
    again = client.post(f"/api/v1/bookings/{ben}/offer/accept", headers=offer["booker"])

    assert first.status_code == 200 and first.get_json() == {"id": ben, "status": "booked", "passed_to": None}
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "The offer has already been accepted."
    assert _status(ben) == "booked" and _status(offer["ids"]["cat"]) == "waitlisted"


def test_the_booker_declines_and_the_place_passes_to_the_next(client, offer):
    ids = offer["ids"]

    declined = client.post(f"/api/v1/bookings/{ids['ben']}/offer/decline", headers=offer["booker"])

    assert declined.status_code == 200
    assert declined.get_json() == {"id": ids["ben"], "status": "offer_declined", "passed_to": ids["cat"]}
    assert _status(ids["cat"]) == "offered"
    assert client.post(f"/api/v1/bookings/{ids['ben']}/offer/decline", headers=offer["ben"]).status_code == 409
    assert client.post(f"/api/v1/bookings/{ids['ben']}/offer/accept", headers=offer["ben"]).status_code == 409


def test_nobody_else_may_answer_and_a_waiting_booking_has_no_offer(client, offer):
    ids = offer["ids"]
    assert client.post(f"/api/v1/bookings/{ids['ben']}/offer/accept", headers=offer["stranger"]).status_code == 403
    assert client.post(f"/api/v1/bookings/{ids['ben']}/offer/accept", headers=offer["cat"]).status_code == 403
    waiting = client.post(f"/api/v1/bookings/{ids['cat']}/offer/accept", headers=offer["cat"])
    assert waiting.status_code == 409 and waiting.get_json()["error"]["message"] == "No offer is open."
    assert client.post("/api/v1/bookings/999999/offer/accept", headers=offer["booker"]).status_code == 404
    assert _status(ids["ben"]) == "offered" and _status(ids["cat"]) == "waitlisted"
