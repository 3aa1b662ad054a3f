"""Registers and certificates (SPEC 3.5, issue 8): a mark keeps the time someone arrived or left and a note; a
certificate can be revoked and outlives the training record it was issued for (withdrawn when a mark changes).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RECORD_FK = "fk_certificates_training_record_id_training_records"


def upgrade():
    with op.batch_alter_table("attendance_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("noted_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.String(length=400), server_default="", nullable=False))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("training_record_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(RECORD_FK, type_="foreignkey")
        batch_op.create_foreign_key(RECORD_FK, "training_records", ["training_record_id"], ["id"], ondelete="SET NULL")


def downgrade():
    op.execute("DELETE FROM certificates WHERE training_record_id IS NULL")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(RECORD_FK, type_="foreignkey")
        batch_op.create_foreign_key(RECORD_FK, "training_records", ["training_record_id"], ["id"], ondelete="CASCADE")
        batch_op.alter_column("training_record_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("attendance_marks", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("noted_time")
