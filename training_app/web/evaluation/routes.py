"""Evaluation pages (SPEC 3.5): the practitioner evaluates a completed booking; a session's results for its
trainers (without names) and coordinators (with them); a course's results; coordinators edit a course's form. The
rules are services.evaluation's."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...exports.evaluations import write_evaluations
from ...models import Booking, Course, QuestionKind, Trainer, User
from ...permissions import SIGNED_IN, STAFF, allow
from ...services.accounts.scope import is_staff
from ...services.common.calendar import london_today
from ...services.common.lookups import session_with_code
from ...services.evaluation.evaluation_forms import (
    FormRefused,
    add_question,
    change_question,
    current_questions,
    editor_rows,
    has_own_form,
    move_question,
    remove_question,
)
from ...services.evaluation.evaluation_results import (
    Results,
    course_results,
    may_see_session_results,
    may_see_trainer_results,
    session_results,
    sessions_with_results,
    trainer_results,
)
from ...services.evaluation.evaluations import EvaluationRefused, Refusal, evaluation_problem, give_evaluation
from ..charts import BarChart, small_bar_chart
from ..courses.routes import course_or_404
from ..loading import load

bp = Blueprint("evaluation", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KINDS = {
    QuestionKind.RATING: "A rating from 1 to 5",
    QuestionKind.YES_NO: "Yes or no",
    QuestionKind.TEXT: "A comment",
}


class CsrfForm(FlaskForm):
    """The evaluation's questions are the course's own, so the page writes its fields; this checks the token."""


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/bookings/<number:booking_id>/evaluation", methods=["GET", "POST"])
@allow(SIGNED_IN)
def evaluate_page(booking_id: int):
    """The practitioner's evaluation of a course they completed: every question of the course's form on one page."""
    booking = load(Booking, booking_id)
    refused = evaluation_problem(booking, _user())
    if refused is not None and refused.kind == Refusal.FORBIDDEN:
        abort(403)
    questions = current_questions(booking.course_id)
    if refused is not None:  # already given, or not completed: say so, with nothing to fill in
        return render_template("evaluation/closed.html", booking=booking, message=refused.problems[0].message), 409
    form, errors, given = CsrfForm(), [], {}
    if request.method == "POST":
        given = {question.id: request.form.get(f"q-{question.id}", "") for question in questions}
        if not form.validate_on_submit():
            errors = [{"text": "The form had expired: send your answers again", "href": "#send"}]
        else:
            try:
                give_evaluation(booking.id, given, _user())
            except EvaluationRefused as problem:
                if problem.kind == Refusal.CONFLICT:
                    message = problem.problems[0].message
                    return render_template("evaluation/closed.html", booking=booking, message=message), 409
                errors = [
                    {"text": p.message, "href": f"#q-{p.question_id}" if p.question_id else "#send"}
                    for p in problem.problems
                ]
            else:
                flash("Thank you: your evaluation has been sent.", "success")
                return redirect(url_for("main.dashboard"))
    by_question = {error["href"].removeprefix("#q-"): error["text"] for error in errors}
    return render_template(
        "evaluation/evaluate.html",
        booking=booking,
        questions=questions,
        form=form,
        errors=errors,
        by_question=by_question,
        given=given,
        QuestionKind=QuestionKind,
    ), (422 if errors else 200)


@bp.get("/sessions/<code>/evaluation")
@allow(SIGNED_IN)
def session_results_page(code: str):
    """A session's evaluation results: coordinators see who wrote each comment, its trainers do not."""
    session = session_with_code(code)
    if session is None:
        abort(404)
    user = _user()
    if not may_see_session_results(user, session):
        abort(403)
    with_names = is_staff(user)
    results = session_results(session.id, with_names)
    return render_template(
        "evaluation/results.html",
        session=session,
        course=session.course,
        results=results,
        with_names=with_names,
        charts=_charts(results),
    )


