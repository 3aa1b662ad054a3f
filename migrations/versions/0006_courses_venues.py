"""Courses: self-booking becomes no / yes / with_approval, joining instructions, retirement; venues: postcode, access.

Existing courses keep their self-booking setting: true becomes `yes`, false `no`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SELF_BOOKING = sa.Enum("no", "yes", "with_approval", name="self_booking", native_enum=False, create_constraint=False)


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_booking_mode", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("joining_instructions", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE courses SET self_booking_mode = CASE WHEN self_booking THEN 'yes' ELSE 'no' END")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("self_booking")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.alter_column(
            "self_booking_mode",
            new_column_name="self_booking",
            existing_type=sa.String(length=13),
            type_=SELF_BOOKING,
            nullable=False,
            server_default="no",
        )
        batch_op.create_check_constraint(
            op.f("ck_courses_self_booking"), "self_booking IN ('no', 'yes', 'with_approval')"
        )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postcode", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("accessibility_notes", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_column("accessibility_notes")
        batch_op.drop_column("postcode")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_booking_flag", sa.Boolean(), nullable=True))
    op.execute("UPDATE courses SET self_booking_flag = (self_booking <> 'no')")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_self_booking"), type_="check")
        batch_op.drop_column("self_booking")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("joining_instructions")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.alter_column(
            "self_booking_flag", new_column_name="self_booking", existing_type=sa.Boolean(), nullable=False
        )
