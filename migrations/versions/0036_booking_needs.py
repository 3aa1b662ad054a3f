"""Booking questions (SPEC 3.4, issue 21): a booking's access needs and dietary needs, free text, shown only to the
session's trainers and coordinators and erased 30 days after the session ends.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_needs", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("dietary_needs", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("dietary_needs")
        batch_op.drop_column("access_needs")
