"""Whether the scheduler process is running: after every job it runs it notes the time (a heartbeat, one row of the
settings table), and the reminders page reads it, so a coordinator sees when no reminder or queued email can go
out (SPEC 3.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ...extensions import db
from ...models import Setting, utcnow

HEARTBEAT_KEY = "scheduler_heartbeat"
# Mail delivery runs every 15 seconds, so a scheduler quiet for five minutes is not running (or is stuck).
STOPPED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class SchedulerStatus:
    """When the scheduler last ran a job (None: never), which job, and whether it is running now."""

    last_ran_at: datetime | None
    last_job: str | None
    running: bool


def record_heartbeat(job: str, now: datetime | None = None) -> None:
    """Note that the scheduler has just run `job`; committed (only the one scheduler process writes it)."""
    moment = now or utcnow()
    row = db.session.get(Setting, HEARTBEAT_KEY)
    if row is None:
        row = Setting(key=HEARTBEAT_KEY)
        db.session.add(row)
    row.value, row.changed_at, row.changed_by_id = job[:200], moment, None
    db.session.commit()


def scheduler_status(now: datetime | None = None) -> SchedulerStatus:
    """When the scheduler last ran, and whether that was recent enough (STOPPED_AFTER) to call it running."""
    row = db.session.get(Setting, HEARTBEAT_KEY)
    if row is None:
        return SchedulerStatus(None, None, False)
    return SchedulerStatus(row.changed_at, row.value, (now or utcnow()) - row.changed_at <= STOPPED_AFTER)
