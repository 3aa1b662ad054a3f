"""The registers a trainer has to mark (their dashboard): sessions they teach running today, or with a past day on
which someone on the register has no mark yet (in the last RECENT_DAYS days). One grouped query, whatever the
user's role."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AttendanceMark, Booking, Course, SessionDay, SessionStatus, Trainer, TrainingSession, User
from ...models.sessions import session_trainers
from .records import ON_REGISTER

MOST_REGISTERS = 20
# How far back a register still left unmarked is shown: a trainer's to-do, not the history (the demo's 2008 sessions
# hold bookings never marked).
RECENT_DAYS = 60


def registers_to_mark(user: User, today: date) -> list[sa.Row[Any]]:
    """Sessions the user is a trainer of, not cancelled, that run today or have marks missing on a past day: code,
    course, first and last day, whether it runs today, and how many marks are missing on recent days that have come."""
    since = today - timedelta(days=RECENT_DAYS)
    return list(db.session.execute(_registers_to_mark(), {"user_id": user.id, "today": today, "since": since}))


@functools.cache
def _registers_to_mark() -> sa.Select[*tuple[Any, ...]]:
    """Built once (every dashboard asks it): the user and the days are bound per call."""
    today, since = sa.bindparam("today", type_=sa.Date), sa.bindparam("since", type_=sa.Date)
    taught = (
        sa.select(session_trainers.c.session_id)
        .join(Trainer, Trainer.id == session_trainers.c.trainer_id)
        .where(Trainer.user_id == sa.bindparam("user_id"))
    )
    unmarked = sa.not_(
        sa.exists().where(AttendanceMark.booking_id == Booking.id, AttendanceMark.session_day_id == SessionDay.id)
    )
    missing = (
        sa.select(SessionDay.session_id, sa.func.count().label("missing"))
        .join(Booking, Booking.session_id == SessionDay.session_id)
        .where(
            SessionDay.session_id.in_(taught),
            SessionDay.date.between(since, today),
            Booking.status.in_(ON_REGISTER),
            unmarked,
        )
        .group_by(SessionDay.session_id)
        .subquery()
    )
    runs_today = TrainingSession.id.in_(sa.select(SessionDay.session_id).where(SessionDay.date == today))
    return (
        sa.select(
            TrainingSession.code,
            Course.title.label("course"),
            TrainingSession.starts_on,
            TrainingSession.ends_on,
            runs_today.label("today"),
            sa.func.coalesce(missing.c.missing, 0).label("missing"),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(missing, missing.c.session_id == TrainingSession.id)
        .where(
            TrainingSession.id.in_(taught),
            TrainingSession.status != SessionStatus.CANCELLED,
            sa.or_(runs_today, missing.c.missing > 0),  # a session not running today: its days are past
        )
        .order_by(runs_today.desc(), TrainingSession.starts_on.desc(), TrainingSession.code)
        .limit(MOST_REGISTERS)
    )
