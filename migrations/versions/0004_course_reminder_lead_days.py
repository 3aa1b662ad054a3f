"""Courses carry a reminder lead time: a record is due soon that many days before it expires (SPEC 3.2).

Validity and lead time are bounded, so the date arithmetic on them cannot overflow.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_lead_days", sa.Integer(), server_default="90", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_courses_lead_within_10_years"), "reminder_lead_days >= 0 AND reminder_lead_days <= 3660"
        )
        batch_op.create_check_constraint(
            op.f("ck_courses_validity_at_most_100_years"), "validity_months IS NULL OR validity_months <= 1200"
        )


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_validity_at_most_100_years"), type_="check")
        batch_op.drop_constraint(op.f("ck_courses_lead_within_10_years"), type_="check")
        batch_op.drop_column("reminder_lead_days")