@bp.get("/trainers/<number:trainer_id>/evaluation")
@allow(SIGNED_IN)
def trainer_results_page(trainer_id: int):
    """A trainer's sessions' results, without names: for the trainer themself and coordinators."""
    trainer = load(Trainer, trainer_id, may_see_trainer_results)
    results = trainer_results(trainer.id)
    return render_template(
        "evaluation/results.html",
        session=None,
        course=None,
        trainer=trainer,
        results=results,
        with_names=False,
        sessions=sessions_with_results(trainer_id=trainer.id),
        charts=_charts(results),
    )


@bp.get("/courses/<code>/evaluation")
@allow(STAFF)
def course_results_page(code: str):
    """A course's results across its sessions, with each session's response rate."""
    course = course_or_404(code)
    results = course_results(course.id, None, None, with_names=True)
    return render_template(
        "evaluation/results.html",
        session=None,
        course=course,
        results=results,
        with_names=True,
        sessions=sessions_with_results(course_id=course.id),
        charts=_charts(results),
    )


def _charts(results: Results) -> dict[int, BarChart]:
    """A small bar chart of each rating question's counts of 1 to 5."""
    return {
        question.id: small_bar_chart(list(question.counts.items()))
        for question in results.questions
        if question.kind == QuestionKind.RATING
    }


@bp.get("/evaluations.xlsx")
@allow(STAFF)
def evaluations_workbook():
    """Every course's evaluation results as a workbook: a sheet per course with a chart of its ratings."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evaluations.xlsx"
        write_evaluations(path)
        content = path.read_bytes()
    name = f"evaluations-{london_today().isoformat()}.xlsx"
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/courses/<code>/evaluation-form", methods=["GET", "POST"])
@allow(STAFF)
def form_editor_page(code: str):
    """A coordinator edits the course's form: add, reword, require, reorder, and remove (answered ones retire)."""
    course = course_or_404(code)
    return _editor(course, url_for("evaluation.form_editor_page", code=course.code))


@bp.route("/evaluation-form", methods=["GET", "POST"])
@allow(STAFF)
def default_form_page():
    """A coordinator edits the partnership's default form, which courses without a form of their own ask."""
    return _editor(None, url_for("evaluation.default_form_page"))


def _editor(course: Course | None, here: str):
    form, errors = CsrfForm(), []
    course_id = course.id if course is not None else None
    if request.method == "POST":
        if not form.validate_on_submit():
            errors = [{"text": "The form had expired: try again", "href": "#new-text"}]
        else:
            try:
                message = _edit(course_id, request.form)
            except FormRefused as refused:
                errors = [{"text": refused.message, "href": "#new-text" if refused.field == "text" else "#questions"}]
            else:
                flash(message, "success")
                return redirect(here)
    return render_template(
        "evaluation/form-editor.html",
        course=course,
        rows=editor_rows(course_id),
        form=form,
        errors=errors,
        kinds=KINDS,
        submitted=request.form,
        copied_from_default=course is not None and not has_own_form(course.id),
    ), (422 if errors else 200)


def _edit(course_id: int | None, submitted) -> str:
    """Apply the one change the editor's button asked for; the message that says what happened."""
    user = _user()
    action, _, number = submitted.get("action", "").partition(":")  # "up:12": the button pressed, and its question
    question_id = _number(number)
    if action == "add":
        kind_text = submitted.get("kind", "")
        if kind_text not in {kind.value for kind in QuestionKind}:
            raise FormRefused("kind", "Choose what kind of answer the question takes")
        add_question(
            course_id, submitted.get("text", ""), QuestionKind(kind_text), bool(submitted.get("required")), user
        )
        return "The question has been added."
    if question_id is None:
        raise FormRefused("question", "Choose a question")
    if action in {"up", "down"}:
        move_question(course_id, question_id, -1 if action == "up" else 1, user)
        return "The question has moved."
    if action == "save":
        text = submitted.get(f"text-{question_id}")  # None for an answered question, whose words stay as they are
        change_question(course_id, question_id, text, bool(submitted.get(f"required-{question_id}")), user)
        return "The question has been saved."
    if action == "remove":
        outcome = remove_question(course_id, question_id, user)
        return (
            "The question has been removed."
            if outcome == "deleted"
            else "The question has answers, so it is retired: its results stay."
        )
    raise FormRefused("question", "Choose what to do")


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None
