"""Changes to one booking arriving at the same moment on a 4-worker server (issue 24): a charge's substitute named
ten times, a booking transferred ten times to two sessions, given to ten substitutes, moved in its waiting list ten
times, moved and cancelled, transferred and cancelled. Each ends as one of them taken at a time would leave it: one
winner where they conflict, the audit trail and the outgoing mail saying exactly what the database holds. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Charge,
    ChargeReason,
    OutgoingMail,
    Role,
    TrainingSession,
)
from training_app.services.common.calendar import london_today

from .server import all_at_once
from .test_simultaneous_decisions import _browsers, _post_form

TIMEOUT = 120


def _coming_day(days_ahead: int = 28) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _audit(*actions: str) -> list[tuple[str, int | None, object, object]]:
    """The audit entries of these actions in order: (action, record id, old value, new value)."""
    query = sa.select(AuditEvent.action, AuditEvent.entity_id, AuditEvent.old_value, AuditEvent.new_value)
    return [
        tuple(row) for row in db.session.execute(query.where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id))
    ]


def _mail_after(mail_id: int) -> list[tuple[str, str]]:
    """The emails written after `mail_id`: (recipients, subject), in order."""
    query = sa.select(OutgoingMail.recipients, OutgoingMail.subject).where(OutgoingMail.id > mail_id)
    return [tuple(row) for row in db.session.execute(query.order_by(OutgoingMail.id))]


def _last_mail() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutgoingMail.id), 0)))


def _statuses(session_id: int) -> dict[int, tuple[BookingStatus, int | None]]:
    query = sa.select(Booking.practitioner_id, Booking.status, Booking.waitlist_position)
    return {
        person: (status, position)
        for person, status, position in db.session.execute(query.where(Booking.session_id == session_id))
    }


def _booked(session_id: int) -> int:
    query = sa.select(sa.func.count()).where(Booking.session_id == session_id, Booking.status == BookingStatus.BOOKED)
    return db.session.scalar(query)


def _positions(session_id: int) -> list[int]:
    query = sa.select(Booking.waitlist_position).where(
        Booking.session_id == session_id, Booking.status == BookingStatus.WAITLISTED
    )
    return sorted(db.session.scalars(query))


def test_ten_bookers_naming_a_substitute_for_one_charge_at_once_waive_it_once(app, app_ctx, shared_live_server):
    organisation = make_organisation(code="SCHOOL-A")
    session = make_session(code="PAST-1", days=(date(2025, 3, 3),))
    person = make_practitioner(organisation=organisation, first_name="Nia", last_name="Absent")
    colleague = make_practitioner(organisation=organisation, first_name="Ola", last_name="Instead")
    make_booking(session, colleague, BookingStatus.ATTENDED)
    booking = make_booking(session, person, BookingStatus.NO_SHOW)
    charge = Charge(
        booking_id=booking.id, organisation_id=organisation.id, reason=ChargeReason.NO_SHOW, amount_pence=9000
    )
    db.session.add(charge)
    make_user(Role.BOOKER, email="booker@school.example", organisation=organisation)
    db.session.flush()
    charge_id, booking_id, colleague_id = charge.id, booking.id, colleague.id
    mail = _last_mail()
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    page = f"/bookings/charges/{charge_id}/substitute"
    browsers = _browsers(shared_live_server, "booker@school.example", 10, page)
    form = {"colleague": str(colleague_id)}
    calls = [_post_form(b, shared_live_server.url + page, form | {"csrf_token": t}) for b, t in browsers]

    answers = all_at_once(calls, TIMEOUT)

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {302: 1, 422: 9}, shared_live_server.log()[-3000:]
    assert all("Was already waived: A colleague attended" in a.text for a in answers if a.status_code == 422)
    db.session.expire_all()
    reason = "A colleague attended in their place: Ola Instead"
    assert db.session.get(Charge, charge_id).waived_reason == reason
    assert db.session.get(Booking, booking_id).substitute_id == colleague_id
    assert _audit("charge_waived") == [
        ("charge_waived", charge_id, {"waived": False}, {"waived": True, "reason": reason})
    ]
    assert _mail_after(mail) == []  # a waiver is not emailed
    assert "Traceback" not in shared_live_server.log()


def _transfer_setting() -> dict[str, int]:
    """A full session of one place (Ann booked, Ben waiting) and two sessions of its course with room."""
    course = make_course(code="MOVE", title="Moving course")
    first, second, third = _coming_day(28), _coming_day(35), _coming_day(42)
    old = make_session(course=course, code="MOVE-1", days=(first,), capacity=1)
    organisation = make_organisation(code="SCHOOL-B")
    ann = make_practitioner(organisation=organisation, email="ann@school.example", first_name="Ann")
    ben = make_practitioner(organisation=organisation, email="ben@school.example", first_name="Ben")
    booking = make_booking(old, ann)
    make_booking(old, ben, BookingStatus.WAITLISTED, position=1)
    ids = {
        "booking": booking.id,
        "old": old.id,
        "two": make_session(course=course, code="MOVE-2", days=(second,), capacity=5).id,
        "three": make_session(course=course, code="MOVE-3", days=(third,), capacity=5).id,
        "ann": ann.id,
        "ben": ben.id,
    }
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    return ids


def test_ten_transfers_of_one_booking_at_once_move_it_once(app, app_ctx, shared_live_server):
    ids = _transfer_setting()
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    page = f"/bookings/{ids['booking']}/transfer"
    browsers = _browsers(server, "coordinator@council.example", 10, page)
    targets = ["MOVE-2", "MOVE-3"] * 5
    calls = [
        _post_form(b, server.url + page, {"csrf_token": t, "session": code, "seen_on": "MOVE-1"})
        for (b, t), code in zip(browsers, targets, strict=True)
    ]

    answers = all_at_once(calls, TIMEOUT)

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {302: 1, 422: 9}, server.log()[-3000:]
    [winner] = [code for code, answer in zip(targets, answers, strict=True) if answer.status_code == 302]
    db.session.expire_all()
    booking = db.session.get(Booking, ids["booking"])
    target = db.session.scalar(sa.select(TrainingSession).where(TrainingSession.code == winner))
    assert (booking.session_id, booking.status) == (target.id, BookingStatus.BOOKED)
    other = ids["three"] if target.id == ids["two"] else ids["two"]
    assert _statuses(other) == {}
    assert _statuses(ids["old"]) == {ids["ben"]: (BookingStatus.BOOKED, None)}  # Ben has the freed place, once
    assert _audit("booking_transferred", "booking_promoted") == [
        (
            "booking_transferred",
            ids["booking"],
            {"session_id": ids["old"], "status": "booked", "position": None},
            {"session_id": target.id, "status": "booked", "position": None},
        ),
        (
            "booking_promoted",
            db.session.scalar(sa.select(Booking.id).where(Booking.practitioner_id == ids["ben"])),
            {"session_id": ids["old"], "status": "waitlisted", "position": 1},
            {"session_id": ids["old"], "status": "booked", "position": None},
        ),
    ]
    assert [subject for _, subject in _mail_after(mail)] == [
        f"Moved: Moving course (MOVE-1 to {winner})",  # the old session's CANCEL first
        f"Booked: Moving course ({winner})",
        "A place for you: Moving course (MOVE-1)",
    ]
    assert "Traceback" not in server.log()


def test_a_transfer_and_a_cancellation_of_one_booking_at_once_leave_the_places_right(app, app_ctx, shared_live_server):
    ids = _transfer_setting()
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    transfer_page, cancel_page = f"/bookings/{ids['booking']}/transfer", f"/bookings/{ids['booking']}/cancel"
    transfers = _browsers(server, "coordinator@council.example", 3, transfer_page)
    cancels = _browsers(server, "coordinator@council.example", 3, cancel_page)
    form = {"session": "MOVE-2", "seen_on": "MOVE-1"}
    calls = [_post_form(b, server.url + transfer_page, form | {"csrf_token": t}) for b, t in transfers]
    calls += [_post_form(b, server.url + cancel_page, {"csrf_token": t, "reason": "Ill"}) for b, t in cancels]

    answers = all_at_once(calls, TIMEOUT)

    assert all(answer.status_code in (302, 422) for answer in answers), server.log()[-3000:]
    db.session.expire_all()
    booking = db.session.get(Booking, ids["booking"])
    assert booking.status == BookingStatus.CANCELLED or booking.session_id == ids["two"]
    done = [action for action, *_ in _audit("booking_transferred", "booking_cancelled")]
    assert done in (["booking_cancelled"], ["booking_transferred"], ["booking_transferred", "booking_cancelled"])
    # Ann's place on MOVE-1 went to Ben once, whichever came first; MOVE-1 never holds more than its one place
    assert _statuses(ids["old"])[ids["ben"]] == (BookingStatus.BOOKED, None)
    assert _booked(ids["old"]) == 1
    assert _booked(ids["two"]) == (1 if done == ["booking_transferred"] else 0)
    assert [action for action, *_ in _audit("booking_promoted")] == ["booking_promoted"]
    subjects = [subject for _, subject in _mail_after(mail)]
    expected = {
        ("booking_cancelled",): ["Cancelled: Moving course (MOVE-1)", "A place for you: Moving course (MOVE-1)"],
        ("booking_transferred",): [
            "Moved: Moving course (MOVE-1 to MOVE-2)",
            "Booked: Moving course (MOVE-2)",
            "A place for you: Moving course (MOVE-1)",
        ],
        ("booking_transferred", "booking_cancelled"): [
            "Moved: Moving course (MOVE-1 to MOVE-2)",
            "Booked: Moving course (MOVE-2)",
            "A place for you: Moving course (MOVE-1)",
            "Cancelled: Moving course (MOVE-2)",
        ],
    }
    assert subjects == expected[tuple(done)]
    assert "Traceback" not in server.log()


def test_ten_substitutes_for_one_booking_at_once_take_the_place_once(app, app_ctx, shared_live_server):
    course = make_course(code="SUB", title="Substituted course")
    session = make_session(course=course, code="SUB-1", days=(_coming_day(),), capacity=1)
    organisation = make_organisation(code="SCHOOL-C")
    person = make_practitioner(organisation=organisation, first_name="Cat", last_name="Leaving")
    colleagues = [
        make_practitioner(organisation=organisation, first_name="Col", last_name=f"League{n}") for n in range(10)
    ]
    booking_id, session_id = make_booking(session, person).id, session.id
    colleague_ids = [colleague.id for colleague in colleagues]
    make_user(Role.BOOKER, email="booker@school.example", organisation=organisation)
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    page = f"/bookings/{booking_id}/substitute"
    browsers = _browsers(server, "booker@school.example", 10, page)
    calls = [
        _post_form(b, server.url + page, {"csrf_token": t, "colleague": str(colleague_id)})
        for (b, t), colleague_id in zip(browsers, colleague_ids, strict=True)
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, server.log()[-3000:]
    assert all("only a booked place can go to a substitute" in a.text for a in answers if a.status_code == 422)
    [winner] = [cid for cid, answer in zip(colleague_ids, answers, strict=True) if answer.status_code == 302]
    db.session.expire_all()
    booking = db.session.get(Booking, booking_id)
    assert (booking.status, booking.substitute_id) == (BookingStatus.CANCELLED, winner)
    assert _statuses(session_id) == {person.id: (BookingStatus.CANCELLED, None), winner: (BookingStatus.BOOKED, None)}
    replacement = db.session.scalar(sa.select(Booking.id).where(Booking.practitioner_id == winner))
    assert _audit("booking_substituted", "booking_made") == [
        ("booking_substituted", booking_id, {"status": "booked"}, {"status": "cancelled", "substitute": winner}),
        ("booking_made", replacement, None, {"session_id": session_id, "status": "booked", "position": None}),
    ]
    assert [subject for _, subject in _mail_after(mail)] == [
        "Cancelled: Substituted course (SUB-1)",
        "Booked: Substituted course (SUB-1)",
    ]
    assert "Traceback" not in server.log()


def _waiting_list(people: int = 5) -> tuple[int, list[int], list[int]]:
    """A full session of one place with `people` waiting, numbers 1 to `people`: its id, their bookings, them."""
    session = make_session(code="WAIT-1", days=(_coming_day(),), capacity=1)
    organisation = make_organisation(code="SCHOOL-D")
    make_booking(session, make_practitioner(organisation=organisation))
    waiting = [make_practitioner(organisation=organisation, email=f"waiter{n}@school.example") for n in range(people)]
    bookings = [make_booking(session, p, BookingStatus.WAITLISTED, position=n + 1) for n, p in enumerate(waiting)]
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    return session.id, [booking.id for booking in bookings], [person.id for person in waiting]


def test_ten_moves_of_one_place_in_a_waiting_list_at_once_apply_one_after_the_other(app, app_ctx, shared_live_server):
    session_id, bookings, _ = _waiting_list()
    last = bookings[-1]
    db.session.commit()
    server = shared_live_server
    page = f"/bookings/{last}/move"
    browsers = _browsers(server, "coordinator@council.example", 10, page)
    wanted = [1, 2, 3, 4, 1, 2, 3, 4, 1, 1]
    calls = [
        _post_form(b, server.url + page, {"csrf_token": t, "position": str(position), "reason": f"Need {n}"})
        for n, ((b, t), position) in enumerate(zip(browsers, wanted, strict=True))
    ]

    answers = all_at_once(calls, TIMEOUT)

    assert set(Counter(answer.status_code for answer in answers)) <= {302, 422}, server.log()[-3000:]
    refused = [a for a in answers if a.status_code == 422]
    assert all("is already number" in answer.text for answer in refused)  # a move to where they are changes nothing
    moves = _audit("waitlist_moved")
    assert len(moves) == len(answers) - len(refused) >= 1
    held = 5
    for _, booking_id, old, new in moves:  # each move starts where the one before left them, and moves them
        assert booking_id == last and old == {"position": held} and new["position"] != held
        held = new["position"]
    db.session.expire_all()
    assert db.session.get(Booking, last).waitlist_position == held
    assert _positions(session_id) == [1, 2, 3, 4, 5]
    assert "Traceback" not in server.log()


def test_a_move_and_a_cancellation_of_one_place_in_a_waiting_list_at_once(app, app_ctx, shared_live_server):
    session_id, bookings, people = _waiting_list()
    last = bookings[-1]
    mail = _last_mail()
    db.session.commit()
    server = shared_live_server
    move_page, cancel_page = f"/bookings/{last}/move", f"/bookings/{last}/cancel"
    movers = _browsers(server, "coordinator@council.example", 3, move_page)
    cancellers = _browsers(server, "coordinator@council.example", 3, cancel_page)
    calls = [
        _post_form(b, server.url + move_page, {"csrf_token": t, "position": "1", "reason": "Urgent"}) for b, t in movers
    ]
    calls += [_post_form(b, server.url + cancel_page, {"csrf_token": t, "reason": "Not needed"}) for b, t in cancellers]

    answers = all_at_once(calls, TIMEOUT)

    # a move sent once the cancellation is in finds nobody to move (404), or is refused under the lock (422)
    assert all(answer.status_code in (302, 404, 422) for answer in answers), server.log()[-3000:]
    db.session.expire_all()
    assert db.session.get(Booking, last).status == BookingStatus.CANCELLED
    done = [action for action, *_ in _audit("waitlist_moved", "booking_cancelled")]
    assert done in (["booking_cancelled"], ["waitlist_moved", "booking_cancelled"])  # one cancellation, last
    cancelled = _audit("booking_cancelled")[0]
    moved = done[0] == "waitlist_moved"
    assert cancelled[2] == {"session_id": session_id, "status": "waitlisted", "position": 1 if moved else 5}
    assert _positions(session_id) == [1, 2, 3, 4]
    statuses = _statuses(session_id)
    assert [statuses[person][1] for person in people[:4]] == [1, 2, 3, 4]  # in their order, the gap closed
    assert [subject for _, subject in _mail_after(mail)] == ["Cancelled: " + _title(session_id)]
    assert "Traceback" not in server.log()


def _title(session_id: int) -> str:
    session = db.session.get(TrainingSession, session_id)
    return f"{session.course.title} ({session.code})"
