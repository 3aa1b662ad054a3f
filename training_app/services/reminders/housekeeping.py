"""Nightly housekeeping (issue 11): expired sign-in records and links go, sessions whose last day has passed are
completed, delivered mail past its keeping time is dropped. Each step is one statement, safe to run twice. Then the
planner's statistics are gathered (issue 25: ANALYZE, and PRAGMA optimize on SQLite)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import AccountLink, MailStatus, OutgoingMail, SessionStatus, SignInFailure, TrainingSession
from ...models.base import utcnow
from ..common.statistics import gather_statistics

# Sign-in failures older than this no longer count towards a lock; links this long past their end are dropped.
SIGN_IN_RECORDS_KEPT = timedelta(days=1)
LINKS_KEPT = timedelta(days=7)
SENT_MAIL_KEPT = timedelta(days=90)


@dataclass(frozen=True)
class Housekeeping:
    """How many rows each step touched."""

    sign_in_failures: int
    links: int
    sessions_completed: int
    mail: int


def housekeep(today: date) -> Housekeeping:
    """Run every step in one committed transaction, then gather the planner's statistics."""
    now = utcnow()
    kept = max(SIGN_IN_RECORDS_KEPT, timedelta(minutes=current_app.config.get("LOGIN_LOCK_MINUTES", 15)))
    failures = db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < now - kept))
    links = db.session.execute(
        sa.delete(AccountLink).where(
            sa.or_(AccountLink.expires_at < now - LINKS_KEPT, AccountLink.used_at < now - LINKS_KEPT)
        )
    )
    completed = db.session.execute(
        sa.update(TrainingSession)
        .where(TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.ends_on < today)
        .values(status=SessionStatus.COMPLETED)
    )
    mail = db.session.execute(
        sa.delete(OutgoingMail).where(
            OutgoingMail.status == MailStatus.SENT, OutgoingMail.sent_at < now - SENT_MAIL_KEPT
        )
    )
    db.session.commit()
    gather_statistics()
    return Housekeeping(*(int(result.rowcount) for result in (failures, links, completed, mail)))  # type: ignore[attr-defined]
