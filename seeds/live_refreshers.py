"""The live programme's refreshers (SPEC 5): CAF refresher records from about three years before the load day, so
that on it reminders of every stage are due: some expire within the lead time (due soon), some expired in the last
days (due) and some over 30 days ago (overdue).

They are records of the refresher course, which does not count as 'trained' and is no pathway's required course,
for people trained in the 2007-08 history who take no part in the other live slices; so no 2008 figure and no
'still to train' count moves. CAF-REFRESH renews CAF (seeds/courses.RENEWS), so each is also these people's latest
CAF completion: their CAF is due soon, due or overdue with it, on their pathway, the staff list and the dashboard.
(Last month's refresher in seeds/live_registers makes the demo practitioner's CAF current through it.)
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import Booking, RecordSource, TrainingRecord, TrainingSession
from training_app.services.attendance.records import add_months

from .common import Demo, insert_rows

COURSE = "CAF-REFRESH"
VALIDITY_MONTHS = 36
# Days from the load day to each record's expiry: due soon (within 90 days), due (expired under 30 days ago) and
# overdue (expired 30 to 120 days ago).
EXPIRES_IN_DAYS = (10, 25, 45, 70, 88, 0, -3, -12, -29, -31, -50, -80)


def seed_live_refreshers(demo: Demo, today: date) -> Counter:
    """Insert the records; returns how many."""
    busy = _in_the_live_programme(today)
    people = [p for p in _trained_people(demo) if p.id not in busy][: len(EXPIRES_IN_DAYS)]
    rows = []
    for person, days in zip(people, EXPIRES_IN_DAYS, strict=False):
        completed = add_months(today + timedelta(days=days), -VALIDITY_MONTHS)
        rows.append(
            {
                "practitioner_id": person.id,
                "course_id": demo.course_ids[COURSE],
                "completed_on": completed,
                "expires_on": add_months(completed, VALIDITY_MONTHS),
                "source": RecordSource.IMPORT,
            }
        )
    insert_rows(TrainingRecord, rows)
    return Counter(training_records=len(rows))


def _in_the_live_programme(today: date) -> set[int]:
    """Everyone booked on a session of the live programme (last month's on), whom the other slices use."""
    query = (
        sa.select(Booking.practitioner_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(TrainingSession.starts_on >= today - timedelta(days=62))
    )
    return set(db.session.scalars(query))


def _trained_people(demo: Demo) -> list:
    """People who attended a course in the history, each once, in the order they first attended."""
    seen: dict[int, object] = {}
    for attended in demo.attended_days:
        seen.setdefault(attended.person.id, attended.person)
    return list(seen.values())
