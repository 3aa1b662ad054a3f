"""Refresher status per area over the coming months (the workforce dashboard, issue 11): how many records no later
completion supersedes (attendance/completions.open_records, as reminders read them) fall due (expire, by their
stored date) in each of the next months, by the area of the practitioner's organisation, with those already expired,
for people in post today (SPEC 3.1: a leaver needs no refresher); one grouped query, read through the index on
`training_records.expires_on`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Organisation, Practitioner, TrainingRecord
from ..attendance.completions import open_records
from ..attendance.records import add_months
from ..workforce.in_post import in_post_on
from .counting import practitioner_ids_in_scope

MONTHS = 6


@dataclass(frozen=True)
class OutlookRow:
    """One area: records already expired, then how many expire in each coming month."""

    area: str
    expired: int
    by_month: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.expired + sum(self.by_month)


@dataclass(frozen=True)
class RefresherOutlook:
    months: tuple[date, ...]
    rows: tuple[OutlookRow, ...]


def refresher_outlook(today: date, authority_ids: set[int] | None = None, months: int = MONTHS) -> RefresherOutlook:
    """Per area, latest records expired by today and those expiring in each of the next `months` calendar months."""
    first = today.replace(day=1)
    starts = tuple(add_months(first, n) for n in range(months))
    end = add_months(first, months)
    record = TrainingRecord
    month = sa.case(
        (record.expires_on <= today, -1),
        *((record.expires_on < add_months(start, 1), n) for n, start in enumerate(starts)),
        else_=months,
    )
    window = sa.and_(record.expires_on < end, record.expires_on > add_months(first, -12))
    near = sa.select(record.practitioner_id).where(window)
    query = (
        sa.select(Area.name, month.label("month"), sa.func.count())
        .select_from(record)
        .join(Practitioner, Practitioner.id == record.practitioner_id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Area, Area.id == Organisation.area_id)
        .where(
            in_post_on(today),
            window,  # expired within the last year still wants a refresher
            record.id.in_(open_records(near)),  # the latest completion of each course it counts for
        )
        .group_by(Area.name, month)
    )
    if authority_ids is not None:
        query = query.where(record.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    counts: dict[str, list[int]] = {}
    for area, index, count in db.session.execute(query):
        cells = counts.setdefault(area or "No area", [0] * (months + 1))
        if 0 <= int(index) + 1 <= months:
            cells[int(index) + 1] += int(count)
    names = sorted(name for name in counts if name != "No area") + (["No area"] if "No area" in counts else [])
    rows = tuple(OutlookRow(name, counts[name][0], tuple(counts[name][1:])) for name in names)
    return RefresherOutlook(starts, rows)
