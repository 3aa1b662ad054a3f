"""Evaluation forms (SPEC 3.5): the partnership's default form (questions with no course) and each course's own,
copied from the default the first time the course's form is needed. Coordinators add, reorder, reword and mark
questions required; a question that has answers is retired, never deleted or reworded, so old results keep their
meaning. Every change locks the course first, so two editors change the form one after the other."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Course, EvaluationAnswer, EvaluationQuestion, QuestionKind, User, utcnow
from ...validation import control_character_problem
from ..accounts import audit
from ..common.locks import fresh, lock_name, lock_row

MAX_TEXT = 300
MAX_QUESTIONS = 20
# The partnership's default form as migration 0033 first wrote it (a fresh database's, before anyone edits it).
DEFAULT_FORM = (
    ("How useful was the course to your work?", QuestionKind.RATING, True),
    ("How well did the trainer explain the material?", QuestionKind.RATING, True),
    ("How confident do you feel using what you learned?", QuestionKind.RATING, True),
    ("Would you recommend the course to a colleague?", QuestionKind.YES_NO, True),
    ("Anything else you would like to tell us about the course?", QuestionKind.TEXT, False),
)

DEFAULT_FORM_LOCK = "evaluation-form:default"


class FormRefused(Exception):
    """An edit of a form that cannot be made, with the field and a message for the person editing."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class QuestionRow:
    """A question as the editor shows it, with whether it has answers (then it can only be retired)."""

    id: int
    position: int
    text: str
    kind: QuestionKind
    required: bool
    answered: bool


def current_questions(course_id: int) -> list[EvaluationQuestion]:
    """The questions the course's form asks now, in order; the default form's while the course has none of its own."""
    own = _questions(course_id)
    return own if _has_own(course_id) else _questions(None)


def _questions(course_id: int | None) -> list[EvaluationQuestion]:
    """The form's questions as the database holds them now: read after the form's lock, never a copy loaded before
    it (whose positions another edit has since changed)."""
    where = EvaluationQuestion.course_id.is_(None) if course_id is None else EvaluationQuestion.course_id == course_id
    query = sa.select(EvaluationQuestion).where(where, EvaluationQuestion.retired_at.is_(None))
    return list(db.session.scalars(fresh(query.order_by(EvaluationQuestion.position, EvaluationQuestion.id))))


def has_own_form(course_id: int) -> bool:
    """Whether the course asks questions of its own rather than the partnership's default form."""
    return _has_own(course_id)


def _has_own(course_id: int) -> bool:
    """Whether the course has ever had a form of its own (retired questions count: its form was copied)."""
    return db.session.scalar(sa.select(sa.exists().where(EvaluationQuestion.course_id == course_id))) or False


def editor_rows(course_id: int | None) -> list[QuestionRow]:
    """The form as the editor shows it: the course's own (or the default it would copy), with answered flags."""
    questions = _questions(course_id) if course_id is None or _has_own(course_id) else _questions(None)
    answered = _answered({question.id for question in questions})
    return [QuestionRow(q.id, q.position, q.text, q.kind, q.required, q.id in answered) for q in questions]


def _answered(question_ids: set[int]) -> set[int]:
    if not question_ids:
        return set()
    query = sa.select(EvaluationAnswer.question_id).where(EvaluationAnswer.question_id.in_(question_ids)).distinct()
    return set(db.session.scalars(query))


def own_form(course: Course) -> list[EvaluationQuestion]:
    """The course's own questions, copying the default form first if it has none; the caller holds the course's
    lock (so two first edits copy once)."""
    if not _has_own(course.id):
        for question in _questions(None):
            db.session.add(
                EvaluationQuestion(
                    course_id=course.id,
                    position=question.position,
                    text=question.text,
                    kind=question.kind,
                    required=question.required,
                )
            )
        db.session.flush()
    return _questions(course.id)


def course_form_for_answers(course_id: int, answers: dict[int, str]) -> tuple[list[EvaluationQuestion], dict[int, str]]:
    """Lock the course, copy the default form to it if it has none of its own (answers always belong to the course's
    own questions, so its later edits never touch another course's results), and key the answers by its questions:
    answers to the default form's questions (a page shown before the copy) move to their copies."""
    questions = own_form(lock_row(Course, course_id))
    own = {question.id for question in questions}
    defaults = {question.id: question for question in _questions(None)}
    keyed: dict[int, str] = {}
    for question_id, value in answers.items():
        if question_id not in own and question_id in defaults:
            original = defaults[question_id]
            copy = next((q for q in questions if (q.position, q.text) == (original.position, original.text)), None)
            question_id = copy.id if copy is not None else question_id
        keyed[question_id] = value
    return questions, keyed


