"""A register saved from six pages, or by six API calls, at the same moment on a 4-worker server (SPEC 3.5): each
save applies in full, one after the other, so the register ends as one of them left it; every booking's status is
what its marks say, training records and certificates exist exactly for completed bookings and no-show charges
exactly for no-shows, and the audit trail's old values are the values the save before wrote. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_booking, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    AuditEvent,
    Booking,
    BookingStatus,
    Certificate,
    Charge,
    ChargeReason,
    MarkStatus,
    Role,
    TrainingRecord,
)
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.attendance.records import status_from_marks
from training_app.services.attendance.registers import Entry, mark_register

from .server import LiveServer, all_at_once, form_token, signed_in

TIMEOUT = 120
SAVES = 6
PEOPLE = 4
DAYS = (date(2025, 3, 3), date(2025, 3, 4))
# What a save asks for one person: (status, time) on each day. Saves and people take them in turn, so the saves
# disagree with each other and each one moves some people into or out of completion and no-show.
PATTERNS = (
    (("attended", ""), ("absent", "")),
    (("attended", ""), ("partial", "10:30")),
    (("attended", ""), ("attended", "")),
    (("absent", ""), ("attended", "")),
)
Marks = dict[tuple[int, int], tuple[str, str]]


def _completed_register() -> tuple[str, list[Booking]]:
    """A two-day session four people completed (marked through the service, so the audit trail starts there)."""
    session = make_session(code="REG-RACE", days=DAYS)
    bookings = [make_booking(session, make_practitioner(email=f"person{n}@school.example")) for n in range(PEOPLE)]
    coordinator = make_user(Role.COORDINATOR, email="first@council.example")
    entries = [Entry(f"person{n}@school.example", day.isoformat(), "attended") for n in range(PEOPLE) for day in DAYS]
    mark_register(session, entries, coordinator)
    return session.code, bookings


def _save(browser: requests.Session, url: str, form: dict[str, str]):
    def call() -> requests.Response:
        return browser.post(url, data=form, allow_redirects=False, timeout=TIMEOUT)

    return call


def _forms(server: LiveServer, url: str, booking_ids: list[int], day_ids: list[int]) -> tuple[list, list[Marks]]:
    """Six coordinators with the register open (showing everyone attended), each with the save they will send."""
    calls, wanted = [], []
    for save in range(SAVES):
        browser = signed_in(server, "coordinator@council.example", PASSWORD)
        form = {"csrf_token": form_token(browser, url)}
        marks: Marks = {}
        for n, booking_id in enumerate(booking_ids):
            for day_id, (status, time) in zip(day_ids, PATTERNS[(save + n) % len(PATTERNS)], strict=True):
                key = f"{booking_id}-{day_id}"
                form |= {f"mark-{key}": status, f"shown-{key}": "attended", f"time-{key}": time, f"notes-{key}": ""}
                marks[(booking_id, day_id)] = (status, time)
        calls.append(_save(browser, url, form))
        wanted.append(marks)
    return calls, wanted


def test_six_simultaneous_saves_of_one_register_apply_one_after_the_other(app, app_ctx, shared_live_server):
    code, bookings = _completed_register()
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    booking_ids, day_ids = [booking.id for booking in bookings], [day.id for day in bookings[0].session.days]
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    url = f"{shared_live_server.url}/sessions/{code}/register"
    calls, wanted = _forms(shared_live_server, url, booking_ids, day_ids)

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: SAVES}, shared_live_server.log()[-3000:]
    _assert_one_save_applied_after_another(wanted, booking_ids, day_ids)
    assert "Traceback" not in shared_live_server.log()


def _put(server: LiveServer, token: str, code: str, entries: list[dict[str, str]]):
    def call() -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{server.url}/api/v1/sessions/{code}/register"
        return requests.put(url, json={"entries": entries}, headers=headers, timeout=TIMEOUT)

    return call


def test_six_simultaneous_api_saves_of_one_register_apply_one_after_the_other(app, app_ctx, shared_live_server):
    code, bookings = _completed_register()
    tokens = [issue_api_token(make_user(Role.COORDINATOR)) for _ in range(SAVES)]
    booking_ids, day_ids = [booking.id for booking in bookings], [day.id for day in bookings[0].session.days]
    db.session.commit()
    calls, wanted = [], []
    for save, token in enumerate(tokens):
        entries, marks = [], {}
        for n, booking_id in enumerate(booking_ids):
            for day, day_id, (status, time) in zip(DAYS, day_ids, PATTERNS[(save + n) % len(PATTERNS)], strict=True):
                person = f"person{n}@school.example"
                entries.append({"practitioner": person, "day": day.isoformat(), "status": status, "time": time})
                marks[(booking_id, day_id)] = (status, time)
        calls.append(_put(shared_live_server, token, code, entries))
        wanted.append(marks)

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {200: SAVES}, shared_live_server.log()[-3000:]
    _assert_one_save_applied_after_another(wanted, booking_ids, day_ids)
    assert "Traceback" not in shared_live_server.log()


def _assert_one_save_applied_after_another(wanted: list[Marks], booking_ids: list[int], day_ids: list[int]) -> None:
    """The register is one save's whole, every booking's status what its marks say, records, certificates and
    no-show charges exactly where they belong, and the audit trail chaining from save to save."""
    db.session.expire_all()
    marks = _marks()
    assert marks in wanted  # the last save to run, in full: none half-applied over another
    statuses = _statuses()
    for booking_id in booking_ids:
        by_day = {day_id: MarkStatus(marks[(booking_id, day_id)][0]) for day_id in day_ids}
        assert statuses[booking_id] == status_from_marks(day_ids, by_day)
    completed = {booking_id for booking_id, status in statuses.items() if status == BookingStatus.ATTENDED}
    no_shows = {booking_id for booking_id, status in statuses.items() if status == BookingStatus.NO_SHOW}
    assert _booking_ids(sa.select(TrainingRecord.booking_id).where(TrainingRecord.booking_id.is_not(None))) == completed
    live_certificates = (
        sa.select(TrainingRecord.booking_id)
        .join(Certificate, Certificate.training_record_id == TrainingRecord.id)
        .where(Certificate.revoked_at.is_(None))
    )
    assert _booking_ids(live_certificates) == completed
    assert _booking_ids(sa.select(Charge.booking_id).where(Charge.reason == ChargeReason.NO_SHOW)) == no_shows
    _assert_audit_chains(marks, statuses)


def _marks() -> Marks:
    rows = db.session.execute(
        sa.select(
            AttendanceMark.booking_id, AttendanceMark.session_day_id, AttendanceMark.status, AttendanceMark.noted_time
        )
    )
    return {(b, d): (status.value, time.strftime("%H:%M") if time else "") for b, d, status, time in rows}


def _statuses() -> dict[int, BookingStatus]:
    return dict(db.session.execute(sa.select(Booking.id, Booking.status)).all())


def _booking_ids(query) -> set[int]:
    return set(db.session.scalars(query))


def _assert_audit_chains(marks: Marks, statuses: dict[int, BookingStatus]) -> None:
    """Each mark's and each booking's audit events, in order: every old value is the new value before it, and the
    last new value is what the database holds."""
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.old_value, AuditEvent.new_value)
        .where(AuditEvent.action.in_(("attendance_marked", "booking_status_from_register")))
        .order_by(AuditEvent.id)
    ).all()
    held = db.session.execute(sa.select(AttendanceMark.id, AttendanceMark.booking_id, AttendanceMark.session_day_id))
    where = {mark_id: (booking_id, day_id) for mark_id, booking_id, day_id in held}
    last: dict[tuple[str, int], object] = {}
    for action, entity_id, old, new in events:
        if action == "attendance_marked":
            value = (new["status"], new["time"] or "")
            previous = None if old is None else (old["status"], old["time"] or "")
        else:
            value, previous = new["status"], old["status"]
        assert previous == last.get((action, entity_id), None if action == "attendance_marked" else "booked")
        last[(action, entity_id)] = value
    for mark_id, key in where.items():
        assert last[("attendance_marked", mark_id)] == marks[key]
    for booking_id, status in statuses.items():
        assert last.get(("booking_status_from_register", booking_id), "booked") == status.value
