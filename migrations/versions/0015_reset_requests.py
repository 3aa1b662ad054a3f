"""Password reset requests are counted per address (hashed) and per IP, to limit how many emails one asks for.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_requests")),
    )
    op.create_index("ix_reset_requests_email_at", "reset_requests", ["email_hash", "at"])
    op.create_index("ix_reset_requests_ip_at", "reset_requests", ["ip", "at"])


def downgrade():
    op.drop_index("ix_reset_requests_ip_at", table_name="reset_requests")
    op.drop_index("ix_reset_requests_email_at", table_name="reset_requests")
    op.drop_table("reset_requests")
