"""Interest in a course without dates (SPEC 3.4 Interest): one row per practitioner per course, who registered it
and when; the emails it brings go through outgoing_mail with a dedupe key per interest and session.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_interests_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_course_interests_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_course_interests_registered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_interests")),
        sa.UniqueConstraint("course_id", "practitioner_id", name=op.f("uq_course_interests_course_id_practitioner_id")),
    )
    op.create_index(op.f("ix_course_interests_practitioner_id"), "course_interests", ["practitioner_id"])


def downgrade():
    op.drop_index(op.f("ix_course_interests_practitioner_id"), table_name="course_interests")
    op.drop_table("course_interests")
