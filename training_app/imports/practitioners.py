"""`practitioners`: email,first_name,last_name,job_title,organisation,group,authorities,cover_category, and
optionally started_on,left_on (SPEC 3.1, 4.3).

A file without a date column leaves what existing people hold in it alone; a new person it adds starts on the day of
the import (so adding people today cannot change a count as of an earlier date) and has not left. A file with the
column sets it from each row, an empty cell meaning not known (started_on) or still in post (left_on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Authority, CoverCategory, Organisation, Practitioner, ResponsibilityGroup
from ..services.common.batches import fetch_in
from ..services.common.calendar import london_today
from ..services.common.locks import locking
from .base import Reader, Row, shown_codes

DATE_COLUMNS = ("started_on", "left_on")


@dataclass
class PractitionerRecord:
    """A checked practitioners row."""

    row: Row
    email: str
    first_name: str
    last_name: str
    job_title: str | None
    organisation_id: int | None
    group_id: int | None
    authorities: list[Authority]
    cover_category: CoverCategory
    dates: dict[str, date | None]  # the workforce dates the file has columns for, by column name


class PractitionerReader(Reader):
    """Practitioners by email, with the set of authorities they work for (`;`-separated codes)."""

    kind = "practitioners"
    columns = (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "organisation",
        "group",
        "authorities",
        "cover_category",
    )
    optional_columns = DATE_COLUMNS
    key_columns = ("email",)

    def key(self, row: Row) -> tuple[str, ...]:
        return (row["email"].lower(),)

    def load(self, rows: Sequence[Row]) -> None:
        self.today = london_today()
        self.authorities = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}
        self.groups = dict(db.session.execute(sa.select(ResponsibilityGroup.code, ResponsibilityGroup.id)).all())
        organisations = sa.select(Organisation.code, Organisation.id)
        self.organisations = dict(fetch_in(organisations, Organisation.code, (r["organisation"] for r in rows), False))
        # Locked and read afresh (in id order, so two imports at once wait rather than deadlock): a record changed
        # at the same moment, from a form or another file, is changed after it, never merged with it (two sets of
        # authorities written over each other, or one edit failing on links the other removed).
        practitioners = locking(
            sa.select(Practitioner).options(selectinload(Practitioner.authorities)).order_by(Practitioner.id)
        )
        found = fetch_in(practitioners, Practitioner.email, (row["email"].lower() for row in rows))
        self.existing = {practitioner.email: practitioner for practitioner in found}

    def check(self, row: Row) -> PractitionerRecord | None:
        email = row.email("email")
        first_name = row.text("first_name", 100)
        last_name = row.text("last_name", 100)
        job_title = row.text("job_title", 200, required=False)
        organisation_id = row.ref("organisation", self.organisations, "no organisation with code {}", required=False)
        group_id = row.ref("group", self.groups, "no responsibility group with code {}", required=False)
        authorities = self._authorities(row)
        cover_category = row.choice("cover_category", CoverCategory, default=CoverCategory.NONE)
        problems = row.error_count
        dates = {column: row.date(column, required=False) for column in DATE_COLUMNS if column in row.cells}
        if email is not None and row.error_count == problems:  # both dates read: are they in order?
            self._check_dates(row, email, dates)
        if not row.ok:
            return None
        return PractitionerRecord(
            row,
            row.checked(email),
            row.checked(first_name),
            row.checked(last_name),
            job_title,
            organisation_id,
            group_id,
            authorities,
            row.checked(cover_category),
            dates,
        )

    def _authorities(self, row: Row) -> list[Authority]:
        codes = row.code_list("authorities")
        if not codes:
            row.error("authorities", "at least one authority code is required")
        unknown = [code for code in codes if code not in self.authorities]
        if unknown:
            row.error("authorities", f"no authority with code {shown_codes(unknown)}")
        return [self.authorities[code] for code in codes if code in self.authorities]

    def _check_dates(self, row: Row, email: str, dates: dict[str, date | None]) -> None:
        """Nobody leaves before they start: the row's dates, or for a column the file leaves out the date the person
        already holds (a new person starts today)."""
        started, left = self._dates_after(email, dates)
        if started is None or left is None or left >= started:
            return
        if "left_on" in dates:
            row.error("left_on", f"{left} is before started_on ({started}): nobody leaves before they start")
        else:
            row.error("started_on", f"{started} is after left_on ({left}), the date this person left")

    def _dates_after(self, email: str, dates: dict[str, date | None]) -> tuple[date | None, date | None]:
        """(started_on, left_on) the person will hold once the row is written."""
        existing = self.existing.get(email)
        held = (existing.started_on, existing.left_on) if existing is not None else (self.today, None)
        return dates.get("started_on", held[0]), dates.get("left_on", held[1])

    def write(self, records: list[PractitionerRecord]) -> tuple[int, int]:
        created = 0
        for record in records:
            practitioner = self.existing.get(record.email)
            if practitioner is None:
                practitioner = Practitioner(email=record.email, started_on=self.today)
                db.session.add(practitioner)
                created += 1
            practitioner.first_name, practitioner.last_name = record.first_name, record.last_name
            practitioner.job_title = record.job_title
            practitioner.organisation_id, practitioner.group_id = record.organisation_id, record.group_id
            practitioner.cover_category = record.cover_category
            for column, value in record.dates.items():
                setattr(practitioner, column, value)
            practitioner.set_authorities(record.authorities)
        return created, len(records) - created
