"""Responsibility groups, courses with prerequisites, and pathways (SPEC 3.2)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Model, UTCDateTime, enum_column


class CourseKind(enum.StrEnum):
    AWARENESS = "awareness"
    AWARENESS_PLUS = "awareness_plus"
    CAF_PRACTITIONER = "caf_practitioner"
    LEAD_PROFESSIONAL = "lead_professional"
    INFORMATION_SHARING = "information_sharing"
    MANAGERS_BRIEFING = "managers_briefing"
    REFRESHER = "refresher"
    OTHER = "other"


class SelfBooking(enum.StrEnum):
    """Whether practitioners may book themselves: not at all, freely, or subject to their organisation's booker."""

    NO = "no"
    YES = "yes"
    WITH_APPROVAL = "with_approval"


class WaitlistOrder(enum.StrEnum):
    """How a course's waiting lists are ordered: first come, or those whose pathway requires it first."""

    FIRST_COME = "first_come"
    PATHWAY_NEED = "pathway_need"


class Requirement(enum.StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    OPTIONAL = "optional"


class PathwayStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    BOOKED = "booked"
    CURRENT = "current"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"


class ResponsibilityGroup(Model):
    """A training group of Working Together to Safeguard Children (data, not code)."""

    __tablename__ = "responsibility_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    definition: Mapped[str] = mapped_column(sa.Text, default="")


course_prerequisites = sa.Table(
    "course_prerequisites",
    db.metadata,
    sa.Column("course_id", sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("prerequisite_id", sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    sa.CheckConstraint("course_id <> prerequisite_id", name="not_own_prerequisite"),
)


class Course(Model):
    """A course that sessions deliver; `counts_as_trained` marks 'trained to CAF assess'."""

    __tablename__ = "courses"
    __table_args__ = (
        sa.CheckConstraint("validity_months IS NULL OR validity_months >= 1", name="validity_positive"),
        sa.CheckConstraint("charge_half_day_pence >= 0 AND charge_day_pence >= 0", name="charges_not_negative"),
        sa.CheckConstraint("cancellation_window_days >= 0", name="window_not_negative"),
        sa.CheckConstraint("booking_closes_days >= 0 AND booking_closes_days <= 60", name="booking_window_in_range"),
        # Bounds the date arithmetic on them (expiry, the due-soon date) can never overflow.
        sa.CheckConstraint("validity_months IS NULL OR validity_months <= 1200", name="validity_at_most_100_years"),
        sa.CheckConstraint("reminder_lead_days >= 0 AND reminder_lead_days <= 3660", name="lead_within_10_years"),
        sa.CheckConstraint(
            "session_reminder_days >= 0 AND session_reminder_days <= 365", name="session_reminder_within_a_year"
        ),
        sa.CheckConstraint("renews_course_id <> id", name="not_own_renewal"),
        sa.CheckConstraint("minimum_places IS NULL OR minimum_places >= 1", name="minimum_positive"),
        sa.CheckConstraint("minimum_notice_days >= 0 AND minimum_notice_days <= 60", name="minimum_notice_in_range"),
        sa.CheckConstraint(
            "offer_hours IS NULL OR (offer_hours >= 1 AND offer_hours <= 336)", name="offer_hours_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[CourseKind] = mapped_column(enum_column(CourseKind, "course_kind"))
    typical_duration_minutes: Mapped[int | None]
    validity_months: Mapped[int | None]
    counts_as_trained: Mapped[bool] = mapped_column(default=False, index=True)
    self_booking: Mapped[SelfBooking] = mapped_column(
        enum_column(SelfBooking, "self_booking"), default=SelfBooking.NO, server_default=SelfBooking.NO.value
    )
    cancellation_window_days: Mapped[int] = mapped_column(default=2)
    # New sessions close for booking this many working days before day one, unless the session says otherwise.
    booking_closes_days: Mapped[int] = mapped_column(default=2, server_default="2")
    waitlist_order: Mapped[WaitlistOrder] = mapped_column(
        enum_column(WaitlistOrder, "waitlist_order"),
        default=WaitlistOrder.FIRST_COME,
        server_default=WaitlistOrder.FIRST_COME.value,
    )
    # How long before a record expires it is due for renewal (SPEC 3.2, 3.6: 90 days unless the course says).
    reminder_lead_days: Mapped[int] = mapped_column(default=90, server_default="90")
    # How many days before day one everyone booked is reminded of a session (SPEC 3.6: 3 unless the course says).
    session_reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")
    charge_half_day_pence: Mapped[int] = mapped_column(default=2500)
    charge_day_pence: Mapped[int] = mapped_column(default=5000)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Shown to everyone booked (confirmation emails and the session page).
    joining_instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The course this one renews (SPEC 3.2: a refresher): completing this one is a completion of that one too.
    # Never a course that itself renews another (services/catalogue/courses.renewal_problem), so never a chain.
    renews_course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id", ondelete="SET NULL"))
    # SPEC 3.3: fewer bookings than this, N working days before day one, and coordinators are told (once per session).
    minimum_places: Mapped[int | None]
    minimum_notice_days: Mapped[int] = mapped_column(default=10, server_default="10")
    # SPEC 3.5: the certificate is withheld until the completed booking's evaluation is in (the record counts anyway).
    certificate_after_evaluation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # SPEC 3.4: a freed place is offered to the first person waiting for this many hours (empty: promoted at once).
    offer_hours: Mapped[int | None]
    # A retired course keeps its records and sessions but takes no new sessions or bookings.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    prerequisites: Mapped[list[Course]] = relationship(
        secondary=course_prerequisites,
        primaryjoin=lambda: Course.id == course_prerequisites.c.course_id,
        secondaryjoin=lambda: Course.id == course_prerequisites.c.prerequisite_id,
        order_by=lambda: Course.code,
    )
    renews: Mapped[Course | None] = relationship(remote_side=lambda: Course.id)


class Pathway(Model):
    """The courses a responsibility group is expected to take."""

    __tablename__ = "pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("responsibility_groups.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    group: Mapped[ResponsibilityGroup] = relationship()
    steps: Mapped[list[PathwayCourse]] = relationship(
        back_populates="pathway", order_by="PathwayCourse.position", cascade="all, delete-orphan"
    )


class PathwayCourse(Model):
    """One course on a pathway: required, recommended or optional, in order."""

    __tablename__ = "pathway_courses"
    __table_args__ = (sa.UniqueConstraint("pathway_id", "course_id"), sa.UniqueConstraint("pathway_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathways.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    requirement: Mapped[Requirement] = mapped_column(enum_column(Requirement, "requirement"))
    position: Mapped[int]

    pathway: Mapped[Pathway] = relationship(back_populates="steps")
    course: Mapped[Course] = relationship()
