"""What every part of the demo seed shares: the fixed random source, bulk inserts and calendar steps."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.services.common.calendar import is_working_day

SEED = 20081003  # the date of the Bridges report the demo reproduces
AS_OF = date(2008, 8, 31)


@dataclass
class Demo:
    """Ids and plans handed from one part of the seed to the next."""

    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    authority_ids: dict[str, int] = field(default_factory=dict)
    area_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    venue_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    organisations: list = field(default_factory=list)
    group_ids: dict[str, int] = field(default_factory=dict)
    course_ids: dict[str, int] = field(default_factory=dict)
    trainer_ids: list[int] = field(default_factory=list)
    people: list = field(default_factory=list)
    person_count: int = 0  # a running number that makes every email unique
    attended_days: list = field(default_factory=list)
    user_ids: dict[str, int] = field(default_factory=dict)

    def organisation(self, code: str):
        """The seeded organisation with this code."""
        return next(o for o in self.organisations if o.code == code)


def insert_rows(model, rows: Sequence[dict]) -> list[int]:
    """Bulk-insert rows (all with the same keys) and return their new ids in the order given."""
    if not rows:
        return []
    statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, list(rows)).scalars())


def insert_links(table: sa.Table, rows: Sequence[dict]) -> None:
    """Bulk-insert rows of an association table."""
    if rows:
        db.session.execute(table.insert(), list(rows))


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def spread_dates(start: date, end: date, count: int) -> list[date]:
    """`count` distinct working days spread evenly from start to end (inclusive)."""
    span = (end - start).days
    chosen: list[date] = []
    for index in range(count):
        day = next_working_day(start + timedelta(days=span * index // max(count, 1)))
        while chosen and day <= chosen[-1]:
            day = next_working_day(day + timedelta(days=1))
        chosen.append(day)
    return chosen


def end_of_month(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def slug(text: str) -> str:
    """Lower-case letters and digits joined by hyphens, for made-up email domains."""
    words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
    return "-".join(words)[:40].strip("-")
