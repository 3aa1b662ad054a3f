"""Refresher, session and re-awareness reminders (SPEC 3.6): stages, once each, never late, never twice."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.awareness_data import awareness_world, values
from tests.factories import make_booking, make_course, make_practitioner, make_record, make_session, make_user
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import MailStatus, OutgoingMail, ReminderLog, ReminderStage, Role
from training_app.services.awareness import awareness, reawareness
from training_app.services.reminders.reminder_log import reminder_log
from training_app.services.reminders.reminders import due_reminders, refresher_stage, run_reminders

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture(autouse=True)
def _own_outbox(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))


EXPIRES = date(2026, 6, 1)  # 90 days before: 3 March; 30 days after: 1 July


def _world(**course_fields):
    course = make_course(code="CAF-R", title="CAF refresher", validity_months=36, **course_fields)
    person = make_practitioner(email="pat@school.example", first_name="Pat", last_name="Lee")
    make_user(Role.BOOKER, email="booker@school.example", organisation=person.organisation)
    record = make_record(person, course, date(2023, 6, 1), expires_on=EXPIRES)
    db.session.commit()
    return course, person, record


def _lines(today: date, **kwargs) -> list[str]:
    return [reminder.line for reminder in run_reminders(today, **kwargs)]


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (date(2026, 3, 2), None),
        (date(2026, 3, 3), ReminderStage.DUE_SOON),
        (date(2026, 5, 31), ReminderStage.DUE_SOON),
        (date(2026, 6, 1), ReminderStage.DUE),
        (date(2026, 6, 30), ReminderStage.DUE),
        (date(2026, 7, 1), ReminderStage.OVERDUE),
        (date(2026, 9, 28), ReminderStage.OVERDUE),
        (date(2026, 9, 29), None),  # overdue is sent in the 90 days after it fell due, not for ever
    ],
)
def test_each_stage_begins_on_its_boundary(today, stage):
    assert refresher_stage(EXPIRES, today, 90) == stage


def test_a_record_gets_each_stage_once_as_its_days_come(app):
    _world()
    assert _lines(date(2026, 3, 2)) == []
    assert _lines(date(2026, 3, 3)) == ["pat@school.example\tCAF-R\tdue_soon"]
    assert _lines(date(2026, 3, 3)) == []  # a rerun the same day sends nothing new
    assert _lines(date(2026, 4, 1)) == []
    assert _lines(date(2026, 6, 1)) == ["pat@school.example\tCAF-R\tdue"]
    assert _lines(date(2026, 7, 1)) == ["pat@school.example\tCAF-R\toverdue"]
    assert _lines(date(2026, 7, 2)) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 3
    assert len(emails_to(app, "pat@school.example")) == 3


def test_stages_passed_without_a_run_are_not_sent_late():
    _world()
    assert _lines(date(2026, 7, 5)) == ["pat@school.example\tCAF-R\toverdue"]
    assert _lines(date(2026, 7, 6)) == []


def test_the_email_names_the_course_the_expiry_and_sessions_with_places_and_copies_the_bookers(app):
    course, _, _ = _world()
    make_session(course, days=(date(2026, 4, 20),), code="CAF-R-01", capacity=10)
    full = make_session(course, days=(date(2026, 4, 21),), code="CAF-R-FULL", capacity=1)
    make_booking(full, make_practitioner())
    db.session.commit()
    run_reminders(date(2026, 3, 3))
    [message] = emails_to(app, "pat@school.example")
    assert message["Subject"] == "Your CAF refresher training expires on 1 June 2026: book a refresher"
    assert message["Cc"] == "booker@school.example"
    text = body_of(message)
    assert "CAF refresher (CAF-R)" in text and "1 June 2026" in text
    assert "CAF-R-01: 20 April 2026" in text and "10 places left" in text and "/sessions/CAF-R-01" in text
    assert "CAF-R-FULL" not in text
    assert "<strong>1 June 2026</strong>" in message.get_body(("html",)).get_content()


def test_the_email_offers_only_sessions_still_open_for_booking(app):
    """Run on Tuesday 3 March 2026: a session on Thursday 5 March closed for booking on Tuesday (two working days),
    so it is not offered; the one the week after is."""
    course, _, _ = _world()
    make_session(course, days=(date(2026, 3, 5),), code="CAF-R-CLOSED", capacity=10, booking_closes_days=2)
    make_session(course, days=(date(2026, 3, 12),), code="CAF-R-OPEN", capacity=10, booking_closes_days=2)
    db.session.commit()
    run_reminders(date(2026, 3, 3))
    text = body_of(emails_to(app, "pat@school.example")[0])
    assert "CAF-R-OPEN" in text and "CAF-R-CLOSED" not in text


def test_a_renewal_supersedes_the_old_record():
    course, person, _ = _world()
    make_record(person, course, date(2026, 2, 1), expires_on=date(2029, 2, 1))
    db.session.commit()
    assert _lines(date(2026, 6, 1)) == []


def test_nobody_booked_on_a_coming_session_of_the_course_is_reminded_but_a_past_session_does_not_count():
    course, person, _ = _world()
    coming = make_session(course, days=(date(2026, 6, 20),))
    booking = make_booking(coming, person)
    db.session.commit()
    assert _lines(date(2026, 6, 1)) == []
    booking.status = booking.status.__class__.CANCELLED
    db.session.commit()
    assert _lines(date(2026, 6, 1)) == ["pat@school.example\tCAF-R\tdue"]


def test_courses_without_expiry_send_no_refresher():
    course = make_course(code="AWARE", validity_months=None)
    make_record(make_practitioner(), course, date(2023, 6, 1), expires_on=None)
    db.session.commit()
    assert _lines(date(2026, 6, 1)) == []


def test_a_dry_run_lists_and_sends_and_records_nothing(app):
    _world()
    assert _lines(date(2026, 6, 1), dry_run=True) == ["pat@school.example\tCAF-R\tdue"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0
    assert emails_to(app, "pat@school.example") == []
    assert _lines(date(2026, 6, 1)) == ["pat@school.example\tCAF-R\tdue"]


def test_session_reminders_go_the_course_s_days_before_day_one_with_the_joining_instructions(app):
    course = make_course(code="LP", title="Lead professional", session_reminder_days=3, joining_instructions="Bring ID")
    session = make_session(course, days=(date(2026, 6, 10), date(2026, 6, 11)), code="LP-01")
    early = make_booking(session, make_practitioner(email="early@school.example"))
    early.created_at = datetime(2026, 5, 1, 9, 0).astimezone()
    late = make_booking(session, make_practitioner(email="late@school.example"))
    late.created_at = datetime(2026, 6, 7, 10, 0).astimezone()  # made after the reminder's point
    db.session.commit()
    assert _lines(date(2026, 6, 6)) == []
    assert _lines(date(2026, 6, 7)) == ["early@school.example\tLP\tupcoming"]
    assert _lines(date(2026, 6, 8)) == []
    [message] = emails_to(app, "early@school.example")
    assert message["Subject"] == "Reminder: Lead professional (LP-01) starts on 10 June 2026"
    assert "Bring ID" in body_of(message)
    assert emails_to(app, "late@school.example") == []


def test_re_awareness_reminders_go_to_the_coordinators_once(app):
    awareness_world()
    sign_off = awareness.record_sign_off(values())
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    db.session.commit()
    due_on = reawareness.reawareness_due_on(sign_off, reawareness.current_versions())
    assert _lines(due_on - timedelta(days=1)) == []
    assert _lines(due_on) == [f"coordinator@council.example\t{sign_off.package}\treawareness"]
    assert _lines(due_on + timedelta(days=1)) == []
    [message] = emails_to(app, "coordinator@council.example")
    assert sign_off.service in message["Subject"]


def test_the_log_lists_re_awareness_reminders_to_coordinators_beside_those_to_practitioners(app):
    awareness_world()
    sign_off = awareness.record_sign_off(values())
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    course = make_course(code="CAF-R", validity_months=36)
    due_on = reawareness.reawareness_due_on(sign_off, reawareness.current_versions())
    make_record(make_practitioner(email="due@school.example"), course, due_on, expires_on=due_on)
    db.session.commit()
    with time_machine.travel(datetime(due_on.year, due_on.month, due_on.day, 6, 0, tzinfo=awareness_tz()), tick=False):
        run_reminders(due_on)  # as the scheduler runs it, on the day

    log = {(entry.email, entry.kind, entry.stage) for entry in reminder_log()}

    assert log == {
        ("due@school.example", "refresher", "due"),
        ("coordinator@council.example", "awareness", "re-awareness due"),
    }
    assert all(entry.run_date == due_on for entry in reminder_log())


def test_two_runs_at_once_send_each_reminder_exactly_once(app):
    course = make_course(code="CAF-R", validity_months=36)
    for n in range(30):
        make_record(make_practitioner(email=f"p{n}@school.example"), course, date(2023, 6, 1), expires_on=EXPIRES)
    db.session.commit()
    counts = []

    def run():
        with app.app_context():
            counts.append(len(run_reminders(date(2026, 6, 1))))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 30
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 30
    statuses = db.session.scalars(sa.select(OutgoingMail.status)).all()
    assert len(statuses) == 30 and set(statuses) == {MailStatus.SENT}


def test_the_command_prints_one_line_per_reminder_and_the_count(app):
    _world()
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=awareness_tz()), tick=False):
        dry = runner.invoke(args=["reminders", "run", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert dry.output == "pat@school.example\tCAF-R\tdue\nwould send 1 reminders\n"
        sent = runner.invoke(args=["reminders", "run"])
    assert sent.output == "pat@school.example\tCAF-R\tdue\nsent 1 reminders\n"
    again = runner.invoke(args=["reminders", "run", "--today", "2026-06-01"])
    assert again.output == "sent 0 reminders\n"
    bad = runner.invoke(args=["reminders", "run", "--today", "2026-02-30"])
    assert bad.exit_code == 2 and "--today" in bad.output


def awareness_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def test_due_reminders_scan_writes_nothing():
    _world()
    assert [r.stage for r in due_reminders(date(2026, 6, 1))] == [ReminderStage.DUE]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0


def test_a_booking_on_another_course_does_not_hold_back_a_refresher_reminder():
    """The booked-people rule looks at the record's own course family only (it once matched every record's course)."""
    course, person, _ = _world()
    other = make_course(code="LP")
    make_record(make_practitioner(), other, date(2025, 1, 1))  # someone's record of LP, which Pat is booked on
    make_booking(make_session(other, days=(date(2026, 4, 20),), code="LP-01"), person)
    db.session.commit()
    assert _lines(date(2026, 3, 3)) == ["pat@school.example\tCAF-R\tdue_soon"]
