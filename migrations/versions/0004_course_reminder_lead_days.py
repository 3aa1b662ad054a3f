"""Courses carry a reminder lead time: a record is due soon that many days before it expires (SPEC 3.2).

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
        batch_op.create_check_constraint(op.f("ck_courses_lead_not_negative"), "reminder_lead_days >= 0")


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint("ck_courses_lead_not_negative", type_="check")
        batch_op.drop_column("reminder_lead_days")
