"""Merging two records of the same person: one is kept, the other's bookings, attendance, training records,
certificates, claim lines, reminders and account move onto it, and the duplicate goes.

Counts are kept: every booking and every training record survives (a record of the same course on the same
day held by both is one completion, kept once, with a certificate if either had one). What could break a rule
once both sit on one person is refused before anything changes: two active bookings on one course, or two
accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import NoResultFound

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    AuditAction,
    Booking,
    BookingStatus,
    Certificate,
    Course,
    Practitioner,
    TrainingRecord,
    User,
)
from ...models.people import practitioner_authorities
from ..common.locks import lock_row
from . import audit
from .personal_data import is_anonymised

# Bookings of which a person may hold one per course: two of them cannot meet on one record.
OPEN_STATUSES = (*ACTIVE_STATUSES, BookingStatus.REQUESTED)


class MergeRefused(ValueError):
    """The two records cannot be merged as they stand; the message says why."""


@dataclass(frozen=True)
class MergeSummary:
    """What the duplicate held, all of which now belongs to the kept record."""

    bookings: int
    training_records: int
    duplicate_records: int


def merge_problems(keep: Practitioner, duplicate: Practitioner) -> list[str]:
    """Why the duplicate cannot be merged into the kept record (empty when it can)."""
    if keep.id == duplicate.id:
        return ["Choose two different practitioners"]
    problems = [
        f"{person.email} has been anonymised, so it cannot be merged"
        for person in (keep, duplicate)
        if is_anonymised(person)
    ]
    courses = db.session.scalars(
        sa.select(Course.title)
        .join(Booking, Booking.course_id == Course.id)
        .where(Booking.practitioner_id == keep.id, Booking.status.in_(OPEN_STATUSES))
        .where(
            Booking.course_id.in_(
                sa.select(Booking.course_id).where(
                    Booking.practitioner_id == duplicate.id, Booking.status.in_(OPEN_STATUSES)
                )
            )
        )
        .order_by(Course.title)
    ).all()
    problems += [f"Both records have an active booking on {title}: cancel or transfer one first" for title in courses]
    accounts = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.practitioner_id.in_([keep.id, duplicate.id]))
    )
    if accounts and accounts > 1:
        problems.append("Both records have an account: switch one off and unlink it first")
    return problems


def merge_summary(duplicate: Practitioner, keep: Practitioner) -> MergeSummary:
    """Counts of what the merge would move, for the confirmation page."""
    bookings = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.practitioner_id == duplicate.id))
    records = db.session.scalar(
        sa.select(sa.func.count(TrainingRecord.id)).where(TrainingRecord.practitioner_id == duplicate.id)
    )
    return MergeSummary(bookings or 0, records or 0, len(_same_completions(keep, duplicate)))


def merge_practitioners(keep: Practitioner, duplicate: Practitioner, by: User | str) -> MergeSummary:
    """Move everything the duplicate holds onto the kept record and delete the duplicate; audited, committed.

    The kept record's name, email, organisation, group, authorities and cover category stand.
    """
    keep, duplicate = _locked_pair(keep, duplicate)
    problems = merge_problems(keep, duplicate)
    if problems:
        raise MergeRefused("; ".join(problems))
    summary = merge_summary(duplicate, keep)
    old = {"email": duplicate.email, "name": duplicate.full_name, "organisation": _code(duplicate)}
    _fold_same_completions(keep, duplicate)
    _repoint_references(keep.id, duplicate.id)
    db.session.execute(
        sa.delete(practitioner_authorities).where(practitioner_authorities.c.practitioner_id == duplicate.id)
    )
    db.session.expire_all()
    db.session.delete(db.session.get(Practitioner, duplicate.id))
    audit.record(
        by,
        AuditAction.PRACTITIONERS_MERGED,
        keep,
        old=old,
        new={
            "kept": keep.email,
            "bookings_moved": summary.bookings,
            "training_records_moved": summary.training_records - summary.duplicate_records,
            "same_completions_folded": summary.duplicate_records,
        },
    )
    db.session.commit()
    return summary


def _locked_pair(keep: Practitioner, duplicate: Practitioner) -> tuple[Practitioner, Practitioner]:
    """Both records as they are now, locked in id order (two merges at once cannot deadlock); refused when one is
    gone, merged a moment ago by someone else."""
    try:
        locked = {row_id: lock_row(Practitioner, row_id) for row_id in sorted({keep.id, duplicate.id})}
    except NoResultFound:
        raise MergeRefused("one of these records was merged a moment ago: look them up again") from None
    return locked[keep.id], locked[duplicate.id]


def _same_completions(keep: Practitioner, duplicate: Practitioner) -> list[tuple[int, int]]:
    """(kept record id, duplicate record id) for completions of one course on one day that both hold."""
    kept, dup = sa.orm.aliased(TrainingRecord), sa.orm.aliased(TrainingRecord)
    return [
        (row[0], row[1])
        for row in db.session.execute(
            sa.select(kept.id, dup.id)
            .join(dup, sa.and_(dup.course_id == kept.course_id, dup.completed_on == kept.completed_on))
            .where(kept.practitioner_id == keep.id, dup.practitioner_id == duplicate.id)
        )
    ]


def _fold_same_completions(keep: Practitioner, duplicate: Practitioner) -> None:
    """Keep one record per shared completion, taking over the duplicate's certificate and booking if it lacks them."""
    for kept_id, dup_id in _same_completions(keep, duplicate):
        kept, dup = db.session.get(TrainingRecord, kept_id), db.session.get(TrainingRecord, dup_id)
        assert kept is not None and dup is not None
        has_certificate = db.session.scalar(sa.select(Certificate.id).filter_by(training_record_id=kept_id))
        if not has_certificate:
            db.session.execute(
                sa.update(Certificate)
                .where(Certificate.training_record_id == dup_id)
                .values(training_record_id=kept_id)
            )
        booking_id = dup.booking_id
        db.session.delete(dup)
        db.session.flush()
        if kept.booking_id is None and booking_id is not None:
            kept.booking_id = booking_id
            db.session.flush()


def _repoint_references(keep_id: int, duplicate_id: int) -> None:
    """Every column anywhere that points at the duplicate now points at the kept record.

    Found from the schema, so a table added later is moved too; the authorities link is the kept record's own.
    """
    for table in db.metadata.sorted_tables:
        if table is practitioner_authorities:
            continue
        for column in table.columns:
            if any(key.column.table.name == "practitioners" for key in column.foreign_keys):
                db.session.execute(sa.update(table).where(column == duplicate_id).values({column.name: keep_id}))


def _code(practitioner: Practitioner) -> str | None:
    return practitioner.organisation.code if practitioner.organisation else None
