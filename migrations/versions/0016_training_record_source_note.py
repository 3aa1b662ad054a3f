"""A training record says where it came from when a coordinator adds it by hand (issue 8): the register,
spreadsheet or certificate behind a historical record.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_note", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_column("source_note")
