"""The registers a trainer has to mark (their dashboard), worked by hand: their sessions running today, and past
ones (up to 60 days back) with someone on the register still unmarked on a day; never a cancelled session, another
trainer's, one to come, or one whose only unmarked people no longer hold a place."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from tests.factories import (
    make_booking,
    make_mark,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
)
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import BookingStatus, MarkStatus, Role, SessionStatus
from training_app.services.attendance.trainer_registers import registers_to_mark

TODAY = date(2026, 3, 4)  # a Wednesday
MONDAY, TUESDAY = TODAY - timedelta(days=2), TODAY - timedelta(days=1)


def _teaching_world():
    """Tess (a booker who also trains) teaches six sessions; Ozzy another. Three people of Oak School to book."""
    oak = make_organisation(code="OAK")
    ann, bob, cat = (make_practitioner(oak, email=f"{name}@example.org") for name in ("ann", "bob", "cat"))
    tess = make_user(Role.BOOKER, email="tess@example.org", organisation=oak)
    mine, other = make_trainer("Tess", user=tess), make_trainer("Ozzy", user=make_user(Role.COORDINATOR))

    def session(code, days, trainer=mine, **fields):
        made = make_session(code=code, days=days, **fields)
        made.trainers = [trainer]
        return made

    running = session("RUNNING", (TUESDAY, TODAY))  # day two today; day one marked for both
    for booking in (make_booking(running, ann), make_booking(running, bob)):
        make_mark(booking, running.days[0])
    half = session("HALF", (MONDAY, TUESDAY))  # Ann marked on Monday only, Bob on neither day: 3 marks missing
    make_mark(make_booking(half, ann), half.days[0], MarkStatus.ABSENT)
    make_booking(half, bob, BookingStatus.NO_SHOW)
    done = session("DONE", (MONDAY,))  # every mark made
    make_mark(make_booking(done, cat, BookingStatus.ATTENDED), done.days[0])
    cancelled_people = session("GONE-PEOPLE", (MONDAY,))  # unmarked, but they cancelled or wait: no place held
    make_booking(cancelled_people, ann, BookingStatus.CANCELLED)
    make_booking(cancelled_people, bob, BookingStatus.WAITLISTED, position=1)
    make_booking(session("CANCELLED", (MONDAY,), status=SessionStatus.CANCELLED), cat)
    make_booking(session("COMING", (TODAY + timedelta(days=7),)), cat)
    session("EMPTY-TODAY", (TODAY,))  # running today with nobody booked yet: still to open today
    make_booking(session("OZZY", (TUESDAY,), trainer=other), cat)
    make_booking(session("RECENT", (TODAY - timedelta(days=60),)), cat)  # never marked, 60 days ago: still shown
    make_booking(session("OLD", (TODAY - timedelta(days=61),)), cat)  # never marked, but history now
    db.session.commit()
    return tess


def test_a_trainers_registers_are_those_running_today_then_past_ones_with_marks_missing(app_ctx):
    tess = _teaching_world()
    rows = [(row.code, row.today, row.missing) for row in registers_to_mark(tess, TODAY)]
    # Running today first, then the past, each by first day, latest first. Missing marks counted on days that have
    # come: RUNNING Ann and Bob today (2); HALF Ann on Tuesday, Bob on Monday and Tuesday (3); RECENT Cat (1).
    assert rows == [("EMPTY-TODAY", True, 0), ("RUNNING", True, 2), ("HALF", False, 3), ("RECENT", False, 1)]


def test_someone_who_teaches_nothing_has_no_registers_to_mark(app_ctx):
    _teaching_world()
    assert registers_to_mark(make_user(Role.COORDINATOR), TODAY) == []


def test_the_dashboard_of_a_booker_who_trains_links_to_each_register(app, client):
    with app.app_context():
        _teaching_world()
    with time_machine.travel(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), tick=False):
        html = signed_in(client, "tess@example.org").get("/").get_data(as_text=True)
    assert "Your registers to mark" in html
    for code in ("RUNNING", "EMPTY-TODAY", "HALF", "RECENT"):
        assert f'href="/sessions/{code}/register"' in html
    assert "running today; 2 marks to make" in html and "3 marks to make" in html
    for code in ("DONE", "GONE-PEOPLE", "CANCELLED", "COMING", "OZZY", "OLD"):
        assert f"/sessions/{code}/register" not in html
