"""Dashboard summaries (issue 25): the whole-workforce counts the coordinator's, admin's and workforce leads'
dashboards show, kept per scope as of a stated time and refreshed by the scheduler and on demand.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(400), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_summaries")),
        sa.UniqueConstraint("scope", name=op.f("uq_dashboard_summaries_scope")),
    )


def downgrade():
    op.drop_table("dashboard_summaries")
