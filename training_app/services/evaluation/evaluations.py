"""Asking for, giving and awaiting evaluations (SPEC 3.5).

When a booking completes (a register or an import), its practitioner is asked once: an `evaluations` row and an
email with the link, in the completion's transaction (the email's dedupe key makes it once however often the
completion is recorded). Completions of sessions that ended more than ASK_WITHIN_DAYS ago (history loaded at
go-live) ask nobody. Seven days on, one reminder. The answers are given once, by the practitioner, checked whole:
every problem is listed and nothing is written. Where the course says so, the certificate is withheld while an
evaluation asked for is not in; the training record counts from completion regardless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import (
    AuditAction,
    Booking,
    BookingStatus,
    Certificate,
    Course,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    Practitioner,
    QuestionKind,
    TrainingRecord,
    TrainingSession,
    User,
    utcnow,
)
from ...validation import control_character_problem
from ..accounts import audit
from ..booking.booking_mail import sending
from ..common.calendar import london_today, to_london
from ..common.locks import lock_row
from ..mail.mail import queue_email
from ..workforce.in_post import not_left_by
from .evaluation_forms import course_form_for_answers, ensure_own_forms

ASK_WITHIN_DAYS = 60
REMIND_AFTER_DAYS = 7
MAX_COMMENT = 2000
YES, NO = "yes", "no"


class Refusal(Enum):
    INVALID = 422
    FORBIDDEN = 403
    NOT_FOUND = 404
    CONFLICT = 409


@dataclass(frozen=True)
class AnswerProblem:
    """Why an answer cannot be saved: the question's id (None for the whole evaluation) and a message."""

    question_id: int | None
    message: str


class EvaluationRefused(ValueError):
    """Nothing was written; every problem is listed, with the kind of refusal (the API's status)."""

    def __init__(self, problems: Sequence[AnswerProblem], kind: Refusal = Refusal.INVALID) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems, self.kind = list(problems), kind


@dataclass(frozen=True)
class Awaited:
    """An evaluation asked for and not given: what the practitioner's dashboard lists."""

    booking_id: int
    session_code: str
    course_title: str
    ends_on: object
    withholds_certificate: bool


def evaluation_link(booking_id: int) -> str:
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/bookings/{booking_id}/evaluation"


def ask_for_evaluations(bookings: Sequence[Booking]) -> int:
    """Ask each completed booking's practitioner once, in the caller's transaction; returns how many were asked."""
    cutoff = london_today() - timedelta(days=ASK_WITHIN_DAYS)
    recent = [b for b in bookings if b.session.ends_on is not None and b.session.ends_on >= cutoff]
    if not recent:
        return 0
    asked = set(
        db.session.scalars(sa.select(Evaluation.booking_id).where(Evaluation.booking_id.in_([b.id for b in recent])))
    )
    new = [booking for booking in recent if booking.id not in asked]
    ensure_own_forms({booking.course_id for booking in new})
    for booking in new:
        db.session.add(Evaluation(booking_id=booking.id))
        if sending():
            _email(booking, reminder=False)
    db.session.flush()
    return len(new)


def _email(booking: Booking, reminder: bool) -> None:
    session, practitioner = booking.session, booking.practitioner
    course = session.course
    subject = f"{'Reminder: e' if reminder else 'E'}valuate {course.title} ({session.code})"
    lines = [
        f"Dear {practitioner.full_name},",
        "",
        f"Thank you for attending {course.title}, session {session.code}. Please tell us how it went: it takes a "
        "couple of minutes.",
        "",
        evaluation_link(booking.id),
    ]
    if course.certificate_after_evaluation:
        lines += ["", "Your certificate of attendance is released once your evaluation is in."]
    key = f"evaluation-{'reminder' if reminder else 'asked'}:{booking.id}"
    queue_email([practitioner.email], subject, "\n".join(lines) + "\n", dedupe_key=key)


