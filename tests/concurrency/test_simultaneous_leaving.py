"""Leaving and booking cross cleanly (SPEC 3.1): a booker marks someone as left while eight coordinators book them
onto eight sessions at the same moment through the API, on a 4-worker server. Each booking either comes before the
leaving, which then cancels it, or after it, and is refused; none is left standing and nothing fails. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_course, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import ACTIVE_STATUSES, Booking, Practitioner, Role
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.common.calendar import london_today

from .server import LiveServer, all_at_once, form_token, signed_in

TIMEOUT = 120
SESSIONS = 8


def _weekdays(count: int) -> list:
    days, day = [], london_today() + timedelta(days=28)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _book(server: LiveServer, token: str, code: str):
    def call() -> requests.Response:
        return requests.post(
            server.url + f"/api/v1/sessions/{code}/bookings",
            json={"practitioner": "lou@leaving.example"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    return call


def _leave(browser: requests.Session, url: str, form: dict):
    def call() -> requests.Response:
        return browser.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    return call


def test_bookings_racing_a_leaving_are_cancelled_or_refused(app, app_ctx, shared_live_server):
    lou = make_practitioner(email="lou@leaving.example", first_name="Lou", last_name="Lane")
    make_user(Role.BOOKER, email="office@leaving.example", organisation=lou.organisation)
    codes = [f"LEAVE-{n}" for n in range(SESSIONS)]
    for code, day in zip(codes, _weekdays(SESSIONS), strict=True):
        make_session(course=make_course(code=f"C-{code}"), code=code, days=(day,))
    tokens = [issue_api_token(make_user(Role.COORDINATOR)) for _ in codes]
    lou_id = lou.id
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    browser = signed_in(shared_live_server, "office@leaving.example", PASSWORD)
    url = f"{shared_live_server.url}/staff/{lou_id}/leave"
    today = london_today()
    form = {
        "csrf_token": form_token(browser, url),
        "left_on": [str(today.day), str(today.month), str(today.year)],
        "confirm": "yes",
    }
    calls = [_leave(browser, url, form)] + [_book(shared_live_server, t, c) for t, c in zip(tokens, codes, strict=True)]

    answers = all_at_once(calls, TIMEOUT)

    log = shared_live_server.log()[-3000:]
    assert answers[0].status_code == 302, log
    booked = Counter(answer.status_code for answer in answers[1:])
    assert set(booked) <= {201, 422}, (booked, log)
    refusals = [answer.json()["error"]["message"] for answer in answers[1:] if answer.status_code == 422]
    assert all(message.endswith("and cannot be booked.") for message in refusals), refusals
    db.session.expire_all()
    assert db.session.get(Practitioner, lou_id).left_on == today
    standing = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(Booking.practitioner_id == lou_id, Booking.status.in_(ACTIVE_STATUSES))
    )
    assert standing == 0
