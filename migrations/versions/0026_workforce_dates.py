"""Workforce dates (SPEC 3.1): a practitioner's `started_on` (empty = not known, always in post) and `left_on` (empty
while in post), a CHECK that nobody leaves before they start, and both dates appended to the two covering indexes
that the staff counts read, so a count of those in post on a date still reads an index alone.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_practitioners_group_organisation_key": ["group_id", "organisation_id", "authority_key"],
    "ix_practitioners_organisation_group_key": ["organisation_id", "group_id", "authority_key"],
}


def upgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="practitioners")
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_practitioners_left_after_start"), "left_on IS NULL OR started_on IS NULL OR left_on >= started_on"
        )
    for name, columns in INDEXES.items():
        op.create_index(name, "practitioners", [*columns, "started_on", "left_on"])


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="practitioners")
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_practitioners_left_after_start"), type_="check")
        batch_op.drop_column("left_on")
        batch_op.drop_column("started_on")
    for name, columns in INDEXES.items():
        op.create_index(name, "practitioners", columns)
