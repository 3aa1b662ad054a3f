"""Bookings may be `requested` (a practitioner asking for a place on a `with_approval` course, holding none) or
`declined` (their booker said no, with a reason); one open request per practitioner per course (SPEC 3.4, issue 7).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD = ("booked", "waitlisted", "attended", "absent", "cancelled", "late_cancelled", "no_show")
NEW = (*OLD, "requested", "declined")


def _check(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="booking_status", native_enum=False, create_constraint=False)


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_bookings_booking_status"), type_="check")
        batch_op.alter_column("status", existing_type=_status(OLD), type_=_status(NEW), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_bookings_booking_status"), _check(NEW))
        batch_op.create_index(
            "uq_bookings_requested_practitioner_course",
            ["practitioner_id", "course_id"],
            unique=True,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("uq_bookings_requested_practitioner_course")
        batch_op.drop_constraint(op.f("ck_bookings_booking_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_bookings_booking_status"), _check(OLD))
