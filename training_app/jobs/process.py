"""The scheduler process: one APScheduler 3 BlockingScheduler, started by `flask scheduler`, never in a web worker.

Only one may run: it holds a lock for its whole life (PostgreSQL: a session advisory lock on a connection of its
own; SQLite: `flock` on a file beside the database), and a second process started by mistake exits at once. Even
if two did run, every job is idempotent behind a unique key (the reminder log, the mail's claim), so nothing is sent
twice. Jobs run one at a time, missed runs are coalesced into one, and each runs inside the app's context, then
notes the scheduler's heartbeat (`services/reminders/scheduler_heartbeat`), so the reminders page can say whether
it is running.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app

from ..extensions import db
from ..services.reminders.scheduler_heartbeat import record_heartbeat
from .schedule import JOBS, TIMEZONE

ADVISORY_LOCK_KEY = 7_311_011  # any constant the application's other advisory locks do not use


class AlreadyRunning(RuntimeError):
    """Another scheduler process holds the lock."""


@contextmanager
def scheduler_lock() -> Iterator[None]:
    """Hold the one-scheduler lock for the body's duration; AlreadyRunning if another process has it."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            taken = bool(got.scalar())
            connection.commit()
            if not taken:
                raise AlreadyRunning("another scheduler process is running (PostgreSQL advisory lock held)")
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        return
    with _file_lock(_lock_path()):
        yield


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A BlockingScheduler in Europe/London with every job of the schedule, each run in the app's context."""
    scheduler = BlockingScheduler(
        timezone=TIMEZONE, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for job_id, job in JOBS.items():
        scheduler.add_job(_in_context(app, job.task), job.trigger, id=job_id, name=job_id, **job.arguments)
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Take the lock, deliver anything left, then run the schedule until stopped."""
    with scheduler_lock():
        scheduler = build_scheduler(app)
        app.logger.info("scheduler started with jobs: %s", ", ".join(JOBS))
        _in_context(app, JOBS["mail-delivery"].task)()
        scheduler.start()


def _in_context(app: Flask, task: Callable[[], object]) -> Callable[[], None]:
    """The task run in the app's context, a failure logged, then the heartbeat the reminders page reads."""

    def run() -> None:
        with app.app_context():
            try:
                task()
            except Exception:
                current_app.logger.exception("scheduled job %s failed", task.__name__)
            finally:
                db.session.remove()
            try:
                record_heartbeat(task.__name__)
            except Exception:
                current_app.logger.exception("the scheduler could not record its heartbeat")
            finally:
                db.session.remove()

    run.__name__ = task.__name__
    return run


def _lock_path() -> Path:
    database = db.engine.url.database
    if database and database != ":memory:":
        return Path(f"{database}.scheduler.lock")
    return Path(current_app.instance_path) / "scheduler.lock"


@contextmanager
def _file_lock(path: Path) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(f"another scheduler process is running (it holds {path})") from None
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
