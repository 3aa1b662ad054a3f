"""Joiners and leavers on the pages (SPEC 3.1, issue 22): the staff forms' dates, a booker marking someone as left
after a check page and back again, leavers listed apart, and a coordinator changing anyone's dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Certificate, Practitioner, Role, TrainingRecord, User
from training_app.services.attendance.records import certificate_number
from training_app.services.common.calendar import london_today
from training_app.services.workforce.leavers import mark_left


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def school(app):
    """Oak Primary's booker; Ann (started 2020, booked on a session with Bea waiting, with an account and a record)."""
    with app.app_context():
        leics = make_authority(code="LEICS", name="Leicestershire")
        oak = make_organisation(authority=leics, name="Oak Primary", code="OAK")
        course = make_course(code="CAF", title="CAF practitioner")
        ann = make_practitioner(
            organisation=oak, first_name="Ann", last_name="Oak", email="ann@oak.example", started_on=date(2020, 1, 6)
        )
        ann.set_authorities([leics])
        bea = make_practitioner(organisation=oak, first_name="Bea", last_name="Oak", email="bea@oak.example")
        session = make_session(course=course, code="CAF-1", capacity=1, days=(_weekday(1),))
        make_booking(session, ann)
        make_booking(session, bea, BookingStatus.WAITLISTED, position=1)
        make_record(ann, course, date(2024, 3, 1))
        make_user(Role.PRACTITIONER, email="ann@oak.example", practitioner=ann)
        booker = make_user(Role.BOOKER, organisation=oak, email="bm@oak.example")
        stranger = make_practitioner(organisation=make_organisation(code="ELM"), email="zed@elm.example")
        db.session.commit()
        return {"booker": booker.email, "booker_id": booker.id, "ann": ann.id, "bea": bea.id, "stranger": stranger.id}


def _boxes(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def test_a_booker_marks_someone_as_left_after_a_check_page_and_the_place_passes_on(app, client, school):
    signed_in(client, school["booker"])
    assert "Mark as left" in client.get("/staff").get_data(as_text=True)
    page = client.get(f"/staff/{school['ann']}/leave")
    assert page.status_code == 200 and h1_of(page) == "When did Ann Oak leave?"
    token = csrf_token_from(page.get_data(as_text=True))
    today = london_today()

    check = client.post(f"/staff/{school['ann']}/leave", data={"csrf_token": token, **_boxes("left_on", today)})
    text = check.get_data(as_text=True)
    assert h1_of(check) == "Check before you mark Ann Oak as left"
    assert "CAF-1: CAF practitioner" in text and "Their account (ann@oak.example) will be switched off." in text
    with app.app_context():  # nothing is written until they confirm
        assert db.session.get(Practitioner, school["ann"]).left_on is None

    form = {"csrf_token": token, **_boxes("left_on", today), "confirm": "yes"}
    done = client.post(f"/staff/{school['ann']}/leave", data=form, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"Ann Oak is marked as left on {today:%-d %B %Y}. 1 of their bookings was cancelled." in text
    assert "Ann Oak" not in text.split("found.")[1]  # no longer in the list of staff in post
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Booking.practitioner_id, Booking.status)).all())
        assert statuses == {school["ann"]: BookingStatus.CANCELLED, school["bea"]: BookingStatus.BOOKED}
        assert db.session.execute(sa.select(User.active).filter_by(email="ann@oak.example")).scalar_one() is False
    leavers = client.get("/staff?leavers=y")
    assert h1_of(leavers) == "Staff who have left" and "Ann Oak" in leavers.get_data(as_text=True)
    records = client.get("/practitioners/ann@oak.example/training-records")
    assert records.status_code == 200 and f"Left on {today:%-d %B %Y}" in records.get_data(as_text=True)


def test_the_date_they_left_is_checked_and_another_schools_staff_are_out_of_reach(client, school):
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get(f"/staff/{school['ann']}/leave").get_data(as_text=True))
    empty = client.post(f"/staff/{school['ann']}/leave", data={"csrf_token": token})
    assert empty.status_code == 422 and "Enter the date they left" in empty.get_data(as_text=True)
    unreal = client.post(f"/staff/{school['ann']}/leave", data={"csrf_token": token, "left_on": ["31", "2", "2027"]})
    assert unreal.status_code == 422 and "The date must be a real date" in unreal.get_data(as_text=True)
    early = client.post(
        f"/staff/{school['ann']}/leave", data={"csrf_token": token, **_boxes("left_on", date(2019, 1, 1))}
    )
    assert early.status_code == 422 and "on or after the day they started, 6 January 2020" in early.get_data(
        as_text=True
    )
    assert client.get(f"/staff/{school['stranger']}/leave").status_code == 403
    assert client.get(f"/staff/{school['stranger']}/return").status_code == 403


