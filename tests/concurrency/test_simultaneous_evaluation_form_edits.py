"""Evaluation forms edited from several coordinators' pages at once on a 4-worker server: ten moves of one question
of the partnership's default form, ten of a course still asking the default form (the first copies that form to the
course, once, and the others are told to reload), and a removal crossing a rewording and a move of one question.
Each edit runs after the one before it: every move's audit entry starts where the one before it left the question,
the positions stay 1 to 5, and an edit of a question removed a moment ago is told so. Nothing answers with a 500.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from tests.factories import make_course, make_user
from training_app.extensions import db
from training_app.models import EvaluationQuestion, Role
from training_app.services.evaluation.evaluation_forms import DEFAULT_FORM

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _fine
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_settings_changes import _sends

COORDINATOR = "coordinator@council.example"


def _form(course_id: int | None) -> list[tuple[int, str]]:
    """The form's questions now, in order: (position, text)."""
    where = EvaluationQuestion.course_id.is_(None) if course_id is None else EvaluationQuestion.course_id == course_id
    query = sa.select(EvaluationQuestion.position, EvaluationQuestion.text).where(where)
    return [tuple(row) for row in db.session.execute(query.order_by(EvaluationQuestion.position))]


def _first_question() -> tuple[int, str]:
    query = sa.select(EvaluationQuestion.id, EvaluationQuestion.text).where(EvaluationQuestion.course_id.is_(None))
    return tuple(db.session.execute(query.order_by(EvaluationQuestion.position).limit(1)).one())


def _ten_moves_down(server, page: str, question_id: int):
    return _sends(server, COORDINATOR, page, [(page, {"action": f"down:{question_id}"})] * 10)


def _moved_to_the_bottom(text: str, course_id: int | None) -> None:
    moves = _actions("evaluation_form_changed")
    assert [(old["position"], new["position"]) for _, old, new in moves] == [(1, 2), (2, 3), (3, 4), (4, 5)], moves
    assert {new["text"] for _, _, new in moves} == {text}
    db.session.expire_all()
    form = _form(course_id)
    assert [position for position, _ in form] == [1, 2, 3, 4, 5]
    assert form[-1][1] == text


def test_ten_moves_of_a_default_form_question_at_once_move_it_one_place_each(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    question_id, text = _first_question()
    db.session.commit()

    answers = all_at_once(_ten_moves_down(shared_live_server, "/evaluation-form", question_id), TIMEOUT)

    _fine(answers, shared_live_server, {302})  # a move past the bottom changes nothing
    _moved_to_the_bottom(text, None)


def test_ten_moves_on_a_course_asking_the_default_form_copy_it_once(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    course_id = make_course(code="CAF").id
    question_id, text = _first_question()  # the page shows the default form's ids until the copy is made
    db.session.commit()

    answers = all_at_once(_ten_moves_down(shared_live_server, "/courses/CAF/evaluation-form", question_id), TIMEOUT)

    # The first copies the default form to the course and moves the copy down; the nine after it name a default
    # question whose copy is no longer where it was, and are told to reload, as one sent late would be.
    assert Counter(answer.status_code for answer in answers) == {302: 1, 422: 9}, shared_live_server.log()[-3000:]
    _fine(answers, shared_live_server, {302, 422})
    assert all("no longer on the form" in answer.text for answer in answers if answer.status_code == 422)
    moves = _actions("evaluation_form_changed")
    assert [(old["position"], new["position"], new["text"]) for _, old, new in moves] == [(1, 2, text)], moves
    db.session.expire_all()
    copied = _form(course_id)
    assert [position for position, _ in copied] == [1, 2, 3, 4, 5]  # copied once, not ten times
    assert copied[1][1] == text
    assert _form(None) == [(n, t) for n, (t, _, _) in enumerate(DEFAULT_FORM, start=1)]  # the default untouched


def test_a_question_removed_while_reworded_and_moved_is_edited_before_or_told_it_is_gone(
    app, app_ctx, shared_live_server
):
    make_user(Role.COORDINATOR, email=COORDINATOR)
    question_id, text = _first_question()
    db.session.commit()
    page = "/evaluation-form"
    forms = [
        {"action": f"remove:{question_id}"},
        {"action": f"save:{question_id}", f"text-{question_id}": "How useful was it?", f"required-{question_id}": "y"},
        {"action": f"down:{question_id}"},
        {"action": f"remove:{question_id}"},
    ]
    calls = _sends(shared_live_server, COORDINATOR, page, [(page, form) for form in forms])

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302, 422})
    gone = [answer for answer in answers if answer.status_code == 422]
    assert all("no longer on the form" in answer.text for answer in gone)
    changes = [new["change"] for _, _, new in _actions("evaluation_form_changed")]
    assert Counter(changes)["deleted"] == 1, changes  # removed once: the second removal found it gone
    assert len(changes) == len(answers) - len(gone)
    assert changes[-1] == "deleted"  # nothing edits it after it went
    db.session.expire_all()
    assert len(_form(None)) == len(DEFAULT_FORM) - 1
    assert db.session.get(EvaluationQuestion, question_id) is None
