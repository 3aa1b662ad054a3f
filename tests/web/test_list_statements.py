"""The coordinator's sessions list and reminders page send as many statements for a few rows as for many (issue 25):
their lists are paged, counted and checked in SQL, never a statement per session or per reminder."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Role
from training_app.models.base import utcnow
from training_app.services.common.calendar import london_today


def _sessions(course, first: int, count: int) -> None:
    start = london_today() + timedelta(days=40)
    for n in range(first, first + count):
        session = make_session(course=course, code=f"LIST-{n:03d}", days=(start + timedelta(days=n),))
        make_booking(session, make_practitioner())


def test_the_sessions_list_sends_the_same_statements_for_three_sessions_or_forty(app, count_statements):
    with app.app_context():
        course = make_course(code="LIST")
        _sessions(course, 0, 3)
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    browser = signed_in(app.test_client(), email)
    with count_statements() as few:
        page = browser.get("/sessions/").get_data(as_text=True)
    assert "3 sessions open for booking" in page
    with app.app_context():
        _sessions(db.session.merge(course), 3, 37)
        db.session.commit()
    with count_statements() as many:
        page = browser.get("/sessions/").get_data(as_text=True)
    assert "40 sessions open for booking, page 1 of 2" in page
    assert len(re.findall(r'<th scope="row"', page)) == 25
    # A full page cannot tell the total, so it is counted: one statement more, however many sessions there are.
    assert len(many) == len(few) + 1
    assert len(few) <= 12
    with count_statements() as second:
        page = browser.get("/sessions/?page=2").get_data(as_text=True)
    assert "LIST-039" in page and len(re.findall(r'<th scope="row"', page)) == 15
    assert len(second) == len(few)


def _booked_soon(count: int) -> None:
    course = make_course(session_reminder_days=3)
    session = make_session(course=course, days=(london_today() + timedelta(days=2),), capacity=200)
    for _ in range(count):
        booking = make_booking(session, make_practitioner())
        booking.created_at = utcnow() - timedelta(days=10)


def test_the_reminders_page_sends_the_same_statements_for_one_reminder_due_or_sixty(app, count_statements):
    with app.app_context():
        _booked_soon(1)
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    browser = signed_in(app.test_client(), email)
    with count_statements() as few:
        page = browser.get("/reminders").get_data(as_text=True)
    assert "1 reminder would be sent" in page
    with app.app_context():
        _booked_soon(60)
        db.session.commit()
    with count_statements() as many:
        page = browser.get("/reminders").get_data(as_text=True)
    assert "61 reminders would be sent" in page
    assert len(many) == len(few)
