"""Waiting-list offers (SPEC 3.4, issue 21): a course's `offer_hours` (empty: a freed place is promoted at once); a
booking may be `offered` (the freed place held for it until `offer_expires_at`), `offer_declined` or
`offer_lapsed`; an open offer is an active booking (one per practitioner per course) and holds its place.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

OLD = (
    "booked",
    "waitlisted",
    "attended",
    "absent",
    "cancelled",
    "late_cancelled",
    "no_show",
    "requested",
    "declined",
)
NEW = (*OLD, "offered", "offer_declined", "offer_lapsed")
OLD_ACTIVE = "status IN ('booked', 'waitlisted')"
NEW_ACTIVE = "status IN ('booked', 'waitlisted', 'offered')"


def _check(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="booking_status", native_enum=False, create_constraint=False)


def _active_index(batch_op, where: str) -> None:
    batch_op.create_index(
        "uq_bookings_active_practitioner_course",
        ["practitioner_id", "course_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_hours", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_courses_offer_hours_in_range"), "offer_hours IS NULL OR (offer_hours >= 1 AND offer_hours <= 336)"
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_expires_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f("ck_bookings_booking_status"), type_="check")
        batch_op.alter_column("status", existing_type=_status(OLD), type_=_status(NEW), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_bookings_booking_status"), _check(NEW))
        batch_op.create_check_constraint(
            op.f("ck_bookings_offer_has_expiry"), "status <> 'offered' OR offer_expires_at IS NOT NULL"
        )
        batch_op.drop_index("uq_bookings_active_practitioner_course")
        _active_index(batch_op, NEW_ACTIVE)
        batch_op.create_index(
            "ix_bookings_open_offers",
            ["offer_expires_at"],
            unique=False,
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        )


def downgrade():
    # Open offers end as cancellations, answered ones as the cancellations they were before offers existed.
    op.execute("UPDATE bookings SET status = 'cancelled' WHERE status IN ('offered', 'offer_declined', 'offer_lapsed')")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_open_offers")
        batch_op.drop_index("uq_bookings_active_practitioner_course")
        _active_index(batch_op, OLD_ACTIVE)
        batch_op.drop_constraint(op.f("ck_bookings_offer_has_expiry"), type_="check")
        batch_op.drop_constraint(op.f("ck_bookings_booking_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_bookings_booking_status"), _check(OLD))
        batch_op.drop_column("offer_expires_at")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_courses_offer_hours_in_range"), type_="check")
        batch_op.drop_column("offer_hours")
