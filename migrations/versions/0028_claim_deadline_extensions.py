"""Claim deadline extensions (issue 18, SPEC 3.7): finance's later deadline for one school under one fund, with the
reason, who granted it and when; one per school and fund (a change updates it, audited).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "claim_deadline_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("extended_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_claim_deadline_extensions_fund_id_funds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_claim_deadline_extensions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_claim_deadline_extensions_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_deadline_extensions")),
        sa.UniqueConstraint(
            "fund_id", "organisation_id", name=op.f("uq_claim_deadline_extensions_fund_id_organisation_id")
        ),
    )
    with op.batch_alter_table("claim_deadline_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_deadline_extensions_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("claim_deadline_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_deadline_extensions_organisation_id"))
    op.drop_table("claim_deadline_extensions")
