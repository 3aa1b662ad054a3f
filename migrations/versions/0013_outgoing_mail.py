"""The outgoing-mail table (every email is written here in the transaction that caused it, then delivered) and how
many days before day one a course's session reminders go (SPEC 3.6, 6; issue 11).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATUSES = ("queued", "sending", "sent", "failed")


def upgrade():
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="mail_status", native_enum=False, create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outgoing_mail_message_id")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outgoing_mail_dedupe_key")),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_mail_status_next", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_reminder_days", sa.Integer(), server_default="3", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_courses_session_reminder_within_a_year"),
            "session_reminder_days >= 0 AND session_reminder_days <= 365",
        )


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_session_reminder_within_a_year"), type_="check")
        batch_op.drop_column("session_reminder_days")
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_outgoing_mail_status_next")
    op.drop_table("outgoing_mail")
