"""Evaluation of a course by those who completed it (SPEC 3.5): each course's form of ordered questions, copied from
the partnership's default form (questions with no course), and each completed booking's evaluation with its answers."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, enum_column, utcnow
from .bookings import Booking


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1 to 5
    YES_NO = "yes_no"
    TEXT = "text"


class EvaluationQuestion(Model):
    """One question of a course's form, or of the partnership's default form when `course_id` is empty. A question
    with answers is retired, never deleted or reworded, so old results keep their meaning."""

    __tablename__ = "evaluation_questions"
    __table_args__ = (sa.Index("ix_evaluation_questions_course_position", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    required: Mapped[bool] = mapped_column(default=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Evaluation(Model):
    """A completed booking's evaluation: asked once (the email), reminded once, given once."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    booking: Mapped[Booking] = relationship()
    answers: Mapped[list[EvaluationAnswer]] = relationship(back_populates="evaluation", cascade="all, delete-orphan")


class EvaluationAnswer(Model):
    """One answer: a rating from 1 to 5, yes or no, or text, as the question's kind says."""

    __tablename__ = "evaluation_answers"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "question_id"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_1_to_5"),
        sa.Index("ix_evaluation_answers_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluations.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_questions.id", ondelete="RESTRICT"))
    rating: Mapped[int | None]
    yes: Mapped[bool | None]
    text: Mapped[str | None] = mapped_column(sa.Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")
    question: Mapped[EvaluationQuestion] = relationship()
