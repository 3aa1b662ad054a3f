"""Leavers and returners (SPEC 3.1, issue 22): leaving cancels coming bookings free and passes the places on, switches
the account off and keeps records; leavers cannot be booked and get no reminders; a leaver may come back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_record, make_session, make_user
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import AuditEvent, Booking, BookingStatus, Charge, Role, User, utcnow
from training_app.services.attendance.certificates import training_records_of
from training_app.services.booking.booking_checks import BookingRefused
from training_app.services.booking.bookings import book_place
from training_app.services.booking.group_booking import preview_group_booking
from training_app.services.common.calendar import london_today
from training_app.services.reminders.reminders import due_reminders
from training_app.services.workforce.leavers import (
    LeavingRefused,
    change_dates,
    mark_left,
    mark_returned,
)

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture(autouse=True)
def _own_outbox(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def school():
    """Pat, at a school with a booker, booked tomorrow-ish (inside the late window) on a full session with Sam
    waiting, and on a session in two months; Pat has an account and a completed course."""
    course = make_course(code="CAF", validity_months=36)
    other = make_course(code="LP")
    pat = make_practitioner(email="pat@school.example", first_name="Pat", last_name="Lee", started_on=date(2020, 1, 6))
    organisation = pat.organisation
    sam = make_practitioner(organisation=organisation, email="sam@school.example", first_name="Sam", last_name="Ray")
    booker = make_user(Role.BOOKER, email="booker@school.example", organisation=organisation)
    account = make_user(Role.PRACTITIONER, email="pat@school.example", practitioner=pat)
    soon = make_session(course=course, code="CAF-SOON", capacity=1, days=(_weekday(1),))
    later = make_session(course=other, code="LP-LATER", capacity=5, days=(_weekday(60),))
    make_booking(soon, pat)
    make_booking(soon, sam, BookingStatus.WAITLISTED, position=1)
    make_booking(later, pat)
    make_record(pat, course, date(2024, 1, 10))
    db.session.commit()
    return {"pat": pat, "sam": sam, "booker": booker, "account": account, "soon": soon, "later": later}


def _statuses(person) -> dict[str, BookingStatus]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(Booking).where(Booking.practitioner_id == person.id)).scalars()
    return {booking.session.code: booking.status for booking in rows}


def test_leaving_cancels_coming_bookings_free_passes_the_place_on_and_switches_the_account_off(app, school):
    today = london_today()
    done = mark_left(school["pat"], today, school["booker"])

    assert _statuses(school["pat"]) == {"CAF-SOON": BookingStatus.CANCELLED, "LP-LATER": BookingStatus.CANCELLED}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Charge)) == 0  # inside the late window: no charge
    assert _statuses(school["sam"]) == {"CAF-SOON": BookingStatus.BOOKED}  # Sam takes Pat's place
    assert [c.promoted.practitioner.email for c in done.cancellations if c.promoted] == ["sam@school.example"]
    account = db.session.get(User, school["account"].id)
    assert account is not None and account.active is False
    assert db.session.get(type(school["pat"]), school["pat"].id).left_on == today
    event = db.session.execute(sa.select(AuditEvent).filter_by(action="practitioner_left")).scalar_one()
    assert event.old_value == {"started_on": "2020-01-06", "left_on": None}
    assert event.new_value["left_on"] == today.isoformat() and event.new_value["bookings_cancelled"] == 2
    assert event.new_value["account_switched_off"] is True
    # The emails a cancellation sends: to Pat (copying the booker) for each booking, and to Sam for the place.
    assert len(emails_to(app, "pat@school.example")) == 2
    assert any("CAF-SOON" in body_of(message) for message in emails_to(app, "sam@school.example"))


def test_leaving_later_keeps_the_bookings_that_end_before_the_day_they_leave(school):
    mark_left(school["pat"], _weekday(30), school["booker"])

    assert _statuses(school["pat"]) == {"CAF-SOON": BookingStatus.BOOKED, "LP-LATER": BookingStatus.CANCELLED}


def test_a_leaver_keeps_their_training_records(school):
    mark_left(school["pat"], london_today(), school["booker"])

    assert [row.course_code for row in training_records_of(school["pat"])] == ["CAF"]


def test_a_leaver_cannot_be_booked_on_a_page_or_in_a_group(school):
    mark_left(school["pat"], london_today() - timedelta(days=3), school["booker"])
    session = make_session(course=make_course(code="IS"), code="IS-1", days=(_weekday(20),))
    db.session.commit()
    left = f"{london_today() - timedelta(days=3):%-d %B %Y}"

    with pytest.raises(BookingRefused) as refused:
        book_place(session, school["pat"], school["booker"])
    assert refused.value.message == f"left on {left} and cannot be booked"
    [outcome] = preview_group_booking(session, [school["pat"]], school["booker"])
    assert outcome.reason == f"Pat Lee left on {left} and cannot be booked"
    assert "IS-1" not in _statuses(school["pat"])


def test_someone_leaving_before_a_session_ends_cannot_be_booked_on_it_but_can_before(school):
    db.session.get(type(school["pat"]), school["pat"].id).left_on = _weekday(30)
    course = make_course(code="IS")
    before = make_session(course=course, code="IS-1", days=(_weekday(10),))
    after = make_session(course=make_course(code="MB"), code="MB-1", days=(_weekday(40),))
    db.session.commit()

    book_place(before, school["pat"], school["booker"])
    with pytest.raises(BookingRefused, match=f"leaves on {_weekday(30):%-d %B %Y} and cannot be booked"):
        book_place(after, school["pat"], school["booker"])


def test_leavers_get_no_refresher_nor_session_reminders(school):
    pat = school["pat"]
    day = school["soon"].starts_on - timedelta(days=1)  # the session reminder's day (3 days before, booked earlier)
    make_record(pat, make_course(code="REF", validity_months=36), date(2020, 1, 1), expires_on=day)
    for booking in db.session.scalars(sa.select(Booking)):
        booking.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    before = {(r.kind, r.email) for r in due_reminders(day)}
    assert ("refresher", "pat@school.example") in before and ("session", "pat@school.example") in before

    db.session.get(type(pat), pat.id).left_on = day
    db.session.commit()

    assert "pat@school.example" not in {r.email for r in due_reminders(day)}
    assert ("session", "sam@school.example") not in before  # Sam is waiting: no place, no session reminder


def test_a_leaver_comes_back_on_a_new_start_date(school):
    left = london_today() - timedelta(days=100)
    mark_left(school["pat"], left, school["booker"])

    with pytest.raises(LeavingRefused, match="on or after the day they left"):
        mark_returned(school["pat"], left - timedelta(days=1), school["booker"])
    back = mark_returned(school["pat"], london_today(), school["booker"])

    assert (back.practitioner.started_on, back.practitioner.left_on) == (london_today(), None)
    event = db.session.execute(sa.select(AuditEvent).filter_by(action="practitioner_returned")).scalar_one()
    assert event.old_value == {"started_on": "2020-01-06", "left_on": left.isoformat()}
    session = make_session(course=make_course(code="IS"), code="IS-1", days=(_weekday(20),))
    db.session.commit()
    assert book_place(session, school["pat"], school["booker"]).status == BookingStatus.BOOKED
    assert db.session.get(User, school["account"].id).active is False  # an administrator switches it back on


def test_nobody_leaves_before_they_start_nor_twice_nor_from_another_organisation(school):
    with pytest.raises(LeavingRefused, match="on or after the day they started, 6 January 2020"):
        mark_left(school["pat"], date(2019, 12, 31), school["booker"])
    with pytest.raises(LeavingRefused, match="is not one of your organisation's staff"):
        mark_left(school["pat"], london_today(), make_user(Role.BOOKER))
    assert _statuses(school["pat"])["CAF-SOON"] == BookingStatus.BOOKED

    mark_left(school["pat"], london_today(), school["booker"])
    with pytest.raises(LeavingRefused, match="already marked as leaving"):
        mark_left(school["pat"], london_today(), school["booker"])


def test_changing_dates_marks_left_and_back_and_a_coordinator_may(school):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    change = change_dates(school["pat"], date(2020, 1, 6), london_today(), coordinator)
    assert change.action is not None and change.action.value == "practitioner_left"
    assert len(change.cancellations) == 2 and change.account_switched_off

    back = change_dates(school["pat"], date(2020, 1, 6), None, coordinator)
    assert back.action is not None and back.action.value == "practitioner_returned"
    assert change_dates(school["pat"], date(2020, 1, 6), None, coordinator).action is None  # nothing changed
