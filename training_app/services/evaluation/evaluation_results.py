"""Evaluation results (SPEC 3.5) per session, course or trainer: responses of completed bookings (the response
rate, of those asked), each rating question's mean and counts of 1-5, yes/no counts, and comments. Counted in SQL,
one statement for the counts and one for the comments, whatever the number of responses. Coordinators see comments
with the name of who wrote them; a session's trainers see their own sessions' results without names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Booking,
    BookingStatus,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    Practitioner,
    QuestionKind,
    Trainer,
    TrainingSession,
    User,
)
from ...models.sessions import session_trainers
from ..accounts.scope import is_staff
from ..attendance.registers import can_mark_register

RATINGS = ("1", "2", "3", "4", "5")


@dataclass
class QuestionResult:
    id: int
    text: str
    kind: QuestionKind
    retired: bool
    counts: dict[str, int] = field(default_factory=dict)  # "1".."5", or "yes"/"no"
    mean: float | None = None
    comments: list[tuple[str | None, str]] = field(default_factory=list)  # (name or None, text)

    @property
    def answers(self) -> int:
        return sum(self.counts.values()) if self.kind != QuestionKind.TEXT else len(self.comments)


@dataclass
class Results:
    completed: int
    responses: int
    questions: list[QuestionResult]
    # Completed bookings asked to evaluate (or evaluated unasked): history completed before evaluation began, never
    # asked, is left out of the response rate, which would otherwise read 1% for a trainer with years of sessions.
    asked: int = 0

    @property
    def response_rate(self) -> int | None:
        """Whole percent of the completed bookings asked to evaluate that have given their evaluation."""
        return round(100 * self.responses / self.asked) if self.asked else None


def may_see_session_results(user: User, session: TrainingSession) -> bool:
    """Coordinators and admins, and the session's own trainers."""
    return can_mark_register(user, session)


def session_results(session_id: int, with_names: bool) -> Results:
    return _results(Booking.session_id == session_id, with_names)


def course_results(course_id: int, start: date | None, end: date | None, with_names: bool) -> Results:
    """A course's results over the sessions ending in the period (either end open)."""
    where = [Booking.course_id == course_id, *_period(start, end)]
    return _results(sa.and_(*where), with_names)


def trainer_results(trainer_id: int, start: date | None = None, end: date | None = None) -> Results:
    """A trainer's sessions' results, without names (what a trainer sees of their own work)."""
    taught = sa.select(session_trainers.c.session_id).where(session_trainers.c.trainer_id == trainer_id)
    return _results(sa.and_(Booking.session_id.in_(taught), *_period(start, end)), with_names=False)


def _period(start: date | None, end: date | None) -> list[sa.ColumnElement[bool]]:
    ends = sa.select(TrainingSession.id)
    if start is not None:
        ends = ends.where(TrainingSession.ends_on >= start)
    if end is not None:
        ends = ends.where(TrainingSession.ends_on <= end)
    return [Booking.session_id.in_(ends)] if start is not None or end is not None else []


