"""Sessions carry a cancellation reason and an iCalendar SEQUENCE; trainers a hashed calendar feed token (SPEC 3.3).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint(op.f("ck_sessions_sequence_not_negative"), "sequence >= 0")
    with op.batch_alter_table("trainers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_trainers_feed_token_hash"), ["feed_token_hash"])


def downgrade():
    with op.batch_alter_table("trainers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_trainers_feed_token_hash"), type_="unique")
        batch_op.drop_column("feed_token_hash")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sessions_sequence_not_negative"), type_="check")
        batch_op.drop_column("sequence")
        batch_op.drop_column("cancel_reason")