def remind_evaluations(now: datetime | None = None) -> int:
    """Remind, once, everyone asked REMIND_AFTER_DAYS ago or more who has not given their evaluation (and whose
    booking still stands completed), except leavers (SPEC 3.1: no reminders; their account is off, so the link
    would not open); committed. The scheduler's daily job."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Evaluation)
        .join(Booking, Booking.id == Evaluation.booking_id)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(
            Evaluation.given_at.is_(None),
            Evaluation.reminded_at.is_(None),
            Evaluation.asked_at <= now - timedelta(days=REMIND_AFTER_DAYS),
            Booking.status == BookingStatus.ATTENDED,
            not_left_by(to_london(now).date()),
        )
        .order_by(Evaluation.id)
        .with_for_update(skip_locked=True, of=Evaluation)
    ).all()
    for evaluation in due:
        evaluation.reminded_at = now
        _email(evaluation.booking, reminder=True)
    db.session.commit()
    return len(due)


def evaluation_of(booking: Booking) -> Evaluation | None:
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.booking_id == booking.id))


def evaluation_problem(booking: Booking, user: User) -> EvaluationRefused | None:
    """Why this user cannot evaluate this booking now (not theirs, not completed, already given), or None."""
    if user.practitioner_id is None or user.practitioner_id != booking.practitioner_id:
        return EvaluationRefused(
            [AnswerProblem(None, "Only the person trained evaluates their course")], Refusal.FORBIDDEN
        )
    if booking.status != BookingStatus.ATTENDED:
        return EvaluationRefused(
            [AnswerProblem(None, "This booking is not completed, so there is nothing to evaluate yet")],
            Refusal.CONFLICT,
        )
    evaluation = evaluation_of(booking)
    if evaluation is not None and evaluation.given_at is not None:
        return EvaluationRefused(
            [AnswerProblem(None, "You have already evaluated this course: thank you")], Refusal.CONFLICT
        )
    return None


def give_evaluation(booking_id: int, answers: Mapping[int, str], user: User, now: datetime | None = None) -> Evaluation:
    """Save the practitioner's answers, by question id (ratings '1'-'5', 'yes'/'no', text), once; committed and
    audited. EvaluationRefused lists every problem and writes nothing."""
    now = now or utcnow()
    booking = lock_row(Booking, booking_id)
    refused = evaluation_problem(booking, user)
    if refused is not None:
        db.session.rollback()
        raise refused
    questions, keyed = course_form_for_answers(booking.course_id, dict(answers))
    problems, parsed = _checked(questions, keyed)
    if problems:
        db.session.rollback()
        raise EvaluationRefused(problems)
    evaluation = evaluation_of(booking)
    if evaluation is None:  # completed before asking began, or history: evaluated all the same
        evaluation = Evaluation(booking_id=booking.id, asked_at=now)
        db.session.add(evaluation)
    evaluation.given_at = now
    for question, value in parsed:
        answer = EvaluationAnswer(question_id=question.id)
        if question.kind == QuestionKind.RATING:
            answer.rating = int(value)
        elif question.kind == QuestionKind.YES_NO:
            answer.yes = value == YES
        else:
            answer.text = value
        evaluation.answers.append(answer)
    db.session.flush()
    audit.record(user, AuditAction.EVALUATION_GIVEN, booking, None, {"answers": len(parsed)})
    db.session.commit()
    return evaluation


def _checked(
    questions: Sequence[EvaluationQuestion], answers: Mapping[int, str]
) -> tuple[list[AnswerProblem], list[tuple[EvaluationQuestion, str]]]:
    problems: list[AnswerProblem] = []
    parsed: list[tuple[EvaluationQuestion, str]] = []
    known = {question.id for question in questions}
    for question_id in answers:
        if question_id not in known:
            problems.append(AnswerProblem(question_id, f"Question {question_id} is not on this course's form"))
    for question in questions:
        value = (
            " ".join(str(answers.get(question.id, "")).split())
            if question.kind != QuestionKind.TEXT
            else str(answers.get(question.id, "")).strip()
        )
        if not value:
            if question.required:
                problems.append(AnswerProblem(question.id, f"Answer “{question.text}”"))
            continue
        problem = _value_problem(question, value)
        if problem:
            problems.append(AnswerProblem(question.id, problem))
        else:
            parsed.append((question, value))
    return problems, parsed


def _value_problem(question: EvaluationQuestion, value: str) -> str | None:
    if question.kind == QuestionKind.RATING and value not in {"1", "2", "3", "4", "5"}:
        return f"Choose a rating from 1 to 5 for “{question.text}”"
    if question.kind == QuestionKind.YES_NO and value not in {YES, NO}:
        return f"Choose yes or no for “{question.text}”"
    if question.kind == QuestionKind.TEXT:
        if len(value) > MAX_COMMENT:
            return f"“{question.text}” must be {MAX_COMMENT:,} characters or fewer"
        problem = control_character_problem(value, multiline=True)
        if problem:
            return f"“{question.text}” {problem}"
    return None


def awaited_evaluations(practitioner_id: int) -> list[Awaited]:
    """The practitioner's evaluations asked for and not given, newest session first (their dashboard)."""
    rows = db.session.execute(
        sa.select(
            Booking.id,
            TrainingSession.code,
            Course.title,
            TrainingSession.ends_on,
            Course.certificate_after_evaluation,
        )
        .join(Evaluation, Evaluation.booking_id == Booking.id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            Booking.practitioner_id == practitioner_id,
            Booking.status == BookingStatus.ATTENDED,
            Evaluation.given_at.is_(None),
        )
        .order_by(TrainingSession.ends_on.desc(), Booking.id)
    )
    return [Awaited(*row) for row in rows]


def withheld_certificate_ids(certificate_ids: Sequence[int]) -> set[int]:
    """Those of these certificates withheld until an evaluation is in (SPEC 3.5), in one query."""
    if not certificate_ids:
        return set()
    query = (
        sa.select(Certificate.id)
        .join(TrainingRecord, TrainingRecord.id == Certificate.training_record_id)
        .join(Booking, Booking.id == TrainingRecord.booking_id)
        .join(Course, Course.id == Booking.course_id)
        .join(Evaluation, Evaluation.booking_id == Booking.id)
        .where(
            Certificate.id.in_(certificate_ids),
            Course.certificate_after_evaluation.is_(True),
            Evaluation.given_at.is_(None),
        )
    )
    return set(db.session.scalars(query))


def is_withheld(certificate: Certificate) -> bool:
    return bool(withheld_certificate_ids([certificate.id]))
