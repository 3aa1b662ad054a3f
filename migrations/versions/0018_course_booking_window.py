"""Courses carry a booking window: new sessions close for booking that many working days before day one unless
the session says otherwise (SPEC 3.4, issue 7: per course, default 2).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_closes_days", sa.Integer(), server_default="2", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_courses_booking_window_in_range"), "booking_closes_days >= 0 AND booking_closes_days <= 60"
        )


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_booking_window_in_range"), type_="check")
        batch_op.drop_column("booking_closes_days")
