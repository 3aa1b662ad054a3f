"""Report answers kept for the data as it stands (issue 25): `report_generation`, one row raised by every commit that
writes to a table the reports count, and `report_answers`, each report's answer for a date and scope under the
generation it was counted at (and a count under way), so a report page counts the workforce once per change.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table(
        "report_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_generation")),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 1}])
    op.create_table(
        "report_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(60), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(400), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=True),
        sa.Column("counted_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("claimed_generation", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_answers")),
        sa.UniqueConstraint("report", "as_of", "scope", name=op.f("uq_report_answers_report_as_of_scope")),
    )


def downgrade():
    op.drop_table("report_answers")
    op.drop_table("report_generation")
