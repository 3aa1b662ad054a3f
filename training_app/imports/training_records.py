"""`training-records`: practitioner,course,completed_on, for training done before the system (SPEC 3.6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Course, Practitioner, RecordSource, TrainingRecord
from ..services.attendance.records import expiry_for
from ..services.common.batches import fetch_in
from ..services.common.calendar import london_today
from .base import Reader, Row


@dataclass
class TrainingRecordRecord:
    """A checked training-records row."""

    row: Row
    practitioner_id: int
    course: Course
    completed_on: date


class TrainingRecordReader(Reader):
    """Historical training records; the same course completed on two dates is two records."""

    kind = "training-records"
    columns = ("practitioner", "course", "completed_on")
    key_columns = ("practitioner", "course", "completed_on")

    def key(self, row: Row) -> tuple[str, ...]:
        return (row["practitioner"].lower(), row["course"], row["completed_on"])

    def load(self, rows: Sequence[Row]) -> None:
        emails = (row["practitioner"].lower() for row in rows)
        people = sa.select(Practitioner.email, Practitioner.id)
        self.practitioners = dict(fetch_in(people, Practitioner.email, emails, scalars=False))
        self.courses = {c.code: c for c in fetch_in(sa.select(Course), Course.code, (r["course"] for r in rows))}
        records = fetch_in(sa.select(TrainingRecord), TrainingRecord.practitioner_id, self.practitioners.values())
        self.existing = {(r.practitioner_id, r.course_id, r.completed_on): r for r in records}
        self.today = london_today()  # the day the partnership is in, not the server's

    def check(self, row: Row) -> TrainingRecordRecord | None:
        practitioner_id = row.ref("practitioner", self.practitioners, "no practitioner with email {}", lower=True)
        course = row.ref("course", self.courses, "no course with code {}")
        completed_on = row.date("completed_on")
        if completed_on is not None and completed_on > self.today:
            row.error("completed_on", f"{completed_on} is in the future")
        if not row.ok:
            return None
        return TrainingRecordRecord(row, row.checked(practitioner_id), row.checked(course), row.checked(completed_on))

    def write(self, records: list[TrainingRecordRecord]) -> tuple[int, int]:
        created = 0
        for record in records:
            key = (record.practitioner_id, record.course.id, record.completed_on)
            training_record = self.existing.get(key)
            if training_record is None:
                training_record = TrainingRecord(
                    practitioner_id=record.practitioner_id,
                    course_id=record.course.id,
                    completed_on=record.completed_on,
                    # Set once, from the validity in force now (SPEC 3.2); only re-dating changes it later.
                    expires_on=expiry_for(record.completed_on, record.course.validity_months),
                    source=RecordSource.IMPORT,
                )
                db.session.add(training_record)
                created += 1
        return created, len(records) - created
