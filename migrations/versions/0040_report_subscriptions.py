"""Report subscriptions (SPEC 3.11, issue 23): a user's request for a report's workbook by email every week or every
month, one per user and report.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

REPORTS = ("trained-by-area", "still-to-train", "targets", "attendance-by-authority")
FREQUENCIES = ("weekly", "monthly")


def upgrade():
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "report",
            sa.Enum(*REPORTS, name="subscribed_report", native_enum=False, create_constraint=True, length=23),
            nullable=False,
        ),
        sa.Column(
            "frequency",
            sa.Enum(*FREQUENCIES, name="subscription_frequency", native_enum=False, create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("frequency_since", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_report_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_subscriptions")),
        sa.UniqueConstraint("user_id", "report", name=op.f("uq_report_subscriptions_user_id_report")),
    )


def downgrade():
    op.drop_table("report_subscriptions")
