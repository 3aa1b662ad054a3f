"""Courses say how their waiting lists are ordered: first come (the default) or by pathway need (SPEC 3.4, issue 7).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WAITLIST_ORDER = sa.Enum(
    "first_come", "pathway_need", name="waitlist_order", native_enum=False, create_constraint=False
)


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waitlist_order", WAITLIST_ORDER, server_default="first_come", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_courses_waitlist_order"), "waitlist_order IN ('first_come', 'pathway_need')"
        )


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_waitlist_order"), type_="check")
        batch_op.drop_column("waitlist_order")
