"""Practitioners by organisation, group and authority set (issue 8's performance), in place of the index on the
organisation alone: the staff of awareness-only organisations per group and authority set are read from this index
alone, so the workbook's totals need not ask of every practitioner whether their organisation is awareness-only.
It still serves every lookup by organisation.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_practitioners_organisation_group_key", "practitioners", ["organisation_id", "group_id", "authority_key"]
    )
    op.drop_index("ix_practitioners_organisation_id", table_name="practitioners")


def downgrade():
    op.create_index("ix_practitioners_organisation_id", "practitioners", ["organisation_id"])
    op.drop_index("ix_practitioners_organisation_group_key", table_name="practitioners")
