"""Changes to one session arriving at the same moment on a 4-worker server (issue 24): cancelled ten times, edited and
cancelled, the same walk-in added to its register ten times (someone known, and someone new). One cancellation with
one set of emails, an edit that either comes before the cancellation or is refused after it, one walk-in booking;
the audit trail and the outgoing mail saying exactly what the database holds. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Practitioner, Role, SessionStatus, TrainingSession
from training_app.services.common.calendar import london_today

from .server import all_at_once
from .test_simultaneous_booking_changes import _audit, _last_mail, _mail_after
from .test_simultaneous_decisions import _browsers, _post_form

TIMEOUT = 120


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _booked_session(code: str, people: int = 3) -> tuple[int, list[str]]:
    """A coming session with `people` booked and one waiting: its id and their emails."""
    course = make_course(code="PLAN", title="Planned course")
    session = make_session(course=course, code=code, days=(_weekday(30),), capacity=people)
    organisation = make_organisation(code="SCHOOL-E")
    emails = [f"booked{n}@school.example" for n in range(people + 1)]
    for n, email in enumerate(emails):
        person = make_practitioner(organisation=organisation, email=email)
        make_booking(session, person, *((BookingStatus.WAITLISTED, 1) if n == people else ()))
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    return session.id, emails


def test_ten_cancellations_of_one_session_at_once_cancel_it_once(app, app_ctx, shared_live_server):
    session_id, emails = _booked_session("PLAN-1")
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    page = "/sessions/PLAN-1/cancel"
    browsers = _browsers(server, "coordinator@council.example", 10, page)
    calls = [
        _post_form(b, server.url + page, {"csrf_token": t, "reason": f"Trainer ill ({n})"})
        for n, (b, t) in enumerate(browsers)
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 200: 9}, server.log()[-3000:]
    assert all("is cancelled, so it cannot be cancelled" in a.text for a in answers if a.status_code == 200)
    [winner] = [n for n, answer in enumerate(answers) if answer.status_code == 302]
    reason = f"Trainer ill ({winner})"
    db.session.expire_all()
    session = db.session.get(TrainingSession, session_id)
    assert (session.status, session.cancel_reason, session.sequence) == (SessionStatus.CANCELLED, reason, 1)
    statuses = db.session.scalars(sa.select(Booking.status).where(Booking.session_id == session_id)).all()
    assert statuses == [BookingStatus.CANCELLED] * 4
    assert _audit("session_cancelled") == [
        (
            "session_cancelled",
            session_id,
            {"status": "scheduled"},
            {"status": "cancelled", "reason": reason, "bookings_cancelled": 4},
        )
    ]
    sent = _mail_after(mail)  # one email to each person booked or waiting, once
    assert sorted(recipients for recipients, _ in sent) == sorted(emails)
    assert {subject for _, subject in sent} == {"Cancelled: Planned course (PLAN-1)"}
    assert "Traceback" not in server.log()


def _edit_form(session: TrainingSession, day: date, start: str, end: str) -> dict[str, object]:
    """The edit form as the page sends it, with the session's one day moved to `day`, `start` to `end`."""
    return {
        "course_id": str(session.course_id),
        "venue_id": "",
        "trainer_ids": [],
        "capacity": str(session.capacity),
        "host_authority_id": str(session.host_authority_id),
        "host_area_id": "",
        "booking_closes_days": "2",
        "notes": "",
        "days-0-date": [str(day.day), str(day.month), str(day.year)],
        "days-0-start": start,
        "days-0-end": end,
        "submit": "Save session",
    }


