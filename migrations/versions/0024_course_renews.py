"""A course may renew another (SPEC 3.2: `CAF-REFRESH` renews `CAF`): completing it is a completion of the renewed
course too. Nullable; a course never renews itself (a CHECK), and no course renews one that renews another (the
courses service and import refuse chains and loops).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renews_course_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_courses_renews_course_id_courses"), "courses", ["renews_course_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_check_constraint(op.f("ck_courses_not_own_renewal"), "renews_course_id <> id")


def downgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_not_own_renewal"), type_="check")
        batch_op.drop_constraint(op.f("fk_courses_renews_course_id_courses"), type_="foreignkey")
        batch_op.drop_column("renews_course_id")
