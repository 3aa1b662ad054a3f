"""Practitioners carry when they were added, so someone added with no booking or training yet is not offered for
anonymising as inactive (issue 12's gap). Existing rows take their earliest audit event, where there is one.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("practitioners", sa.Column("created_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE practitioners SET created_at = (SELECT min(audit_events.at) FROM audit_events"
        " WHERE audit_events.entity_type = 'practitioner' AND audit_events.entity_id = practitioners.id)"
    )


def downgrade():
    with op.batch_alter_table("practitioners") as batch:
        batch.drop_column("created_at")