def test_ten_identical_edits_of_one_session_at_once_change_it_once(app, app_ctx, shared_live_server):
    session_id, emails = _booked_session("PLAN-3")
    session = db.session.get(TrainingSession, session_id)
    new_day = _weekday(44)
    edit = _edit_form(session, new_day, "10:00", "15:00")
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    page = "/sessions/PLAN-3/edit"
    browsers = _browsers(server, "coordinator@council.example", 10, page)

    answers = all_at_once([_post_form(b, server.url + page, edit | {"csrf_token": t}) for b, t in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 10}, server.log()[-3000:]
    db.session.expire_all()
    session = db.session.get(TrainingSession, session_id)
    assert (session.starts_on, session.sequence) == (new_day, 1)
    [(_, _, old, new)] = _audit("session_changed")  # the first saved the change; the others found nothing to change
    assert (old["days"], new["days"]) == ([f"{_weekday(30)} 09:30-16:00"], [f"{new_day} 10:00-15:00"])
    sent = _mail_after(mail)  # those with a place are told of the new day once
    assert sorted(recipients for recipients, _ in sent) == sorted(emails[:3])
    assert "Traceback" not in server.log()


def test_an_edit_and_a_cancellation_of_one_session_at_once(app, app_ctx, shared_live_server):
    session_id, emails = _booked_session("PLAN-2")
    session = db.session.get(TrainingSession, session_id)
    new_day = _weekday(44)
    edit = _edit_form(session, new_day, "10:00", "15:00")
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    edit_page, cancel_page = "/sessions/PLAN-2/edit", "/sessions/PLAN-2/cancel"
    editors = _browsers(server, "coordinator@council.example", 1, edit_page)
    cancellers = _browsers(server, "coordinator@council.example", 1, cancel_page)
    calls = [_post_form(b, server.url + edit_page, edit | {"csrf_token": t}) for b, t in editors]
    calls += [_post_form(b, server.url + cancel_page, {"csrf_token": t, "reason": "Room lost"}) for b, t in cancellers]

    edited, cancelled = all_at_once(calls, TIMEOUT)

    assert cancelled.status_code == 302, server.log()[-3000:]
    assert edited.status_code in (200, 302), server.log()[-3000:]
    done = [action for action, *_ in _audit("session_changed", "session_cancelled")]
    db.session.expire_all()
    session = db.session.get(TrainingSession, session_id)
    assert session.status == SessionStatus.CANCELLED
    sent = _mail_after(mail)
    cancellation = {"Cancelled: Planned course (PLAN-2)"}
    if edited.status_code == 302:  # the edit came first: the three booked were told of the new day, then all four
        assert done == ["session_changed", "session_cancelled"]
        assert (session.starts_on, session.sequence) == (new_day, 2)
        changed = [recipients for recipients, subject in sent if subject not in cancellation]
        assert sorted(changed) == sorted(emails[:3])
        assert len(sent) == 3 + 4
    else:  # the cancellation came first: the edit is refused and changes nothing
        assert "is cancelled, so it cannot change" in edited.text
        assert done == ["session_cancelled"]
        assert (session.starts_on, session.sequence) == (_weekday(30), 1)
        assert {subject for _, subject in sent} == cancellation and len(sent) == 4
    assert sorted(recipients for recipients, subject in sent if subject in cancellation) == sorted(emails)
    assert "Traceback" not in server.log()


def _walk_in_register() -> tuple[int, str]:
    """A session today, its register open, and a coordinator; the session's id and register page."""
    session = make_session(code="TODAY-1", days=(london_today(),), capacity=10)
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    return session.id, "/sessions/TODAY-1/register"


def test_ten_walk_ins_of_one_known_person_at_once_put_them_on_the_register_once(app, app_ctx, shared_live_server):
    session_id, page = _walk_in_register()
    person_id = make_practitioner(email="walker@school.example", first_name="Wal", last_name="Kin").id
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, "coordinator@council.example", 10, page)
    url = f"{server.url}{page}/walk-in"
    form = {"email": "walker@school.example", "add_walk_in": "Add walk-in"}

    answers = all_at_once([_post_form(b, url, form | {"csrf_token": t}) for b, t in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, server.log()[-3000:]
    assert all("Wal Kin is already on the register" in a.text for a in answers if a.status_code == 422)
    db.session.expire_all()
    bookings = db.session.execute(
        sa.select(Booking.id, Booking.practitioner_id, Booking.status, Booking.walk_in).where(
            Booking.session_id == session_id
        )
    ).all()
    assert [tuple(row)[1:] for row in bookings] == [(person_id, BookingStatus.BOOKED, True)]
    assert _audit("walk_in_added") == [
        ("walk_in_added", bookings[0].id, None, {"session": "TODAY-1", "practitioner": "walker@school.example"})
    ]
    assert "Traceback" not in server.log()


def test_ten_walk_ins_of_one_new_person_at_once_create_them_once(app, app_ctx, shared_live_server):
    session_id, page = _walk_in_register()
    make_organisation(code="SCHOOL-F")
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, "coordinator@council.example", 10, page)
    url = f"{server.url}{page}/walk-in"
    form = {
        "email": "new.walker@school.example",
        "first_name": "New",
        "last_name": "Walker",
        "organisation": "SCHOOL-F",
        "job_title": "",
        "add_walk_in": "Add walk-in",
    }

    answers = all_at_once([_post_form(b, url, form | {"csrf_token": t}) for b, t in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, server.log()[-3000:]
    refusals = ("New Walker is already on the register", "was added just now: add them again")
    assert all(any(r in a.text for r in refusals) for a in answers if a.status_code == 422)
    db.session.expire_all()
    [person_id] = db.session.scalars(sa.select(Practitioner.id)).all()
    bookings = db.session.execute(
        sa.select(Booking.practitioner_id, Booking.walk_in).where(Booking.session_id == session_id)
    ).all()
    assert [tuple(row) for row in bookings] == [(person_id, True)]
    assert [action for action, *_ in _audit("practitioner_created", "walk_in_added")] == [
        "practitioner_created",
        "walk_in_added",
    ]
    assert "Traceback" not in server.log()
