"""Waiting-list offer pages (SPEC 3.4, issue 21): the course form's offer hours, the offer page the email links to
with its Accept and Decline buttons (POST, CSRF), a clear page when no offer is open, the offer on dashboards and the
coordinator's session page, and nobody else's offers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in, title_of
from tests.web.test_courses_pages import COURSE
from training_app.extensions import db
from training_app.models import Booking, Course, Role
from training_app.services.booking.bookings import book_place, cancel_booking
from training_app.services.common.calendar import london_today


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def offered(app):
    """Ben (with a practitioner account) offered the one place on CAF-1 after Ann cancelled; Cat waits behind."""
    with app.app_context():
        school = make_organisation(code="SCH-1")
        make_user(Role.BOOKER, email="booker@school.example", organisation=school)
        make_user(Role.BOOKER, email="other@elsewhere.example")
        coordinator = make_user(Role.COORDINATOR, email="coord@council.example")
        session = make_session(
            course=make_course(code="CAF", offer_hours=12), code="CAF-1", capacity=1, days=(_weekday(21),)
        )
        people = {
            n: make_practitioner(organisation=school, first_name=n.title(), last_name="Smith")
            for n in ("ann", "ben", "cat")
        }
        make_user(Role.PRACTITIONER, email="ben@school.example", practitioner=people["ben"])
        db.session.commit()
        bookings = {n: book_place(session, people[n], coordinator) for n in people}
        cancel_booking(bookings["ann"], coordinator)
        return {name: booking.id for name, booking in bookings.items()}


def _status(app, booking_id: int) -> str:
    with app.app_context():
        return db.session.get(Booking, booking_id).status.value


def _answer(client, booking_id: int, answer: str):
    token = csrf_token_from(client.get(f"/bookings/{booking_id}/offer/{answer}").get_data(as_text=True))
    return client.post(f"/bookings/{booking_id}/offer/{answer}", data={"csrf_token": token})


def test_the_practitioner_sees_the_offer_on_their_dashboard_and_bookings_and_accepts_it(app, client, offered):
    signed_in(client, "ben@school.example")
    dashboard = client.get("/").get_data(as_text=True)
    assert "Places offered from a waiting list" in dashboard and f"/bookings/{offered['ben']}/offer/accept" in dashboard
    mine = client.get("/bookings/mine").get_data(as_text=True)
    assert "Offered a place until" in mine and 'name="csrf_token"' in mine

    page = client.get(f"/bookings/{offered['ben']}/offer/accept")
    assert page.status_code == 200 and h1_of(page) == "A place is offered to you"

    done = _answer(client, offered["ben"], "accept")
    assert done.status_code == 302 and done.headers["Location"] == "/bookings/mine"
    assert _status(app, offered["ben"]) == "booked"
    assert "Ben Smith has a place on CAF-1." in client.get("/bookings/mine").get_data(as_text=True)


def test_accepting_again_shows_a_clear_conflict_page_and_changes_nothing(app, client, offered):
    signed_in(client, "booker@school.example")
    token = csrf_token_from(client.get(f"/bookings/{offered['ben']}/offer").get_data(as_text=True))
    client.post(f"/bookings/{offered['ben']}/offer/accept", data={"csrf_token": token})

    again = client.post(f"/bookings/{offered['ben']}/offer/accept", data={"csrf_token": token})

    assert again.status_code == 409
    assert title_of(again).startswith("Error: No offer is open")
    assert "This offer cannot be accepted: the offer has already been accepted." in again.get_data(as_text=True)
    assert _status(app, offered["ben"]) == "booked" and _status(app, offered["cat"]) == "waitlisted"


def test_the_booker_declines_and_the_offer_passes_to_the_next(app, client, offered):
    signed_in(client, "booker@school.example")
    assert f"/bookings/{offered['ben']}/offer/decline" in client.get("/").get_data(as_text=True)

    done = _answer(client, offered["ben"], "decline")

    assert done.status_code == 302 and done.headers["Location"] == "/bookings/"
    assert _status(app, offered["ben"]) == "offer_declined" and _status(app, offered["cat"]) == "offered"
    listing = client.get("/bookings/").get_data(as_text=True)
    assert "It passes to the next person on the waiting list." in listing
    late = _answer(client, offered["ben"], "accept")
    assert late.status_code == 409 and "the offer was declined and has passed on" in late.get_data(as_text=True)


def test_an_answer_without_its_csrf_token_is_refused(app, client, offered):
    signed_in(client, "booker@school.example")
    assert client.post(f"/bookings/{offered['ben']}/offer/accept").status_code == 400
    assert _status(app, offered["ben"]) == "offered"


def test_another_organisations_booker_may_not_see_or_answer_the_offer(app, client, offered):
    signed_in(client, "other@elsewhere.example")
    assert client.get(f"/bookings/{offered['ben']}/offer").status_code == 403
    assert "Places offered" not in client.get("/").get_data(as_text=True)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/bookings/{offered['ben']}/offer/accept", data={"csrf_token": token}).status_code == 403
    assert _status(app, offered["ben"]) == "offered"


def test_the_email_link_asks_a_stranger_to_sign_in_first(client, offered):
    response = client.get(f"/bookings/{offered['ben']}/offer/accept")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_coordinators_session_page_says_who_holds_the_offer_until_when(client, offered):
    signed_in(client, "coord@council.example")
    page = client.get("/sessions/CAF-1").get_data(as_text=True)
    assert re.search(r"Offered to Ben Smith until \d+ \w+ \d{4}, \d", page)


def test_the_course_form_sets_and_clears_offer_hours(app, client):
    with app.app_context():
        make_user(Role.COORDINATOR, email="coord@council.example")
        db.session.commit()
    signed_in(client, "coord@council.example")

    def post(path, **fields):
        token = csrf_token_from(client.get(path).get_data(as_text=True))
        return client.post(path, data={"csrf_token": token, **COURSE, **fields})

    def hours():
        with app.app_context():
            return db.session.scalars(sa.select(Course.offer_hours).filter_by(code="CAF")).one()

    assert post("/courses/new", offer_hours="48").status_code == 302
    assert hours() == 48
    assert 'name="offer_hours"' in client.get("/courses/CAF/edit").get_data(as_text=True)
    refused = post("/courses/CAF/edit", offer_hours="400")
    assert refused.status_code == 200 and "Hold an offer for 1 to 336 hours" in refused.get_data(as_text=True)
    assert hours() == 48
    assert post("/courses/CAF/edit", offer_hours="").status_code == 302
    assert hours() is None
