"""The live programme's evaluations (SPEC 3.5, 5): last month's completed bookings were asked to evaluate their
course the day after it ended; most have answered (ratings, a recommendation, some comments) and some have not.
The refresher releases its certificates only after the evaluation, and the demo practitioner, who completed it,
has not evaluated it yet: their dashboard says "evaluate to get your certificate"."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    Booking,
    BookingStatus,
    Course,
    Evaluation,
    EvaluationAnswer,
    QuestionKind,
    SessionStatus,
    TrainingSession,
    User,
)
from training_app.services.common.calendar import london_to_utc
from training_app.services.evaluation.evaluation_forms import current_questions, ensure_own_forms

from .common import Demo, insert_rows

WITHHOLDING_COURSE = "CAF-REFRESH"
COMMENTS = (
    "The case studies made the assessment framework real for our school.",
    "Clear and practical; more time on the lead professional role would help.",
    "Good pace. The venue was hard to find.",
)


def seed_live_evaluations(demo: Demo, today: date) -> Counter:
    """Ask last month's completed bookings, and answer for all but every third (and the demo practitioner)."""
    db.session.execute(
        sa.update(Course).where(Course.code == WITHHOLDING_COURSE).values(certificate_after_evaluation=True)
    )
    first_of_month = today.replace(day=1)
    first_of_last = (first_of_month - timedelta(days=1)).replace(day=1)
    rows = db.session.execute(
        sa.select(Booking.id, Booking.course_id, Booking.practitioner_id, TrainingSession.ends_on)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(
            Booking.status == BookingStatus.ATTENDED,
            TrainingSession.status == SessionStatus.COMPLETED,
            TrainingSession.starts_on >= first_of_last,
            TrainingSession.starts_on < first_of_month,
        )
        .order_by(Booking.id)
    ).all()
    if not rows:
        return Counter()
    pat = db.session.scalar(sa.select(User.practitioner_id).where(User.email == "practitioner@demo.test"))
    ensure_own_forms({row.course_id for row in rows})
    forms = {course_id: current_questions(course_id) for course_id in {row.course_id for row in rows}}
    evaluations, given = [], []
    for index, row in enumerate(rows):
        asked = london_to_utc(row.ends_on + timedelta(days=1), time(9, 0))
        answered = index % 3 != 2 and row.practitioner_id != pat
        evaluations.append(
            {"booking_id": row.id, "asked_at": asked, "given_at": asked + timedelta(days=2) if answered else None}
        )
        if answered:
            given.append((index, row.course_id))
    ids = insert_rows(Evaluation, evaluations)
    by_booking = dict(zip([row.id for row in rows], ids, strict=True))
    answers = []
    for index, course_id in given:
        evaluation_id = by_booking[rows[index].id]
        for number, question in enumerate(forms[course_id]):
            answer = {"evaluation_id": evaluation_id, "question_id": question.id}
            answer |= {"rating": None, "yes": None, "text": None}
            if question.kind == QuestionKind.RATING:
                answer["rating"] = 5 - (index + number) % 3  # 5, 4 and 3 by turns
            elif question.kind == QuestionKind.YES_NO:
                answer["yes"] = index % 5 != 4
            elif index % 2 == 0:
                answer["text"] = COMMENTS[index // 2 % len(COMMENTS)]
            else:
                continue
            answers.append(answer)
    insert_rows(EvaluationAnswer, answers)
    return Counter(evaluations=len(evaluations), evaluation_answers=len(answers))
