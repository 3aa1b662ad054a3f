"""What the reminders sent (SPEC 3.6), as the reminders page lists it: the reminder log's entries to practitioners and
the re-awareness reminders to coordinators, which live only as outgoing mail under their dedupe key. What is due to
be sent lives in `reminders`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import OutgoingMail, Practitioner, ReminderLog
from ..common.calendar import to_london
from .reminders import AWARENESS, REAWARENESS_KEY


@dataclass(frozen=True)
class LoggedReminder:
    """A reminder that went out, as the reminders page lists it."""

    run_date: date
    email: str
    kind: str
    stage: str
    dedupe_key: str


def reminder_log(limit: int = 100) -> list[LoggedReminder]:
    """The latest reminders sent, newest first: the reminder log's (to practitioners) and the re-awareness reminders
    to coordinators, which live only as outgoing mail under their dedupe key."""
    logged = db.session.execute(
        sa.select(ReminderLog.sent_at, ReminderLog.run_date, Practitioner.email, ReminderLog.kind, ReminderLog.stage)
        .add_columns(ReminderLog.dedupe_key)
        .join(Practitioner, Practitioner.id == ReminderLog.practitioner_id)
        .order_by(ReminderLog.id.desc())
        .limit(limit)
    )
    entries = [
        (sent_at, LoggedReminder(run_date, email, kind.value, stage.value, key))
        for sent_at, run_date, email, kind, stage, key in logged
    ]
    reawareness = db.session.execute(
        sa.select(OutgoingMail.created_at, OutgoingMail.recipients, OutgoingMail.dedupe_key)
        .where(OutgoingMail.dedupe_key.like(f"{REAWARENESS_KEY}:%"))
        .order_by(OutgoingMail.id.desc())
        .limit(limit)
    )
    entries += [
        (queued_at, LoggedReminder(to_london(queued_at).date(), recipients, AWARENESS, "re-awareness due", key or ""))
        for queued_at, recipients, key in reawareness
    ]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return [entry for _, entry in entries[:limit]]
