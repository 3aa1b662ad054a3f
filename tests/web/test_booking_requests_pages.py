"""Practitioners' own bookings on the web (SPEC 3.4): book or ask from the session page, see and cancel their own;
bookers approve or decline requests, only for their own staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Role, SelfBooking
from training_app.services.common.calendar import london_today


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def people(app):
    """A school with a practitioner who has an account and a booker; sessions of courses that say yes,
    with_approval (one place, already taken) and no."""
    with app.app_context():
        school = make_organisation(code="BIRCH", name="Birch School")
        pia = make_practitioner(organisation=school, first_name="Pia", last_name="Birch", email="pia@birch.example")
        make_user(Role.PRACTITIONER, email="pia-user@birch.example", practitioner_id=pia.id)
        make_user(Role.BOOKER, organisation=school, email="bm@birch.example")
        make_user(Role.BOOKER, organisation=make_organisation(code="ELM"), email="bm@elm.example")
        for rule, capacity in ((SelfBooking.YES, 5), (SelfBooking.WITH_APPROVAL, 1), (SelfBooking.NO, 5)):
            course = make_course(code=f"C-{rule.value}", title=f"Course {rule.value}", self_booking=rule)
            session = make_session(course=course, code=f"S-{rule.value}", capacity=capacity, days=(_weekday(21),))
            if capacity == 1:
                make_booking(session, make_practitioner(organisation=make_organisation()))
        db.session.commit()
        return {"pia_id": pia.id}


def _post_form(client, path, data=None, follow=True):
    page = client.get(path)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=follow)


def test_a_practitioner_books_themself_where_the_course_says_yes_and_cancels(app, client, people):
    signed_in(client, "pia-user@birch.example")
    assert 'href="/bookings/self/S-yes"' in client.get("/sessions/S-yes").get_data(as_text=True)
    assert "/bookings/self/" not in client.get("/sessions/S-no").get_data(as_text=True)
    assert client.get("/bookings/self/S-no").status_code == 403
    page = client.get("/bookings/self/S-yes")
    assert h1_of(page) == "Book a place on S-yes"

    done = _post_form(client, "/bookings/self/S-yes")
    text = done.get_data(as_text=True)
    assert "You have a place on S-yes." in text and h1_of(done) == "My bookings" and "Booked" in text
    with app.app_context():
        booking = db.session.execute(sa.select(Booking).filter_by(practitioner_id=people["pia_id"])).scalar_one()
        booking_id = booking.id
    assert h1_of(client.get(f"/bookings/{booking_id}/cancel")) == "Cancel your booking"
    cancelled = _post_form(client, f"/bookings/{booking_id}/cancel")
    assert "booking on S-yes is cancelled" in cancelled.get_data(as_text=True)


def test_a_request_goes_to_the_booker_who_approves_it_onto_the_waiting_list(app, client, people):
    signed_in(client, "pia-user@birch.example")
    assert "Ask for a place on S-with_approval" in client.get("/sessions/S-with_approval").get_data(as_text=True)
    done = _post_form(client, "/bookings/self/S-with_approval")
    assert "has been sent to your booker" in done.get_data(as_text=True)
    assert "Waiting for your booker's approval" in done.get_data(as_text=True)

    stranger = app.test_client()
    signed_in(stranger, "bm@elm.example")
    assert "Pia Birch" not in stranger.get("/bookings/requests").get_data(as_text=True)
    with app.app_context():
        request_id = db.session.execute(sa.select(Booking.id).filter_by(status=BookingStatus.REQUESTED)).scalar_one()
    assert stranger.get(f"/bookings/{request_id}/decline").status_code == 403
    token = csrf_token_from(stranger.get("/bookings/requests").get_data(as_text=True))
    assert stranger.post(f"/bookings/{request_id}/approve", data={"csrf_token": token}).status_code == 403

    booker = app.test_client()
    signed_in(booker, "bm@birch.example")
    assert "1 request for a place to approve" in booker.get("/").get_data(as_text=True)
    listing = booker.get("/bookings/requests")
    assert "Pia Birch" in listing.get_data(as_text=True)
    token = csrf_token_from(listing.get_data(as_text=True))
    approved = booker.post(f"/bookings/{request_id}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "Approved: Pia Birch is number 1 on the waiting list on S-with_approval." in approved.get_data(as_text=True)
    with app.app_context():
        booking = db.session.get(Booking, request_id)
        assert (booking.status, booking.waitlist_position) == (BookingStatus.WAITLISTED, 1)


def test_a_booker_declines_a_request_with_a_reason(app, client, people):
    signed_in(client, "pia-user@birch.example")
    _post_form(client, "/bookings/self/S-with_approval")
    with app.app_context():
        request_id = db.session.execute(sa.select(Booking.id).filter_by(status=BookingStatus.REQUESTED)).scalar_one()
    booker = app.test_client()
    signed_in(booker, "bm@birch.example")
    empty = _post_form(booker, f"/bookings/{request_id}/decline", {"reason": ""}, follow=False)
    assert empty.status_code == 422 and "Enter why the request is declined" in empty.get_data(as_text=True)
    assert h1_of(empty) == "Decline Pia Birch&#39;s request"
    assert 'href="/bookings/requests"' in empty.get_data(as_text=True)

    done = _post_form(booker, f"/bookings/{request_id}/decline", {"reason": "No cover that week"})

    assert "request has been declined" in done.get_data(as_text=True)
    with app.app_context():
        booking = db.session.get(Booking, request_id)
        assert (booking.status, booking.cancel_reason) == (BookingStatus.DECLINED, "No cover that week")
    assert "No requests are waiting." in booker.get("/bookings/requests").get_data(as_text=True)


def test_a_practitioner_cannot_cancel_someone_elses_booking(app, client, people):
    with app.app_context():
        other = db.session.execute(sa.select(Booking.id)).scalars().first()
    signed_in(client, "pia-user@birch.example")
    assert client.get(f"/bookings/{other}/cancel").status_code == 403
