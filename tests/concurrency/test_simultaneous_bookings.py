"""Capacity is never exceeded, whatever the concurrency (SPEC 3.4): 200 requests for 5 places at once on a
4-worker server book exactly 5 and queue the rest 1..195; cancellations racing bookings leave no gaps and
promote nobody twice. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import requests
import sqlalchemy as sa

from tests.factories import make_booking, make_organisation, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Role
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.common.calendar import london_today

from ..factories import make_user
from .server import LiveServer, all_at_once

TIMEOUT = 120
CAPACITY = 5


def _coming_weekday():
    day = london_today() + timedelta(days=28)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _book(server: LiveServer, token: str, email: str):
    def call() -> requests.Response:
        return requests.post(
            server.url + "/api/v1/sessions/RUSH-1/bookings",
            json={"practitioner": email},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    return call


def _cancel(server: LiveServer, token: str, booking_id: int):
    def call() -> requests.Response:
        return requests.delete(
            server.url + f"/api/v1/bookings/{booking_id}", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
        )

    return call


def _tokens(count: int) -> list[str]:
    """Coordinators' tokens, each used a moment ago through the services (so the rush writes only bookings)."""
    return [issue_api_token(make_user(Role.COORDINATOR)) for _ in range(count)]


def _queue() -> tuple[int, list[int]]:
    """Places booked and the waiting positions in order, read fresh from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Booking.status, Booking.waitlist_position).where(Booking.session.has(code="RUSH-1"))
    ).all()
    booked = sum(status == BookingStatus.BOOKED for status, _ in rows)
    return booked, sorted(position for status, position in rows if status == BookingStatus.WAITLISTED)


def test_two_hundred_requests_for_five_places_book_exactly_five(app, app_ctx, live_server):
    make_session(code="RUSH-1", capacity=CAPACITY, days=(_coming_weekday(),))
    school = make_organisation()
    emails = [make_practitioner(organisation=school, email=f"rush{n}@school.example").email for n in range(200)]
    tokens = _tokens(8)
    db.session.commit()

    answers = all_at_once([_book(live_server, tokens[n % 8], email) for n, email in enumerate(emails)], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {201: 200}, live_server.log()[-3000:]
    replies = [answer.json() for answer in answers]
    assert sum(reply["status"] == "booked" for reply in replies) == CAPACITY
    assert sorted(reply["position"] for reply in replies if reply["status"] == "waitlisted") == list(range(1, 196))
    assert _queue() == (CAPACITY, list(range(1, 196)))
    assert "Traceback" not in live_server.log()


def test_cancellations_racing_bookings_keep_the_queue_gapless_and_promote_nobody_twice(app, app_ctx, live_server):
    session = make_session(code="RUSH-1", capacity=CAPACITY, days=(_coming_weekday(),))
    school = make_organisation()
    booked = [make_booking(session, make_practitioner(organisation=school)) for _ in range(CAPACITY)]
    waiting = [
        make_booking(session, make_practitioner(organisation=school), BookingStatus.WAITLISTED, position=n)
        for n in range(1, 31)
    ]
    newcomers = [make_practitioner(organisation=school, email=f"late{n}@school.example").email for n in range(40)]
    tokens = _tokens(8)
    leaving = [b.id for b in booked[:3]] + [w.id for w in waiting[5:15]]  # 3 places freed, 10 give up waiting
    first_waiting = [w.id for w in waiting[:3]]
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    calls = [_cancel(live_server, tokens[n % 8], booking_id) for n, booking_id in enumerate(leaving)]
    calls += [_book(live_server, tokens[n % 8], email) for n, email in enumerate(newcomers)]

    answers = all_at_once(calls, TIMEOUT)

    assert [a.status_code for a in answers[: len(leaving)]] == [200] * len(leaving), live_server.log()[-3000:]
    assert [a.status_code for a in answers[len(leaving) :]] == [201] * len(newcomers)
    places, positions = _queue()
    assert places == CAPACITY
    assert positions == list(range(1, 30 - 10 - 3 + 40 + 1))  # 20 left waiting, 3 promoted, 40 joined: 1..57
    promoted = [answer.json()["promoted"] for answer in answers[:3]]
    assert sorted(promoted) == first_waiting  # the first three in the queue, once each
    events = db.session.scalars(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "booking_promoted")).all()
    assert Counter(events) == Counter(promoted)
    assert "Traceback" not in live_server.log()
