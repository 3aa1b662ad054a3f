"""Training targets (SPEC 3.10, issue 22): an organisation's or an authority's target for a course, the groups it
covers, its percentage, the day it was set and the day it is due.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(organisation_id IS NULL) <> (authority_id IS NULL)", name=op.f("ck_targets_organisation_or_authority")
        ),
        sa.CheckConstraint("percent >= 1 AND percent <= 100", name=op.f("ck_targets_percent_in_range")),
        sa.CheckConstraint("due_on >= set_on", name=op.f("ck_targets_due_after_set")),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_targets_authority_id_authorities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_targets_course_id_courses"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_targets_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_targets_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_index(op.f("ix_targets_organisation_id"), "targets", ["organisation_id"])
    op.create_index(op.f("ix_targets_authority_id"), "targets", ["authority_id"])
    op.create_table(
        "target_groups",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["responsibility_groups.id"],
            name=op.f("fk_target_groups_group_id_responsibility_groups"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_target_groups_target_id_targets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("target_id", "group_id", name=op.f("pk_target_groups")),
    )


def downgrade():
    op.drop_table("target_groups")
    op.drop_index(op.f("ix_targets_authority_id"), table_name="targets")
    op.drop_index(op.f("ix_targets_organisation_id"), table_name="targets")
    op.drop_table("targets")
