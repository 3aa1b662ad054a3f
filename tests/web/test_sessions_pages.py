"""The session pages: scheduling with warnings to confirm, errors in the summary, the list, month, page and .ics."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from icalendar import Calendar

from tests.api.helpers import bearer, user_with_token
from tests.conftest import csrf_token_from
from tests.factories import (
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
    make_venue,
)
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import BookingStatus, Role, SessionStatus, TrainingSession
from training_app.services.sessions import calendars

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</div>\s*</div>', re.S)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setting(app):
    """A coordinator signed in, and a course, authority, area, venue and trainer to choose."""
    with app.app_context():
        authority = make_authority("LEICESTER", name="Leicester City")
        ids = {
            "course": make_course("CAF", title="CAF assessment").id,
            "authority": authority.id,
            "area": make_area(authority, "City centre").id,
            "venue": make_venue("Town Hall", capacity=20).id,
            "trainer": make_trainer("Sam Trainer").id,
        }
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    client = app.test_client()
    signed_in(client, email)
    return client, ids


def form_data(client, ids, path="/sessions/new", days=((date(2026, 12, 28), "09:30", "16:00"),), **fields):
    data = {
        "csrf_token": csrf_token_from(client.get(path).get_data(as_text=True)),
        "course_id": str(ids["course"]),
        "venue_id": str(ids["venue"]),
        "trainer_ids": [str(ids["trainer"])],
        "capacity": "12",
        "host_authority_id": str(ids["authority"]),
        "host_area_id": str(ids["area"]),
        "booking_closes_days": "2",
        "notes": "",
        "submit": "Save session",
    }
    for n, (day, start, end) in enumerate(days):
        data[f"days-{n}-date"] = [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]
        data[f"days-{n}-start"], data[f"days-{n}-end"] = start, end
    return data | fields


def summary_of(response) -> str:
    match = SUMMARY.search(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))) if match else ""


def test_a_bank_holiday_is_confirmed_before_the_session_is_saved(app, setting):
    client, ids = setting
    days = ((date(2026, 12, 28), "09:30", "16:00"), (date(2026, 12, 29), "09:30", "16:00"))
    first = client.post("/sessions/new", data=form_data(client, ids, days=days))
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "Check before saving" in page
    assert "Monday 28 December 2026 is a bank holiday in England and Wales" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0
    confirm = form_data(client, ids, days=days) | {
        "confirm": "yes",
        "confirmed_warning": ["Monday 28 December 2026 is a bank holiday in England and Wales"],
    }
    saved = client.post("/sessions/new", data=confirm)
    assert saved.status_code == 302 and saved.headers["Location"] == "/sessions/CAF-2026-001"
    shown = client.get("/sessions/CAF-2026-001")
    assert h1_of(shown) == "Session CAF-2026-001"
    assert "Monday 28 December 2026, 9:30am to 4pm" in shown.get_data(as_text=True)


@pytest.mark.parametrize(
    ("days", "fields", "message"),
    [
        (((date(2027, 1, 5), "16:00", "09:30"),), {}, "Day 1 must end after it starts"),
        (((date(2026, 11, 30), "09:30", "16:00"),), {}, "Day 1 (30 November 2026) is in the past"),
        (((date(2027, 1, 5), "9am", "16:00"),), {}, "Day 1: starts at must be a time like 09:30"),
        (((date(2027, 1, 5), "09:30", "16:00"),), {"capacity": "0"}, "Capacity must be between 1 and 1000"),
        (((date(2027, 1, 5), "09:30", "16:00"),), {"course_id": "999999"}, "Choose a course that exists"),
        (((date(2027, 1, 5), "09:30", "16:00"),), {"venue_id": "999999"}, "Choose a venue that exists"),
        (((date(2027, 1, 5), "09:30", "16:00"),), {"trainer_ids": ["999999"]}, "Choose trainers that exist"),
        (((None, "", ""),), {}, "Enter at least one day"),
    ],
)
def test_errors_are_summarised_and_nothing_is_saved(app, setting, days, fields, message):
    client, ids = setting
    response = client.post("/sessions/new", data=form_data(client, ids, days=days, **fields))
    assert response.status_code == 200
    assert title_of(response).startswith("Error: Schedule a session")
    assert message in summary_of(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_every_error_shows_at_once_worded_for_what_was_left_out(app, setting):
    client, ids = setting
    fields = {"course_id": "", "host_authority_id": "", "capacity": "lots", "venue_id": "999999"}
    response = client.post("/sessions/new", data=form_data(client, ids, days=((None, "", ""),), **fields))

    summary = summary_of(response)
    expected = [
        "Choose a course",
        "Enter at least one day",
        "Choose a venue that exists",
        "Capacity must be a whole number",
        "Choose the host authority",
    ]
    assert [summary.index(message) for message in expected] == sorted(summary.index(m) for m in expected)
    assert "that exists" not in summary.replace("Choose a venue that exists", "")
    assert "between 1 and 1000" not in summary  # the unreadable capacity is reported once, as such
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_a_day_with_times_left_out_asks_for_them_beside_the_other_errors(setting):
    client, ids = setting
    days = ((date(2027, 1, 5), "", "16:00"),)
    response = client.post("/sessions/new", data=form_data(client, ids, days=days, capacity="0"))

    summary = summary_of(response)
    assert "Day 1: enter the start time" in summary and "Capacity must be between 1 and 1000" in summary


def test_an_automatic_code_takes_the_year_of_the_sessions_first_day(setting):
    client, ids = setting
    days = ((date(2027, 1, 6), "09:30", "16:00"),)
    saved = client.post("/sessions/new", data=form_data(client, ids, days=days))  # on 1 December 2026
    assert saved.status_code == 302 and saved.headers["Location"] == "/sessions/CAF-2027-001"


def test_add_another_day_shows_one_more_day_without_saving(setting):
    client, ids = setting
    data = form_data(client, ids) | {"add_day": "Add another day"}
    data.pop("submit")
    page = client.post("/sessions/new", data=data).get_data(as_text=True)
    assert "Day 2" in page and 'name="days-1-start"' in page


def test_capacity_below_places_taken_is_refused_on_the_edit_form(app, setting):
    client, ids = setting
    with app.app_context():
        session = make_session(code="CAF-9", days=(date(2027, 1, 5),), capacity=3)
        for _ in range(2):
            make_booking(session, make_practitioner())
        db.session.commit()
        course_id = session.course_id
    data = form_data(client, ids, path="/sessions/CAF-9/edit", days=((date(2027, 1, 5), "09:30", "16:00"),))
    response = client.post("/sessions/CAF-9/edit", data=data | {"capacity": "1", "course_id": str(course_id)})
    assert "Capacity 1 is below the 2 places taken on session CAF-9" in summary_of(response)


def test_the_list_filters_and_the_month_shows_each_day(app, setting):
    client, _ = setting
    with app.app_context():
        rutland = make_authority("RUTLAND", name="Rutland")
        full = make_session(code="FULL-1", days=(date(2026, 12, 8),), capacity=1, host=rutland)
        make_booking(full, make_practitioner())
        make_booking(full, make_practitioner(), BookingStatus.WAITLISTED, position=1)
        make_session(code="OPEN-1", days=(date(2026, 12, 9), date(2026, 12, 10)), capacity=5, host=rutland)
        make_session(code="LATER-1", days=(date(2027, 2, 1),), capacity=5)
        db.session.commit()
    page = client.get("/sessions/?authority=RUTLAND").get_data(as_text=True)
    assert "FULL-1" in page and "OPEN-1" in page and "LATER-1" not in page
    with_places = client.get("/sessions/?authority=RUTLAND&has_places=y").get_data(as_text=True)
    assert "FULL-1" not in with_places and "OPEN-1" in with_places
    dated = client.get("/sessions/?date_from=2027-01-01").get_data(as_text=True)
    assert "LATER-1" in dated and "OPEN-1" not in dated
    bad = client.get("/sessions/?date_from=2027-13-01")
    assert "From 2027-13-01 is not a real date" in summary_of(bad)
    month = client.get("/sessions/month?month=2026-12")
    assert h1_of(month) == "Sessions in December 2026"
    assert month.get_data(as_text=True).count(">OPEN-1</a>") == 2
    shown = client.get("/sessions/FULL-1").get_data(as_text=True)
    assert re.search(r"Places left\s*</dt>\s*<dd[^>]*>\s*0", shown)
    assert re.search(r"Waiting list\s*</dt>\s*<dd[^>]*>\s*1 person", shown)


def test_sessions_with_places_are_those_open_for_booking_and_a_closed_one_says_why(app, setting):
    """NOW is 1 December 2026: a 2008 session still scheduled and one whose window closed are not offered unless
    asked for; their pages say they are not open and why, with no Book button."""
    client, _ = setting
    with app.app_context():
        make_session(code="OLD-2008", days=(date(2008, 10, 1),), capacity=5)
        make_session(code="SOON-1", days=(date(2026, 12, 3),), capacity=5, booking_closes_days=2)  # closed 1 Dec
        make_session(code="OPEN-2", days=(date(2026, 12, 10),), capacity=5, booking_closes_days=2)
        db.session.commit()
    for offering in ("/sessions/?has_places=y", "/sessions/"):  # the bookers' link, and the list by default
        offered = client.get(offering).get_data(as_text=True)
        assert "OPEN-2" in offered and "OLD-2008" not in offered and "SOON-1" not in offered
    everything = client.get("/sessions/?include_closed=y").get_data(as_text=True)
    assert "OLD-2008" in everything and "SOON-1" in everything and "OPEN-2" in everything  # asked for all
    soon = client.get("/sessions/SOON-1").get_data(as_text=True)
    assert "Not open for booking: booking for session SOON-1 closed on 1 December 2026." in soon
    assert "Book staff on SOON-1" not in soon
    old = client.get("/sessions/OLD-2008").get_data(as_text=True)
    assert "Not open for booking: session OLD-2008 has already started." in old
    open_page = client.get("/sessions/OPEN-2").get_data(as_text=True)
    assert "Not open for booking" not in open_page and "Book staff on OPEN-2" in open_page


def test_the_list_pages(app, setting):
    client, _ = setting
    with app.app_context():
        for n in range(30):
            make_session(code=f"S-{n:02d}", days=(date(2027, 1, 1 + n),))
        db.session.commit()
    first = client.get("/sessions/").get_data(as_text=True)
    assert "30 sessions open for booking, page 1 of 2" in first and "S-24" in first and "S-25" not in first
    second = client.get("/sessions/?page=2").get_data(as_text=True)
    assert "S-25" in second and "S-24" not in second


def test_cancelling_through_the_form_needs_a_reason(app, setting):
    client, _ = setting
    with app.app_context():
        session = make_session(code="CAF-5", days=(date(2027, 1, 5),))
        make_booking(session, make_practitioner())
        db.session.commit()
    token = csrf_token_from(client.get("/sessions/CAF-5/cancel").get_data(as_text=True))
    empty = client.post("/sessions/CAF-5/cancel", data={"csrf_token": token, "reason": ""})
    assert "Enter the reason for cancelling the session" in summary_of(empty)
    done = client.post("/sessions/CAF-5/cancel", data={"csrf_token": token, "reason": "Venue flooded"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(TrainingSession.status)) == SessionStatus.CANCELLED
    assert "Venue flooded" in client.get("/sessions/CAF-5").get_data(as_text=True)


def test_duplicating_opens_the_schedule_form_prefilled(app, setting):
    client, ids = setting
    with app.app_context():
        make_session(code="CAF-7", days=(date(2027, 1, 5), date(2027, 1, 7)))
        db.session.commit()
    token = csrf_token_from(client.get("/sessions/CAF-7/duplicate").get_data(as_text=True))
    page = client.post("/sessions/CAF-7/duplicate", data={"csrf_token": token, "first_day": ["2", "2", "2027"]})
    text = page.get_data(as_text=True)
    assert h1_of(page) == "Schedule a session" and "A copy of session CAF-7" in text
    second_day = [
        re.search(rf'<input[^>]*id="days-1-date-{part}"[^>]*>', text).group(0) for part in ("day", "month", "year")
    ]
    assert [re.search(r'value="([^"]*)"', box).group(1) for box in second_day] == ["04", "02", "2027"]


def test_the_calendar_file_for_signed_in_users_and_tokens(app, setting, client):
    signed, _ = setting
    with app.app_context():
        make_session(code="CAF-3", days=(date(2027, 1, 5),))
        _, token = user_with_token(Role.PRACTITIONER)
        db.session.commit()
    response = signed.get("/sessions/CAF-3/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) == 1
    assert client.get("/sessions/CAF-3/calendar.ics", headers=bearer(token)).status_code == 200
    assert client.get("/sessions/CAF-3/calendar.ics", headers=bearer("tk_wrong")).status_code == 401
    assert client.get("/sessions/CAF-3/calendar.ics").status_code == 302
    assert signed.get("/sessions/NOPE/calendar.ics").status_code == 404


def test_a_trainers_feed_needs_its_secret(app, client):
    with app.app_context():
        trainer = make_trainer("Sam")
        session = make_session(code="CAF-4", days=(date(2027, 1, 5),))
        session.trainers = [trainer]
        db.session.commit()
        token = calendars.issue_feed_token(trainer, "test")
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and "CAF-4" in feed.get_data(as_text=True)
    assert client.get("/calendar/not-the-token.ics").status_code == 404


def test_the_area_filter_offers_the_chosen_authoritys_areas_only(app, setting):
    """A national list would otherwise offer every area in England (600) on every visit (issue 25)."""
    client, ids = setting
    with app.app_context():
        rutland = make_authority("RUTLAND", name="Rutland")
        make_area(rutland, "Oakham")
        db.session.commit()
    options = re.compile(r'<option value="(\d+)"( selected)?>([^<]+)</option>')
    plain = client.get("/sessions/").get_data(as_text=True)
    assert options.findall(plain) == [] and "choose a host authority and find sessions" in plain
    assert '<option value="RUTLAND">Rutland</option>' in plain
    chosen = client.get("/sessions/?authority=LEICESTER").get_data(as_text=True)
    assert options.findall(chosen) == [(str(ids["area"]), "", "Leicester City – City centre")]
    assert '<option value="LEICESTER" selected>Leicester City</option>' in chosen
    bookmarked = client.get(f"/sessions/?area={ids['area']}").get_data(as_text=True)
    assert options.findall(bookmarked) == [(str(ids["area"]), " selected", "Leicester City – City centre")]


def _minimum_of(app, code="CAF-2027-001"):
    with app.app_context():
        return db.session.scalar(sa.select(TrainingSession.minimum_places).where(TrainingSession.code == code))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The minimum places must be from 1 to the capacity (12), or left empty"),
        ("13", "The minimum places must be from 1 to the capacity (12), or left empty"),
        ("six", "Minimum places must be a whole number"),
    ],
)
def test_a_sessions_own_minimum_outside_one_to_its_capacity_is_refused(app, setting, typed, message):
    client, ids = setting
    refused = client.post("/sessions/new", data=form_data(client, ids, minimum_places=typed))
    assert refused.status_code == 200 and message in summary_of(refused)
    assert 'href="#minimum_places"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_a_session_keeps_its_own_minimum_and_empty_goes_back_to_the_courses(app, setting):
    client, ids = setting
    days = ((date(2027, 1, 5), "09:30", "16:00"),)
    saved = client.post("/sessions/new", data=form_data(client, ids, days=days, minimum_places="5"))
    assert saved.status_code == 302 and _minimum_of(app) == 5
    edit = client.get("/sessions/CAF-2027-001/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="minimum_places"[^>]*value="5"', edit)
    path = "/sessions/CAF-2027-001/edit"
    changed = client.post(path, data=form_data(client, ids, path=path, days=days, minimum_places=""))
    assert changed.status_code == 302 and _minimum_of(app) is None