def ensure_own_forms(course_ids: set[int]) -> None:
    """Give each of these courses its own copy of the default form if it has none (before anyone is asked)."""
    have = set(
        db.session.scalars(
            sa.select(EvaluationQuestion.course_id).where(EvaluationQuestion.course_id.in_(course_ids)).distinct()
        )
    )
    for course_id in sorted(course_ids - have):
        own_form(lock_row(Course, course_id))


def _locked_form(course_id: int | None) -> list[EvaluationQuestion]:
    """Lock the course (or the default form, which has no row of its own: its name; not its first question, which
    a move or a removal at the same moment changes) and return the form's current questions, the course's copied
    from the default if needed."""
    if course_id is None:
        lock_name(DEFAULT_FORM_LOCK)
        return _questions(None)
    return own_form(lock_row(Course, course_id))


def _checked_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise FormRefused("text", "Enter the question")
    if len(text) > MAX_TEXT:
        raise FormRefused("text", f"Question must be {MAX_TEXT} characters or fewer")
    problem = control_character_problem(text)
    if problem:
        raise FormRefused("text", f"Question {problem}")
    return text


def add_question(course_id: int | None, text: str, kind: QuestionKind, required: bool, by: User) -> None:
    """Add a question at the end of the form; committed and audited."""
    text = _checked_text(text)
    questions = _locked_form(course_id)
    if len(questions) >= MAX_QUESTIONS:
        db.session.rollback()
        raise FormRefused("text", f"A form holds at most {MAX_QUESTIONS} questions")
    position = max((q.position for q in questions), default=0) + 1
    question = EvaluationQuestion(course_id=course_id, position=position, text=text, kind=kind, required=required)
    db.session.add(question)
    db.session.flush()
    _audit(by, course_id, "added", {"text": text, "kind": kind.value, "required": required})
    db.session.commit()


def change_question(course_id: int | None, question_id: int, text: str | None, required: bool, by: User) -> None:
    """Reword a question (text None: keep its words) or change whether it is required. A question with answers
    keeps its words: retire it and add the new wording instead. Committed and audited."""
    checked = _checked_text(text) if text is not None else None
    question = _question_in(_locked_form(course_id), question_id)
    text = checked if checked is not None else question.text
    old = {"text": question.text, "required": question.required}
    if text != question.text and _answered({question.id}):
        db.session.rollback()
        raise FormRefused("text", "This question has answers, so its words stay: retire it and add a new one")
    question.text, question.required = text, required
    _audit(by, course_id, "changed", {"text": text, "required": required}, old)
    db.session.commit()


def move_question(course_id: int | None, question_id: int, step: int, by: User) -> None:
    """Move a question one place up (-1) or down (+1); committed and audited."""
    questions = _locked_form(course_id)
    question = _question_in(questions, question_id)
    index = questions.index(question)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(questions):
        db.session.rollback()
        return
    ordered = questions[:]
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    _audit(by, course_id, "moved", {"text": question.text, "position": other + 1}, {"position": index + 1})
    db.session.commit()


def remove_question(course_id: int | None, question_id: int, by: User) -> str:
    """Take a question off the form: deleted when nobody has answered it, else retired (its answers keep their
    meaning in the results). Returns 'deleted' or 'retired'; committed and audited."""
    question = _question_in(_locked_form(course_id), question_id)
    outcome = "retired" if _answered({question.id}) else "deleted"
    if outcome == "retired":
        question.retired_at = utcnow()
    else:
        db.session.delete(question)
    _audit(by, course_id, outcome, {"text": question.text})
    db.session.commit()
    return outcome


def _question_in(questions: list[EvaluationQuestion], question_id: int) -> EvaluationQuestion:
    for question in questions:
        if question.id == question_id:
            return question
    # The default form's question ids, when the course's form was copied from it this very moment: the copy in
    # the same position stands for it.
    original = db.session.get(EvaluationQuestion, question_id)
    if original is not None and original.course_id is None:
        for question in questions:
            if question.position == original.position and question.text == original.text:
                return question
    db.session.rollback()
    raise FormRefused("question", "That question is no longer on the form: reload the page")


def _audit(by: User, course_id: int | None, change: str, new: dict[str, object], old: object = None) -> None:
    audit.record(
        by,
        AuditAction.EVALUATION_FORM_CHANGED,
        db.session.get(Course, course_id) if course_id is not None else None,
        old,
        {"change": change, **new},
        entity_type=None if course_id is not None else "evaluation_form",
    )
