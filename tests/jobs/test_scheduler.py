"""The scheduler process: the schedule as data, one process only, and its jobs (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import make_course, make_practitioner, make_record, make_session
from training_app.extensions import db
from training_app.jobs import tasks
from training_app.jobs.process import ADVISORY_LOCK_KEY, AlreadyRunning, build_scheduler, scheduler_lock
from training_app.jobs.schedule import JOBS
from training_app.models import SessionStatus, SignInFailure
from training_app.models.base import utcnow
from training_app.services.reminders.housekeeping import housekeep

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


def test_the_schedule_is_data_and_runs_in_london_time(app):
    assert set(JOBS) == {
        "refresher-reminders",
        "session-reminders",
        "evaluation-reminders",
        "minimum-numbers",
        "report-subscriptions",
        "mail-delivery",
        "webhook-delivery",
        "housekeeping",
        "dashboard-summaries",
        "waiting-list-offers",
    }
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    refreshers = jobs["refresher-reminders"].trigger
    assert str(refreshers.timezone) == "Europe/London"
    assert {field.name: str(field) for field in refreshers.fields}["hour"] == "7"
    assert jobs["mail-delivery"].trigger.interval == timedelta(seconds=15)
    assert jobs["webhook-delivery"].trigger.interval == timedelta(minutes=1)


def test_a_second_scheduler_cannot_take_the_lock(app_ctx):
    with scheduler_lock(), pytest.raises(AlreadyRunning), scheduler_lock():
        pass
    with scheduler_lock():  # released when the first process ends
        pass


def _lock_is_held() -> bool:
    """Whether a scheduler holds the lock. On PostgreSQL the probe only looks at pg_locks: taking the lock to test
    it, even for a moment, could make the starting scheduler find it taken and exit."""
    if db.engine.dialect.name == "postgresql":
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key AND granted"
        with db.engine.connect() as connection:
            return bool(connection.execute(sa.text(query), {"key": ADVISORY_LOCK_KEY}).scalar())
    try:
        with scheduler_lock():
            return False
    except AlreadyRunning:
        return True


def test_two_scheduler_processes_at_once_the_second_exits(app, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "MAIL_"))}
    env |= {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test",
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "INSTANCE_PATH": str(tmp_path),
    }
    command = [str(FLASK), "--app", "training_app", "scheduler"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        with app.app_context():
            while time.monotonic() < deadline:
                if _lock_is_held():
                    break
                assert first.poll() is None, first.stdout.read().decode()
                time.sleep(0.2)
            else:
                pytest.fail("the first scheduler never took its lock")
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another scheduler process is running" in second.stderr
        assert first.poll() is None  # the first carries on
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_housekeeping_completes_past_sessions_and_drops_old_sign_in_records(app_ctx):
    past = make_session(days=(date(2026, 5, 1),))
    coming = make_session(days=(date(2026, 6, 20),))
    db.session.add(SignInFailure(email="old@x.example", at=utcnow() - timedelta(days=3)))
    db.session.add(SignInFailure(email="new@x.example", at=utcnow()))
    db.session.commit()
    done = housekeep(date(2026, 6, 1))
    assert done.sessions_completed == 1 and done.sign_in_failures == 1
    db.session.expire_all()
    assert (past.status, coming.status) == (SessionStatus.COMPLETED, SessionStatus.SCHEDULED)
    assert db.session.scalars(sa.select(SignInFailure.email)).all() == ["new@x.example"]
    assert housekeep(date(2026, 6, 1)).sessions_completed == 0


def test_the_reminder_jobs_send_once_whoever_runs_them(app, app_ctx, monkeypatch, tmp_path):
    import time_machine

    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))
    course = make_course(validity_months=36)
    make_record(make_practitioner(), course, date(2023, 6, 1), expires_on=date(2026, 6, 1))
    db.session.commit()
    with time_machine.travel(datetime(2026, 6, 1, 7, 0).astimezone(), tick=False):
        assert tasks.refresher_reminders() == 1
        assert tasks.refresher_reminders() == 0
        assert tasks.session_reminders() == 0
        assert tasks.deliver_mail() == 0
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