def test_a_leaver_is_marked_as_back_from_the_leavers_list(app, client, school):
    with app.app_context():
        db.session.get(Practitioner, school["ann"]).left_on = london_today() - timedelta(days=30)
        db.session.commit()
    signed_in(client, school["booker"])
    assert "Mark as back" in client.get("/staff?leavers=y").get_data(as_text=True)
    page = client.get(f"/staff/{school['ann']}/return")
    token = csrf_token_from(page.get_data(as_text=True))
    too_early = client.post(
        f"/staff/{school['ann']}/return", data={"csrf_token": token, **_boxes("started_on", date(2021, 1, 1))}
    )
    assert too_early.status_code == 422 and "on or after the day they left" in too_early.get_data(as_text=True)
    done = client.post(
        f"/staff/{school['ann']}/return",
        data={"csrf_token": token, **_boxes("started_on", london_today())},
        follow_redirects=True,
    )
    assert f"Ann Oak is back on your staff from {london_today():%-d %B %Y}." in done.get_data(as_text=True)
    with app.app_context():
        ann = db.session.get(Practitioner, school["ann"])
        assert (ann.started_on, ann.left_on) == (london_today(), None)


def _member(token: str, **fields) -> dict:
    return {
        "csrf_token": token,
        "first_name": "Eve",
        "last_name": "New",
        "email": "eve@oak.example",
        "group": "",
        "authorities": ["LEICS"],
        "cover_category": "none",
        **fields,
    }


def test_someone_added_starts_today_unless_a_date_is_given_and_nobody_leaves_before_starting(app, client, school):
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get("/staff/new").get_data(as_text=True))
    backwards = {**_boxes("started_on", date(2026, 9, 1)), **_boxes("left_on", date(2026, 8, 31))}
    refused = client.post("/staff/new", data=_member(token, **backwards))
    assert refused.status_code == 422 and "on or after the day they started, 1 September 2026" in refused.get_data(
        as_text=True
    )
    assert client.post("/staff/new", data=_member(token)).status_code == 302
    given = _member(token, email="fay@oak.example", first_name="Fay", **_boxes("started_on", date(2025, 9, 1)))
    assert client.post("/staff/new", data=given).status_code == 302
    with app.app_context():
        started = dict(db.session.execute(sa.select(Practitioner.email, Practitioner.started_on)).all())
    assert started["eve@oak.example"] == london_today() and started["fay@oak.example"] == date(2025, 9, 1)

    page = client.get(f"/staff/{school['ann']}/edit").get_data(as_text=True)
    assert 'id="started_on-day" name="started_on" type="text" value="6"' in page
    assert 'id="started_on-year" name="started_on" type="text" value="2020"' in page


def test_a_coordinator_changes_anyones_dates_and_marks_them_left_and_back(app, client, school):
    with app.app_context():
        coordinator = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, coordinator)
    records = client.get("/practitioners/ann@oak.example/training-records").get_data(as_text=True)
    assert "Started on 6 January 2020" in records and "Change when they started or left" in records
    page = client.get("/practitioners/ann@oak.example/dates")
    token = csrf_token_from(page.get_data(as_text=True))
    left = {"csrf_token": token, **_boxes("started_on", date(2020, 1, 6)), **_boxes("left_on", london_today())}
    done = client.post("/practitioners/ann@oak.example/dates", data=left, follow_redirects=True)
    assert "They are marked as left" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(Booking.status).filter_by(practitioner_id=school["ann"])).scalar_one() == (
            BookingStatus.CANCELLED
        )
    back = {"csrf_token": token, **_boxes("started_on", london_today())}
    done = client.post("/practitioners/ann@oak.example/dates", data=back, follow_redirects=True)
    assert "They are marked as back in post." in done.get_data(as_text=True)
    with app.app_context():
        ann = db.session.get(Practitioner, school["ann"])
        assert (ann.started_on, ann.left_on) == (london_today(), None)


def test_the_booking_page_offers_no_leavers(app, client, school):
    with app.app_context():
        db.session.get(Practitioner, school["ann"]).left_on = london_today() - timedelta(days=1)
        make_session(course=make_course(code="LP"), code="LP-9", days=(_weekday(20),))
        db.session.commit()
    signed_in(client, school["booker"])
    page = client.get("/bookings/new/LP-9")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bea Oak" in text and "Ann Oak" not in text


def test_a_leavers_certificate_is_still_listed_downloaded_and_checks_as_current(app, client, school):
    with app.app_context():
        record = db.session.scalars(sa.select(TrainingRecord).filter_by(practitioner_id=school["ann"])).one()
        number = certificate_number(record.id)
        db.session.add(Certificate(training_record_id=record.id, number=number))
        db.session.commit()
        booker = db.session.get(User, school["booker_id"])
        mark_left(db.session.get(Practitioner, school["ann"]), london_today(), booker)

    signed_in(client, school["booker"])
    records = client.get("/practitioners/ann@oak.example/training-records").get_data(as_text=True)
    assert f"/certificates/{number}/certificate.pdf" in records
    download = client.get(f"/certificates/{number}/certificate.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    check = client.get(f"/certificates/{number}")
    text = check.get_data(as_text=True)
    assert check.status_code == 200 and "This certificate is genuine and current" in text and "Ann Oak" in text
