"""Awareness sign-offs carry a status, whether only the month is known, and an evidence file; presentations a
sector (SPEC 3.8).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUSES = ("planned", "delivered", "signed_off")
KINDS = (
    "school",
    "early_years",
    "health",
    "police",
    "social_care",
    "youth",
    "voluntary",
    "probation",
    "prison",
    "adult_services",
    "gp",
    "fe",
    "other",
)


def upgrade():
    with op.batch_alter_table("awareness_signoffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(*STATUSES, name="signoff_status", native_enum=False, create_constraint=True),
                server_default="signed_off",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("completed_month_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("evidence_filename", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("evidence_content_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("evidence_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("evidence_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_awareness_signoffs_evidence_key"), ["evidence_key"])
    with op.batch_alter_table("awareness_presentations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sector_kind",
                sa.Enum(*KINDS, name="organisation_kind", native_enum=False, create_constraint=True),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("awareness_presentations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_awareness_presentations_organisation_kind"), type_="check")
        batch_op.drop_column("sector_kind")
    with op.batch_alter_table("awareness_signoffs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_awareness_signoffs_evidence_key"), type_="unique")
        batch_op.drop_constraint(op.f("ck_awareness_signoffs_signoff_status"), type_="check")
        batch_op.drop_column("evidence_key")
        batch_op.drop_column("evidence_size")
        batch_op.drop_column("evidence_content_type")
        batch_op.drop_column("evidence_filename")
        batch_op.drop_column("completed_month_only")
        batch_op.drop_column("status")
