"""Practitioners by group, organisation and authority set (issue 8's performance): the workbook's totals per group
and the still-to-train counts read this index alone, without the practitioners' rows.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_practitioners_group_organisation_key", "practitioners", ["group_id", "organisation_id", "authority_key"]
    )


def downgrade():
    op.drop_index("ix_practitioners_group_organisation_key", table_name="practitioners")
