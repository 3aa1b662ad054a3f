"""Waiting-list offers hold their place whatever the concurrency (SPEC 3.4, issue 21): on a 4-worker server, 20
bookings at once while a freed place is offered book nobody (all wait), a cancellation racing them offers the place
to the one waiting first and still books nobody, and answers sent at once to one offer decide it once. Runs on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import requests
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.booking.bookings import cancel_booking
from training_app.services.common.calendar import london_today

from .server import LiveServer, all_at_once

TIMEOUT = 120
CAPACITY = 3
RUSH = 20
ANSWERS = ("booking_offer_accepted", "booking_offer_declined")


def _coming_weekday():
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _post(server: LiveServer, token: str, path: str, body: dict | None = None):
    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(server.url + "/api/v1" + path, json=body, headers=headers, timeout=TIMEOUT)

    return call


def _delete(server: LiveServer, token: str, booking_id: int):
    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.delete(server.url + f"/api/v1/bookings/{booking_id}", headers=headers, timeout=TIMEOUT)

    return call


def _full_session_with_one_waiting():
    """OFFER-1 (a course holding offers for 24 hours): its places all booked, one person waiting."""
    course = make_course(code="OFR", offer_hours=24)
    session = make_session(course=course, code="OFFER-1", capacity=CAPACITY, days=(_coming_weekday(),))
    school = make_organisation()
    booked = [make_booking(session, make_practitioner(organisation=school)) for _ in range(CAPACITY)]
    first = make_booking(session, make_practitioner(organisation=school), BookingStatus.WAITLISTED, position=1)
    newcomers = [make_practitioner(organisation=school, email=f"rush{n}@school.example").email for n in range(RUSH)]
    coordinator = make_user(Role.COORDINATOR)
    tokens = [issue_api_token(make_user(Role.COORDINATOR)) for _ in range(4)]
    db.session.commit()
    return session, booked, first, newcomers, coordinator, tokens


def _statuses() -> Counter[str]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Booking.status).where(Booking.session.has(code="OFFER-1"))).all()
    return Counter(status.value for status in rows)


def _positions() -> list[int]:
    db.session.expire_all()
    query = sa.select(Booking.waitlist_position).where(
        Booking.session.has(code="OFFER-1"), Booking.status == BookingStatus.WAITLISTED
    )
    return sorted(db.session.scalars(query).all())


def test_twenty_bookings_at_once_while_a_freed_place_is_offered_book_none(app, app_ctx, live_server):
    _, booked, first, newcomers, coordinator, tokens = _full_session_with_one_waiting()
    cancel_booking(db.session.get(Booking, booked[0].id), coordinator)  # the freed place is offered to `first`
    first_id = first.id
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock

    calls = [
        _post(live_server, tokens[n % 4], "/sessions/OFFER-1/bookings", {"practitioner": email})
        for n, email in enumerate(newcomers)
    ]
    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {201: RUSH}, live_server.log()[-3000:]
    assert {answer.json()["status"] for answer in answers} == {"waitlisted"}
    assert sorted(answer.json()["position"] for answer in answers) == list(range(1, RUSH + 1))
    assert _statuses() == {"booked": CAPACITY - 1, "offered": 1, "cancelled": 1, "waitlisted": RUSH}
    assert db.session.get(Booking, first_id).status == BookingStatus.OFFERED
    assert "Traceback" not in live_server.log()


def test_a_cancellation_racing_twenty_bookings_offers_the_place_to_the_first_waiting_and_books_none(
    app, app_ctx, live_server
):
    _, booked, first, newcomers, _, tokens = _full_session_with_one_waiting()
    first_id, leaving = first.id, booked[0].id
    db.session.commit()
    calls = [_delete(live_server, tokens[0], leaving)]
    calls += [
        _post(live_server, tokens[n % 4], "/sessions/OFFER-1/bookings", {"practitioner": email})
        for n, email in enumerate(newcomers)
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert answers[0].status_code == 200, live_server.log()[-3000:]
    assert answers[0].json()["promoted"] == first_id
    assert [answer.status_code for answer in answers[1:]] == [201] * RUSH
    assert {answer.json()["status"] for answer in answers[1:]} == {"waitlisted"}
    assert _statuses() == {"booked": CAPACITY - 1, "offered": 1, "cancelled": 1, "waitlisted": RUSH}
    assert _positions() == list(range(1, RUSH + 1))
    assert "Traceback" not in live_server.log()


def test_answers_sent_at_once_to_one_offer_decide_it_once(app, app_ctx, live_server):
    _, booked, first, _, coordinator, tokens = _full_session_with_one_waiting()
    cancel_booking(db.session.get(Booking, booked[0].id), coordinator)
    offer = first.id
    db.session.commit()
    calls = [
        _post(live_server, tokens[n % 4], f"/bookings/{offer}/offer/{'accept' if n % 2 else 'decline'}")
        for n in range(10)
    ]

    answers = all_at_once(calls, TIMEOUT)

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {200: 1, 409: 9}, live_server.log()[-3000:]
    [won] = [answer.json() for answer in answers if answer.status_code == 200]
    assert db.session.get(Booking, offer).status.value == won["status"]
    assert won["status"] in {"booked", "offer_declined"}
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_id == offer, AuditEvent.action.in_(ANSWERS))
    ).all()
    assert len(actions) == 1
    statuses = _statuses()
    if won["status"] == "booked":
        assert statuses == {"booked": CAPACITY, "cancelled": 1}
    else:  # declined, with nobody else waiting: the place is free again
        assert statuses == {"booked": CAPACITY - 1, "cancelled": 1, "offer_declined": 1}
    assert "Traceback" not in live_server.log()
