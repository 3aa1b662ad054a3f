"""Session calendars (SPEC 3.3): London local times with a VTIMEZONE, stable UIDs, SEQUENCE, trainers' feeds."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from tests.calendar_readers import READERS
from tests.factories import make_authority, make_course, make_trainer, make_user, make_venue
from training_app.extensions import db
from training_app.models import Role, Trainer
from training_app.services.sessions import calendars, scheduling
from training_app.services.sessions.scheduling import DayPlan, SessionPlan

LONDON = ZoneInfo("Europe/London")
FRIDAY, MONDAY = date(2026, 10, 23), date(2026, 10, 26)  # British Summer Time ends on Sunday 25 October 2026


@pytest.fixture
def two_day_session(app_ctx):
    with time_machine.travel(datetime(2026, 10, 1, 10, 0, tzinfo=UTC), tick=False):
        trainer = make_trainer("Sam Trainer")
        plan = SessionPlan(
            course_id=make_course("CAF", title="CAF assessment").id,
            days=(DayPlan(FRIDAY, time(9, 30), time(16, 0)), DayPlan(MONDAY, time(9, 30), time(16, 0))),
            capacity=12,
            host_authority_id=make_authority("RUTLAND").id,
            venue_id=make_venue("Oakham Library").id,
            trainer_ids=(trainer.id,),
        )
        session = scheduling.create_session(plan, make_user(Role.COORDINATOR)).session
    return session, trainer


def parsed(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def test_a_two_day_session_either_side_of_the_end_of_summer_time(two_day_session):
    session, _ = two_day_session
    content = calendars.session_calendar(session)
    text = content.decode()
    assert "DTSTART;TZID=Europe/London:20261023T093000" in text
    assert "DTSTART;TZID=Europe/London:20261026T093000" in text
    calendar = parsed(content)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    events = calendar.walk("VEVENT")
    starts = [event.decoded("DTSTART") for event in events]
    assert [start.astimezone(UTC) for start in starts] == [
        datetime(2026, 10, 23, 8, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 9, 30, tzinfo=UTC),
    ]
    assert [start.astimezone(LONDON).time() for start in starts] == [time(9, 30), time(9, 30)]
    assert [str(event["UID"]) for event in events] == ["CAF-2026-001-day-1@127.0.0.1", "CAF-2026-001-day-2@127.0.0.1"]
    assert [int(event["SEQUENCE"]) for event in events] == [0, 0]
    assert str(events[0]["LOCATION"]) == "Oakham Library"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_uids_stay_and_sequence_rises_when_the_time_changes(two_day_session):
    session, trainer = two_day_session
    before = [str(e["UID"]) for e in parsed(calendars.session_calendar(session)).walk("VEVENT")]
    with time_machine.travel(datetime(2026, 10, 2, 10, 0, tzinfo=UTC), tick=False):
        moved = scheduling.plan_of(session)
        moved = SessionPlan(**{**moved.__dict__, "days": (DayPlan(FRIDAY, time(10, 0), time(16, 0)), moved.days[1])})
        scheduling.edit_session(session.code, moved, make_user(Role.COORDINATOR))
    events = parsed(calendars.session_calendar(session)).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == before
    assert [int(e["SEQUENCE"]) for e in events] == [1, 1]


def test_a_built_calendar_is_reused_until_anything_it_says_changes(two_day_session):
    session, _ = two_day_session
    ann = calendars.Invitee("Ann Example", "ann@school.example", 0)
    first = calendars.session_calendar(session, calendars.REQUEST, ann)
    assert calendars.session_calendar(session, calendars.REQUEST, ann) is first
    assert calendars.session_calendar(session, calendars.REQUEST, replace(ann, sequence=1)) is not first
    assert str(parsed(calendars.session_calendar(session, calendars.CANCEL, ann))["METHOD"]) == "CANCEL"
    session.venue.name = "Oakham Castle"
    session.trainers[0].name = "Sam Other"
    db.session.flush()
    [event, _] = parsed(calendars.session_calendar(session, calendars.REQUEST, ann)).walk("VEVENT")
    assert str(event["LOCATION"]) == "Oakham Castle" and "Trainers: Sam Other." in str(event["DESCRIPTION"])


def test_a_trainers_feed_opens_with_its_token_until_revoked(two_day_session):
    session, trainer = two_day_session
    token = calendars.issue_feed_token(trainer, "test")
    stored = db.session.get(Trainer, trainer.id).feed_token_hash
    assert stored != token and len(stored) == 64
    assert calendars.trainer_for_token(token).id == trainer.id
    events = parsed(calendars.trainer_feed(trainer)).walk("VEVENT")
    assert [e.decoded("DTSTART").date() for e in events] == [FRIDAY, MONDAY]
    calendars.revoke_feed_token(trainer, "test")
    assert calendars.trainer_for_token(token) is None


def test_uids_are_at_the_host_of_the_service_url_and_the_service_is_the_organizer(app, two_day_session, monkeypatch):
    session, _ = two_day_session
    monkeypatch.setitem(app.config, "SERVICE_URL", "https://training.llr-partnership.example:8443/app/")
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "LLR training <training@llr-partnership.example>")
    events = parsed(calendars.session_calendar(session)).walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [
        "CAF-2026-001-day-1@training.llr-partnership.example",
        "CAF-2026-001-day-2@training.llr-partnership.example",
    ]
    organizers = [event["ORGANIZER"] for event in events]
    assert [str(organizer) for organizer in organizers] == ["mailto:training@llr-partnership.example"] * 2
    assert organizers[0].params["CN"] == "LLR training"


def test_london_is_written_with_rules_not_dates_so_every_year_reads_alike(two_day_session):
    session, _ = two_day_session
    [zone] = parsed(calendars.session_calendar(session)).walk("VTIMEZONE")
    rules = {part.name: (dict(part["RRULE"]), str(part["DTSTART"].to_ical(), "ascii")) for part in zone.subcomponents}
    assert rules == {
        "DAYLIGHT": ({"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}, "19700329T010000"),
        "STANDARD": ({"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}, "19701025T020000"),
    }
    assert not any("RDATE" in part for part in zone.subcomponents)


UNRULY = "\x00\x07\x1b\x7f\x85\u2028"  # NUL, bell, escape, delete, next line, line separator


@pytest.mark.parametrize("nul", [True, False], ids=["with-NUL", "without-NUL"])
def test_user_text_with_control_characters_makes_clean_lines_every_reader_reads(
    app_ctx, two_day_session, tmp_path, nul
):
    session, trainer = two_day_session
    unruly = UNRULY if nul else UNRULY[1:]  # PostgreSQL stores no NUL, so only the in-memory files see one
    session.course.title = "CAF\r\nassessment\r"
    session.venue.name = f"Oakham{unruly}Library"
    trainer.name = f"Sam{unruly}Trainer"
    session.cancel_reason = "Trainer\nunwell"
    invitee = calendars.Invitee(f"Ann{unruly}Example", "ann@school.example", 3)
    with db.session.no_autoflush:  # the NUL stays in memory, where PostgreSQL cannot refuse it
        files = [
            calendars.session_calendar(session),
            calendars.session_calendar(session, calendars.REQUEST, invitee),
            calendars.trainer_feed(trainer)
            if not nul
            else calendars.session_calendar(session, calendars.CANCEL, invitee),
        ]
    for content in files:
        lines = content.split(b"\r\n")
        assert lines[-1] == b"" and all(not re.search(rb"[\x00-\x1f\x7f]", line) for line in lines)
        assert "\u2028".encode() not in content and "\x85".encode() not in content
    [event, _] = parsed(files[1]).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"CAF assessment ({session.code})"
    assert str(event["LOCATION"]) == "Oakham Library"
    assert str(event["DESCRIPTION"]) == "Day 1 of 2. Trainers: Sam Trainer. Cancelled: Trainer unwell"
    assert event["ATTENDEE"].params["CN"] == "Ann Example"
    for reader, read in READERS.items():
        assert [len(events) for events in read(files, tmp_path)] == [2, 2, 2], reader
