"""A practitioner's interest in a course without dates (SPEC 3.4 Interest): one per practitioner per course."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .courses import Course
from .people import Practitioner


class CourseInterest(Model):
    """ "Tell me when there are dates": who asked (the practitioner, their booker or a coordinator) and when. It lasts
    until withdrawn; a booking on the course answers it (services/booking/interest)."""

    __tablename__ = "course_interests"
    __table_args__ = (sa.UniqueConstraint("course_id", "practitioner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioners.id", ondelete="CASCADE"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    practitioner: Mapped[Practitioner] = relationship()
