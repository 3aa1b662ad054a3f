"""The reminders' scan runs the same few statements however many reminders are due (issue 25: at national scale
checking the log 500 keys at a time took 731 statements): what was sent is left out in SQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.factories import make_course, make_organisation, make_practitioner
from training_app.extensions import db
from training_app.models import Practitioner, RecordSource, ReminderKind, ReminderLog, ReminderStage, TrainingRecord
from training_app.services.common.calendar import london_today
from training_app.services.reminders.reminders import due_reminders


def _records_due(course, organisation, first: int, count: int, expires_on) -> list[int]:
    """`count` practitioners each with a record of the course expiring on the day; their record ids."""
    db.session.execute(
        sa.insert(Practitioner),
        [
            {
                "first_name": "P",
                "last_name": str(n),
                "email": f"p{n}@school.example",
                "organisation_id": organisation.id,
            }
            for n in range(first, first + count)
        ],
    )
    ids = db.session.scalars(
        sa.select(Practitioner.id).where(Practitioner.last_name.in_([str(n) for n in range(first, first + count)]))
    ).all()
    db.session.execute(
        sa.insert(TrainingRecord),
        [
            {
                "practitioner_id": i,
                "course_id": course.id,
                "completed_on": expires_on - timedelta(days=700),
                "expires_on": expires_on,
                "source": RecordSource.IMPORT,
            }
            for i in ids
        ],
    )
    return list(db.session.scalars(sa.select(TrainingRecord.id).where(TrainingRecord.practitioner_id.in_(ids))))


def _scan(count_statements) -> tuple[int, int]:
    with count_statements() as statements:
        due = due_reminders(london_today())
    return len(due), len(statements)


def test_the_scan_does_not_grow_with_the_reminders_due_and_leaves_out_those_sent(app_ctx, count_statements):
    today = london_today()
    course = make_course(code="CAF-R", validity_months=24)
    organisation = make_organisation()
    make_practitioner(organisation)
    _records_due(course, organisation, 0, 1, today + timedelta(days=10))
    db.session.commit()
    few, few_statements = _scan(count_statements)
    assert few == 1

    records = _records_due(course, organisation, 1, 1_200, today + timedelta(days=10))
    overdue = _records_due(course, organisation, 2_000, 10, today - timedelta(days=40))
    sent = records[:400] + overdue[:5]
    db.session.execute(
        sa.insert(ReminderLog),
        [
            {
                "dedupe_key": f"refresher:{i}:{'overdue' if i in overdue else 'due_soon'}",
                "kind": ReminderKind.REFRESHER,
                "stage": ReminderStage.OVERDUE if i in overdue else ReminderStage.DUE_SOON,
                "practitioner_id": db.session.get(TrainingRecord, i).practitioner_id,
                "training_record_id": i,
                "run_date": today,
            }
            for i in sent
        ],
    )
    # a record sent at an earlier stage is due again at its next one
    db.session.execute(
        sa.insert(ReminderLog),
        [
            {
                "dedupe_key": f"refresher:{overdue[9]}:due",
                "kind": ReminderKind.REFRESHER,
                "stage": ReminderStage.DUE,
                "practitioner_id": db.session.get(TrainingRecord, overdue[9]).practitioner_id,
                "run_date": today,
            }
        ],
    )
    db.session.commit()
    many, many_statements = _scan(count_statements)

    assert many == 1 + 800 + 5
    assert many_statements == few_statements
