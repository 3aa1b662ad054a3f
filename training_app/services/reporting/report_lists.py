"""The people behind the reports, one row each, for exports that may run to a million rows: column selects streamed
in batches (never ORM objects), each with a count so a command can show its progress.

`still_to_train_people` lists exactly the people the 'Still to train' sheet counts (report_rows): their group's
pathway requires a counts_as_trained course, they were not trained by the date, they are not awareness-only staff.
`training_record_rows` lists training records completed within a period, with the certificate of a completed booking.
Both keep to the people who work for a workforce lead's authorities when given.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Certificate, Course, Organisation, Practitioner, ResponsibilityGroup, TrainingRecord
from ..common.batches import Query
from .counting import practitioner_ids_in_scope
from .report_rows import still_to_train_conditions

EXPORT_BATCH = 2000


def still_to_train_query(as_of: date, authority_ids: set[int] | None = None) -> Query:
    """Name, email, job, organisation and its kind and area, group code and authority_key, by name."""
    query = (
        sa.select(
            Practitioner.last_name,
            Practitioner.first_name,
            Practitioner.email,
            Practitioner.job_title,
            Organisation.name.label("organisation"),
            Organisation.kind,
            Area.name.label("area"),
            ResponsibilityGroup.code.label("group"),
            Practitioner.authority_key,
        )
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Area, Area.id == Organisation.area_id)
        .outerjoin(ResponsibilityGroup, ResponsibilityGroup.id == Practitioner.group_id)
        .where(*still_to_train_conditions(as_of))
    )
    if authority_ids is not None:
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
    return query


def still_to_train_people(as_of: date, authority_ids: set[int] | None = None) -> Iterator[sa.Row[Any]]:
    """Everyone still to train on a date, by last name, first name and email, streamed."""
    query = still_to_train_query(as_of, authority_ids).order_by(
        Practitioner.last_name, Practitioner.first_name, Practitioner.email
    )
    yield from db.session.execute(query.execution_options(yield_per=EXPORT_BATCH))


def training_records_query(
    start: date | None = None, end: date | None = None, authority_ids: set[int] | None = None
) -> Query:
    """Each record completed in the period: the person, their organisation, the course, dates, source, certificate."""
    query = (
        sa.select(
            Practitioner.email,
            Practitioner.last_name,
            Practitioner.first_name,
            Organisation.name.label("organisation"),
            Course.code.label("course_code"),
            Course.title.label("course"),
            TrainingRecord.completed_on,
            TrainingRecord.expires_on,
            TrainingRecord.source,
            Certificate.number.label("certificate"),
        )
        .join(Practitioner, Practitioner.id == TrainingRecord.practitioner_id)
        .join(Course, Course.id == TrainingRecord.course_id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Certificate, Certificate.training_record_id == TrainingRecord.id)
    )
    if start is not None:
        query = query.where(TrainingRecord.completed_on >= start)
    if end is not None:
        query = query.where(TrainingRecord.completed_on <= end)
    if authority_ids is not None:
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
    return query


def training_record_rows(
    start: date | None = None, end: date | None = None, authority_ids: set[int] | None = None
) -> Iterator[sa.Row[Any]]:
    """Training records in the period by completion date, then person and course, streamed."""
    query = training_records_query(start, end, authority_ids).order_by(
        TrainingRecord.completed_on, Practitioner.email, Course.code
    )
    yield from db.session.execute(query.execution_options(yield_per=EXPORT_BATCH))


def count_rows(query: Query) -> int:
    """How many rows a list query gives (for a progress bar), counted in SQL."""
    return int(db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
