"""Re-dating a course's records after its validity changed (SPEC 3.2): a record's `expires_on` is set when it is made,
from the validity then in force, and a coordinator may bring existing records into line with the validity as it is
now, after a preview of how many change, in one audited step.

Only records of the course itself are re-dated: a record keeps the expiry its own course gives it, also where it
counts for a course it renews (docs/architecture.md). The work is by completion date (a few thousand at most, however
many records), never by record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Course, TrainingRecord, User
from ..accounts import audit
from ..common.locks import lock_row
from .records import expiry_for


class RedateRefused(ValueError):
    """The records changed since the preview: nothing was re-dated."""


@dataclass(frozen=True)
class ExpiryChange:
    """Records of a course completed on one day, whose stored expiry differs from what the validity now gives."""

    completed_on: date
    stored: date | None
    wanted: date | None
    records: int


def expiry_changes(course: Course) -> list[ExpiryChange]:
    """What re-dating the course's records would change, by completion day and stored date (nothing is written)."""
    query = (
        sa.select(TrainingRecord.completed_on, TrainingRecord.expires_on, sa.func.count())
        .where(TrainingRecord.course_id == course.id)
        .group_by(TrainingRecord.completed_on, TrainingRecord.expires_on)
        .order_by(TrainingRecord.completed_on, TrainingRecord.expires_on)
    )
    changes = []
    for completed_on, stored, count in db.session.execute(query):
        wanted = expiry_for(completed_on, course.validity_months)
        if stored != wanted:
            changes.append(ExpiryChange(completed_on, stored, wanted, int(count)))
    return changes


def records_to_redate(course: Course) -> int:
    """How many of the course's records re-dating would change: the preview's number."""
    return sum(change.records for change in expiry_changes(course))


def redate_records(course: Course, expected: int, actor: User | str) -> int:
    """Set every record of the course to expire as its validity now says, audited and committed, provided exactly
    `expected` records change (the number previewed); otherwise RedateRefused and nothing is written. The course is
    locked and read afresh first, so two confirmations at once re-date once: the second finds nothing left to change."""
    course = lock_row(Course, course.id)
    changed = 0
    for change in expiry_changes(course):
        stored = (
            TrainingRecord.expires_on.is_(None) if change.stored is None else TrainingRecord.expires_on == change.stored
        )
        result: sa.CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
            sa.update(TrainingRecord)
            .where(TrainingRecord.course_id == course.id, TrainingRecord.completed_on == change.completed_on, stored)
            .values(expires_on=change.wanted)
            .execution_options(synchronize_session=False)
        )
        changed += result.rowcount
    if changed != expected:
        db.session.rollback()
        raise RedateRefused(
            f"{changed} records of {course.code} would change now, not the {expected} previewed: nothing was "
            "re-dated. Look at the preview again."
        )
    if changed:
        audit.record(
            actor,
            AuditAction.TRAINING_RECORDS_REDATED,
            course,
            {"records": changed},
            {"records": changed, "validity_months": course.validity_months},
        )
    db.session.commit()
    return changed
