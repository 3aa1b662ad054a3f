"""Attendance per authority and coverage on the demo partnership, against counts made independently in Python."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from tests.seeds.helpers import seed_demo
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Booking,
    Course,
    MarkStatus,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    TrainingRecord,
)
from training_app.services.reporting.attendance_counts import TOTAL_ATTENDED, attendance_by_authority
from training_app.services.reporting.counting import trained_by_area
from training_app.services.reporting.coverage import coverage_grid

AS_OF = date(2008, 8, 31)


def test_attendance_and_coverage_on_the_demo_agree_with_python_counts(app, app_ctx):
    assert seed_demo(app).exit_code == 0

    came = db.session.execute(
        sa.select(Booking.practitioner_id, Practitioner.authority_key)
        .join(AttendanceMark, AttendanceMark.booking_id == Booking.id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(AttendanceMark.status.in_([MarkStatus.ATTENDED, MarkStatus.PARTIAL]))
    ).all()
    by_key = Counter(key for _, key in set(came))
    rows = attendance_by_authority()
    assert rows[-1].label == TOTAL_ATTENDED
    assert rows[-1].attended == len({person for person, _ in came}) > 0
    assert sorted(row.attended for row in rows[:-1] if row.attended) == sorted(by_key.values())
    assert [row.label for row in rows[:3]] == [row.label for row in trained_by_area(AS_OF)[:3]]

    required_groups = set(
        db.session.execute(
            sa.select(Pathway.group_id)
            .join(PathwayCourse, PathwayCourse.pathway_id == Pathway.id)
            .join(Course, Course.id == PathwayCourse.course_id)
            .where(Course.counts_as_trained.is_(True), PathwayCourse.requirement == Requirement.REQUIRED)
        ).scalars()
    )
    current = set()
    for record in db.session.execute(sa.select(TrainingRecord).join(TrainingRecord.course)).scalars():
        live = record.expires_on is None or record.expires_on > AS_OF
        if record.course.counts_as_trained and record.completed_on <= AS_OF and live:
            current.add(record.practitioner_id)
    required = [
        p
        for p in db.session.execute(sa.select(Practitioner)).scalars()
        if p.group_id in required_groups and not (p.organisation and p.organisation.awareness_only)
    ]
    grid = coverage_grid(AS_OF)
    assert grid.total.required == len(required) > 0
    assert grid.total.current == sum(1 for p in required if p.id in current)