def _results(bookings_where: sa.ColumnElement[bool], with_names: bool) -> Results:
    completed, asked, responses = db.session.execute(
        sa.select(sa.func.count(Booking.id), sa.func.count(Evaluation.id), sa.func.count(Evaluation.given_at))
        .outerjoin(Evaluation, Evaluation.booking_id == Booking.id)
        .where(bookings_where, Booking.status == BookingStatus.ATTENDED)
    ).one()
    given = (
        sa.select(Evaluation.id)
        .join(Booking, Booking.id == Evaluation.booking_id)
        .where(bookings_where, Booking.status == BookingStatus.ATTENDED, Evaluation.given_at.is_not(None))
    )
    value = sa.case(
        (EvaluationAnswer.rating.is_not(None), sa.cast(EvaluationAnswer.rating, sa.String)),
        (EvaluationAnswer.yes.is_(True), sa.literal("yes")),
        (EvaluationAnswer.yes.is_(False), sa.literal("no")),
    )
    counted = db.session.execute(
        sa.select(
            EvaluationQuestion.id,
            EvaluationQuestion.position,
            EvaluationQuestion.text,
            EvaluationQuestion.kind,
            EvaluationQuestion.retired_at,
            value.label("value"),
            sa.func.count(EvaluationAnswer.id),
        )
        .join(EvaluationAnswer, EvaluationAnswer.question_id == EvaluationQuestion.id)
        .where(EvaluationAnswer.evaluation_id.in_(given))
        .group_by(
            EvaluationQuestion.id,
            EvaluationQuestion.position,
            EvaluationQuestion.text,
            EvaluationQuestion.kind,
            EvaluationQuestion.retired_at,
            value,
        )
    ).all()
    questions: dict[int, QuestionResult] = {}
    order: dict[int, tuple[int, int]] = {}
    for question_id, position, text, kind, retired_at, answer, count in counted:
        result = questions.setdefault(question_id, QuestionResult(question_id, text, kind, retired_at is not None))
        order[question_id] = (position, question_id)
        if kind == QuestionKind.RATING and answer is not None or kind == QuestionKind.YES_NO and answer is not None:
            result.counts[answer] = result.counts.get(answer, 0) + count
    for result in questions.values():
        if result.kind == QuestionKind.RATING:
            result.counts = {rating: result.counts.get(rating, 0) for rating in RATINGS}
            total = sum(result.counts.values())
            result.mean = round(sum(int(k) * n for k, n in result.counts.items()) / total, 2) if total else None
        elif result.kind == QuestionKind.YES_NO:
            result.counts = {"yes": result.counts.get("yes", 0), "no": result.counts.get("no", 0)}
    comments = db.session.execute(
        sa.select(EvaluationAnswer.question_id, Practitioner.first_name, Practitioner.last_name, EvaluationAnswer.text)
        .join(Evaluation, Evaluation.id == EvaluationAnswer.evaluation_id)
        .join(Booking, Booking.id == Evaluation.booking_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(EvaluationAnswer.evaluation_id.in_(given), EvaluationAnswer.text.is_not(None))
        .order_by(Evaluation.given_at, EvaluationAnswer.id)
    )
    for question_id, first, last, text in comments:
        if question_id in questions:
            questions[question_id].comments.append((f"{first} {last}" if with_names else None, text or ""))
    ordered = [questions[key] for key in sorted(questions, key=lambda key: order[key])]
    return Results(completed, responses, ordered, asked)


def sessions_with_results(
    course_id: int | None = None, trainer_id: int | None = None
) -> list[tuple[str, date | None, int, int]]:
    """Each session of the course (or taught by the trainer) whose completed bookings were asked to evaluate: code,
    last day, completed, responses; latest first (history completed before evaluation began has nothing to show)."""
    query = (
        sa.select(
            TrainingSession.code,
            TrainingSession.ends_on,
            sa.func.count(Booking.id),
            sa.func.count(Evaluation.given_at),
        )
        .join(Booking, Booking.session_id == TrainingSession.id)
        .outerjoin(Evaluation, Evaluation.booking_id == Booking.id)
        .where(Booking.status == BookingStatus.ATTENDED)
        .group_by(TrainingSession.code, TrainingSession.ends_on)
        .having(sa.func.count(Evaluation.id) > 0)
        .order_by(TrainingSession.ends_on.desc())
    )
    if course_id is not None:
        query = query.where(TrainingSession.course_id == course_id)
    if trainer_id is not None:
        taught = sa.select(session_trainers.c.session_id).where(session_trainers.c.trainer_id == trainer_id)
        query = query.where(TrainingSession.id.in_(taught))
    return [(code, ends_on, completed, responses) for code, ends_on, completed, responses in db.session.execute(query)]


def may_see_trainer_results(user: User, trainer: Trainer) -> bool:
    """Coordinators and admins, and the trainer themself."""
    return is_staff(user) or (trainer.user_id is not None and trainer.user_id == user.id)
