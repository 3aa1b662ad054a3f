"""Minimum numbers (SPEC 3.3): a course's `minimum_places` and how many working days before day one coordinators
are told of a session below it (`minimum_notice_days`, default 10); a session's own `minimum_places` (empty: the
course's).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minimum_places", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("minimum_notice_days", sa.Integer(), server_default="10", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_courses_minimum_positive"), "minimum_places IS NULL OR minimum_places >= 1"
        )
        batch_op.create_check_constraint(
            op.f("ck_courses_minimum_notice_in_range"), "minimum_notice_days >= 0 AND minimum_notice_days <= 60"
        )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minimum_places", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_sessions_minimum_positive"), "minimum_places IS NULL OR minimum_places >= 1"
        )


def downgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sessions_minimum_positive"), type_="check")
        batch_op.drop_column("minimum_places")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_minimum_notice_in_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_courses_minimum_positive"), type_="check")
        batch_op.drop_column("minimum_notice_days")
        batch_op.drop_column("minimum_places")
