"""Claims keep uploaded invoices (claim_files) and a retrospective line may name the invoice it rests on (issue 9).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "claim_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_files_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_claim_files_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_files")),
        sa.UniqueConstraint("key", name=op.f("uq_claim_files_key")),
    )
    with op.batch_alter_table("claim_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_files_claim_id"), ["claim_id"], unique=False)
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_file_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_claim_lines_evidence_file_id_claim_files"),
            "claim_files",
            ["evidence_file_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claim_lines_evidence_file_id_claim_files"), type_="foreignkey")
        batch_op.drop_column("evidence_file_id")
    with op.batch_alter_table("claim_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_files_claim_id"))
    op.drop_table("claim_files")
