"""Evaluation in the API (SPEC 4.5, 3.5): a completed booking's form and its answers (the practitioner only), and a
session's results (its trainers without names, coordinators with the comments' writers)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..extensions import db
from ..models import Booking, QuestionKind, Role
from ..services.accounts.scope import is_staff
from ..services.evaluation.evaluation_forms import current_questions
from ..services.evaluation.evaluation_results import may_see_session_results, session_results
from ..services.evaluation.evaluations import EvaluationRefused, Refusal, evaluation_problem, give_evaluation
from .auth import api_allow
from .bookings import _session
from .docs import STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .routes import bp
from .schemas import body_for

ANSWERS = "Give 'answers' as a list of {question, value}."


def _booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise ApiError.not_found("There is no booking with that id.")
    return booking


def _question_json(question) -> dict[str, Any]:
    return {"id": question.id, "text": question.text, "kind": question.kind.value, "required": question.required}


@bp.get("/bookings/<number:booking_id>/evaluation")
@api_allow(Role)
def get_evaluation(booking_id: int):
    """The form the practitioner answers for a completed booking: its questions, in order."""
    booking = _booking(booking_id)
    refused = evaluation_problem(booking, g.api_user)
    if refused is not None:
        raise ApiError(refused.kind.value, refused.problems[0].message + ".")
    return jsonify(booking=booking.id, questions=[_question_json(q) for q in current_questions(booking.course_id)])


@bp.post("/bookings/<number:booking_id>/evaluation")
@api_allow(Role)
def post_evaluation(booking_id: int):
    """Give the evaluation, once: every answer checked before any is written."""
    body = body_for("EvaluationAnswers", brackets=True)
    answers: dict[int, str] = {}
    for item in body["answers"]:
        value = item.get("value")
        answers[item["question"]] = (
            "" if value is None else ("yes" if value is True else "no" if value is False else str(value))
        )
    booking = _booking(booking_id)
    try:
        evaluation = give_evaluation(booking.id, answers, g.api_user)
    except EvaluationRefused as refused:
        if refused.kind != Refusal.INVALID:
            raise ApiError(refused.kind.value, refused.problems[0].message + ".") from None
        fields = {(f"answers.{p.question_id}" if p.question_id else "answers"): p.message for p in refused.problems}
        raise ApiError.validation_failed(fields) from None
    return jsonify(booking=booking.id, given_at=evaluation.given_at.isoformat() if evaluation.given_at else None), 201


@bp.get("/sessions/<code>/evaluation")
@api_allow(Role)
def get_session_evaluation(code: str):
    """A session's results: responses of completed bookings, each question's mean and counts, and comments."""
    session = _session(code)
    user = g.api_user
    if not may_see_session_results(user, session):
        raise ApiError(403, "Only the session's trainers and coordinators see its evaluation.")
    named = is_staff(user)
    results = session_results(session.id, with_names=named)
    questions = []
    for question in results.questions:
        # Every question has SPEC 4.5's keys: a comment question's mean is null and its counts empty.
        item: dict[str, Any] = {
            "id": question.id,
            "text": question.text,
            "kind": question.kind.value,
            "mean": question.mean,
            "counts": question.counts,
        }
        if question.kind == QuestionKind.TEXT:
            item["comments"] = [
                {"text": text, **({"name": name} if named and name else {})} for name, text in question.comments
            ]
        questions.append(item)
    return jsonify(completed=results.completed, asked=results.asked, responses=results.responses, questions=questions)


OPENAPI: dict[str, Any] = {
    "paths": {
        "/bookings/{booking_id}/evaluation": {
            "get": {
                "operationId": "getEvaluationForm",
                "summary": "The evaluation form of a completed booking (its practitioner only)",
                "parameters": [{"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {
                    "200": json_response("The questions, in order.", ref("EvaluationForm")),
                    **errors(403, 404, 409),
                },
            },
            "post": {
                "operationId": "postEvaluation",
                "summary": "Give the evaluation of a completed booking, once (its practitioner only)",
                "parameters": [{"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": json_body(ref("EvaluationAnswers")),
                "responses": {
                    "201": json_response("Saved.", {"type": "object"}),
                    **errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/sessions/{code}/evaluation": {
            "get": {
                "operationId": "getSessionEvaluation",
                "summary": "A session's evaluation results (its trainers; coordinators with names on comments)",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    "200": json_response("Responses, and each question's mean and counts.", ref("EvaluationResults")),
                    **errors(403, 404),
                },
            }
        },
    },
    "schemas": {
        "EvaluationForm": {
            "type": "object",
            "required": ["booking", "questions"],
            "properties": {
                "booking": {"type": "integer"},
                "questions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "text", "kind", "required"],
                        "properties": {
                            "id": {"type": "integer"},
                            "text": STRING,
                            "kind": {"type": "string", "enum": [kind.value for kind in QuestionKind]},
                            "required": {"type": "boolean"},
                        },
                    },
                },
            },
        },
        "EvaluationAnswers": {
            "type": "object",
            "additionalProperties": False,
            "required": ["answers"],
            "properties": {
                "answers": {
                    "type": "array",
                    "maxItems": 50,
                    "x-message": ANSWERS,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["question", "value"],
                        "x-message": "Each answer must be an object {question, value}.",
                        "properties": {
                            "question": {"type": "integer", "x-message": "Give 'question' as a question's id."},
                            "value": {
                                "type": ["integer", "string", "boolean", "null"],
                                "x-message": "Give 'value' as a rating 1-5, true or false, or text.",
                                "description": "A rating 1-5, 'yes'/'no' (or true/false), or text.",
                            },
                        },
                    },
                }
            },
        },
        "EvaluationResults": {
            "type": "object",
            "required": ["completed", "responses", "questions"],
            "properties": {
                "completed": {"type": "integer"},
                "asked": {"type": "integer", "description": "Completed bookings asked to evaluate (not history)."},
                "responses": {"type": "integer"},
                "questions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "text", "kind", "mean", "counts"],
                        "properties": {
                            "id": {"type": "integer"},
                            "text": STRING,
                            "kind": {"type": "string", "enum": [kind.value for kind in QuestionKind]},
                            "mean": {"type": ["number", "null"]},
                            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                            "comments": {
                                "type": "array",
                                "description": "A comment question's comments; 'name' for coordinators only.",
                                "items": {
                                    "type": "object",
                                    "required": ["text"],
                                    "properties": {"text": STRING, "name": STRING},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
