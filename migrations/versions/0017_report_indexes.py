"""Indexes for the report filters (issue 8): training records by completion date, for the training-records export's
period and the trained-over-time plot (the existing index leads with the course).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_records_completed_on", "training_records", ["completed_on"])


def downgrade():
    op.drop_index("ix_training_records_completed_on", table_name="training_records")
