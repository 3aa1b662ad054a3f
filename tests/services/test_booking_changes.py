"""Transfers to another session of the course and named substitutes (issue 7), with the places they free."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from tests.outbox import emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Charge, Role
from training_app.services.booking.booking_changes import substitute_colleague, transfer_booking
from training_app.services.booking.booking_checks import BookingRefused, Refusal
from training_app.services.booking.bookings import cancel_booking
from training_app.services.common.calendar import london_today
from training_app.services.sessions.calendars import session_calendar

pytestmark = pytest.mark.usefixtures("app_ctx")


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def setting():
    course = make_course(code="CAF")
    school = make_organisation(code="SCH")
    full = make_session(course=course, code="CAF-A", capacity=1, days=(_weekday(14),))
    other = make_session(course=course, code="CAF-B", capacity=1, days=(_weekday(28),))
    mover = make_practitioner(organisation=school, first_name="Mo")
    waiting = make_practitioner(organisation=school, first_name="Wai")
    booking = make_booking(full, mover)
    make_booking(full, waiting, BookingStatus.WAITLISTED, position=1)
    db.session.commit()
    return {"course": course, "school": school, "full": full, "other": other, "booking": booking, "waiting": waiting}


def _rows(code):
    db.session.expire_all()
    query = sa.select(Booking.practitioner_id, Booking.status, Booking.waitlist_position).where(
        Booking.session.has(code=code)
    )
    return sorted((person, status.value, position) for person, status, position in db.session.execute(query))


def test_a_transfer_keeps_the_booking_takes_a_free_place_and_promotes_the_old_sessions_list(setting):
    coordinator = make_user(Role.COORDINATOR)
    booking_id = setting["booking"].id

    promoted = transfer_booking(setting["booking"], "CAF-B", coordinator)

    moved = db.session.get(Booking, booking_id)
    assert (moved.session.code, moved.status) == ("CAF-B", BookingStatus.BOOKED)
    assert promoted is not None and promoted.practitioner_id == setting["waiting"].id
    assert _rows("CAF-A") == [(setting["waiting"].id, "booked", None)]
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["booking_transferred", "booking_promoted"]


def test_a_transfer_onto_a_full_session_joins_the_end_of_its_list(setting):
    make_booking(setting["other"], make_practitioner())
    db.session.commit()

    transfer_booking(setting["booking"], "CAF-B", make_user(Role.COORDINATOR))

    assert sorted((s, p or 0) for _, s, p in _rows("CAF-B")) == [("booked", 0), ("waitlisted", 1)]


def test_a_transfer_to_another_course_or_the_same_session_is_refused_and_changes_nothing(setting):
    make_session(code="LP-1", days=(_weekday(21),))
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR)
    before = _rows("CAF-A")

    for code, message in (
        ("LP-1", "is not of course CAF"),
        ("CAF-A", "already on session CAF-A"),
        ("NOPE", "no session"),
    ):
        with pytest.raises(BookingRefused, match=message):
            transfer_booking(setting["booking"], code, coordinator)

    assert _rows("CAF-A") == before


def test_a_substitute_takes_the_same_place_without_charge_even_after_booking_closed(setting):
    session = setting["full"]
    session.booking_closes_days = 30  # closed weeks ago
    colleague = make_practitioner(organisation=setting["school"], first_name="Sub")
    booker = make_user(Role.BOOKER, organisation=setting["school"])
    db.session.commit()

    replacement = substitute_colleague(setting["booking"], colleague, booker)

    original = db.session.get(Booking, setting["booking"].id)
    assert (original.status, original.substitute_id) == (BookingStatus.CANCELLED, colleague.id)
    assert (replacement.practitioner_id, replacement.status) == (colleague.id, BookingStatus.BOOKED)
    assert _rows("CAF-A") == sorted(
        [(setting["booking"].practitioner_id, "cancelled", None), (colleague.id, "booked", None),
         (setting["waiting"].id, "waitlisted", 1)]
    )  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Charge)) == 0


def test_a_substitute_from_another_organisation_is_refused(setting):
    outsider = make_practitioner(organisation=make_organisation(code="ELSE"))
    db.session.commit()

    with pytest.raises(BookingRefused, match="same organisation"):
        substitute_colleague(setting["booking"], outsider, make_user(Role.COORDINATOR))
    with pytest.raises(BookingRefused, match="not one of your organisation's staff"):
        substitute_colleague(setting["booking"], outsider, make_user(Role.BOOKER, organisation=setting["school"]))


def _calendar_of(message) -> icalendar.Calendar:
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def test_a_transfer_takes_the_old_session_out_of_the_calendar_before_inviting_to_the_new(app, setting):
    booked_there = make_booking(setting["other"], make_practitioner(organisation=setting["school"]))
    db.session.commit()
    old_uids = {
        str(event["UID"]) for event in icalendar.Calendar.from_ical(session_calendar(setting["full"])).walk("VEVENT")
    }
    mover = setting["booking"].practitioner.email
    booked_there.status = BookingStatus.CANCELLED  # a free place on CAF-B
    db.session.commit()

    transfer_booking(setting["booking"], "CAF-B", make_user(Role.COORDINATOR))

    moved, invited = emails_to(app, mover)
    assert moved["Subject"].startswith("Moved:") and "CAF-A to CAF-B" in moved["Subject"]
    cancel, request = _calendar_of(moved), _calendar_of(invited)
    assert str(cancel["METHOD"]) == "CANCEL" and str(request["METHOD"]) == "REQUEST"
    assert {str(event["UID"]) for event in cancel.walk("VEVENT")} == old_uids
    assert all(str(event["STATUS"]) == "CANCELLED" for event in cancel.walk("VEVENT"))
    assert all(int(event["SEQUENCE"]) >= 1 for event in cancel.walk("VEVENT"))
    assert not old_uids & {str(event["UID"]) for event in request.walk("VEVENT")}


def test_moving_off_a_waiting_list_sends_no_cancel(app, setting):
    waiting = db.session.scalar(sa.select(Booking).where(Booking.practitioner_id == setting["waiting"].id))
    make_booking(setting["other"], make_practitioner(organisation=setting["school"]))
    db.session.commit()

    transfer_booking(waiting, "CAF-B", make_user(Role.COORDINATOR))

    [message] = emails_to(app, setting["waiting"].email)
    assert not message["Subject"].startswith("Moved:")


def test_a_transfer_from_a_page_showing_the_booking_where_it_was_is_refused(setting):
    make_session(course=setting["course"], code="CAF-C", capacity=5, days=(_weekday(35),))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    transfer_booking(setting["booking"], "CAF-B", coordinator, seen_on="CAF-A")

    with pytest.raises(BookingRefused, match="has just moved to session CAF-B") as refused:
        transfer_booking(setting["booking"], "CAF-C", coordinator, seen_on="CAF-A")  # a second page, opened before

    assert refused.value.kind == Refusal.CONFLICT
    assert [status for _, status, _ in _rows("CAF-B")] == ["booked"] and _rows("CAF-C") == []
    transfer_booking(setting["booking"], "CAF-C", coordinator, seen_on="CAF-B")  # from where it is now, it moves
    assert [status for _, status, _ in _rows("CAF-C")] == ["booked"]


def test_a_change_to_a_booking_moved_since_it_was_loaded_is_refused_under_the_lock(setting):
    make_session(course=setting["course"], code="CAF-C", capacity=5, days=(_weekday(35),))
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    booking, old_session_id = setting["booking"], setting["full"].id
    transfer_booking(booking, "CAF-B", coordinator)
    changes = (
        lambda: cancel_booking(booking, coordinator, "Ill"),
        lambda: substitute_colleague(booking, make_practitioner(organisation=setting["school"]), coordinator),
        lambda: transfer_booking(booking, "CAF-C", coordinator),
    )

    for change in changes:
        # as a request that loaded it a moment before the transfer committed sees it (PostgreSQL: the lock waited)
        set_committed_value(db.session.get(Booking, booking.id), "session_id", old_session_id)
        with pytest.raises(BookingRefused, match="has just moved to session CAF-B"):
            change()

    assert [status for _, status, _ in _rows("CAF-B")] == ["booked"]
    assert [status for _, status, _ in _rows("CAF-A")] == ["booked"]  # the one waiting took the freed place, once
