"""GET and POST /api/v1/targets, PUT /api/v1/targets/{id}: training targets and their progress (SPEC 3.10, 4.5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify

from ..models import Role, Target, User
from ..permissions import REPORT_READERS
from ..services.accounts.scope import organisation_scope
from ..services.common.calendar import london_today
from ..services.workforce.target_progress import TargetProgress, target_progress
from ..services.workforce.targets import (
    PERCENT_PROBLEM,
    TargetError,
    TargetStatus,
    TargetValues,
    change_target,
    count_targets,
    set_target,
    target_for,
    target_values,
    targets_for,
)
from .auth import api_allow
from .docs import DATE, OPTIONAL_DATE, errors, json_body, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import Problems, date_problem, query_args, query_date
from .routes import bp
from .schemas import body_and_problems

READERS = (*REPORT_READERS, Role.BOOKER)
SETTERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
PAGE = 500  # targets counted per statement


@bp.get("/targets")
@api_allow(READERS)
def list_targets():
    """Every target in the user's scope with its progress on ?as_of= (today when not given)."""
    problems: Problems = {}
    as_of = query_date(query_args(frozenset({"as_of"})), "as_of", problems) or london_today()
    if problems:
        raise ApiError.validation_failed(problems)
    user: User = g.api_user
    rows: list[dict[str, Any]] = []
    for offset in range(0, count_targets(user), PAGE):
        targets = targets_for(user, PAGE, offset)
        progress = target_progress(targets, as_of)
        rows += [target_json(target, progress[target.id]) for target in targets]
    return jsonify(as_of=as_of.isoformat(), targets=rows)


@bp.post("/targets")
@api_allow(SETTERS)
def post_target():
    """Set a target (a booker for their own organisation, which they may leave out): 201 with its progress today."""
    today = london_today()
    values = _body_values()
    try:
        target = set_target(values, g.api_user, today)
    except TargetError as refused:
        raise _refusal(refused) from None
    return jsonify(_with_progress(target, today)), 201


@bp.put("/targets/<number:target_id>")
@api_allow(SETTERS)
def put_target(target_id: int):
    """Change a target: 404 when there is none, 403 when it is not the user's to change."""
    values = _body_values()  # the body is checked first, as every call checks it before any lookup
    try:
        target_for(g.api_user, target_id)
        target = change_target(target_id, values, g.api_user)
    except TargetError as refused:
        raise _refusal(refused) from None
    return jsonify(_with_progress(target, london_today()))


def _body_values() -> TargetValues:
    return _values(*body_and_problems("TargetInput"))


def _values(body: dict[str, Any], problems: Problems) -> TargetValues:
    """The body (checked against its schema) as target values, or a 422 naming every bad field."""
    for name in ("organisation", "authority", "course"):
        value = body.get(name)
        if isinstance(value, str) and not _storable(value) and name not in problems:
            problems[name] = "Must be text without control characters."
    groups = body.get("groups") if "groups" not in problems else None
    if isinstance(groups, list) and not all(_storable(code) for code in groups):
        problems["groups"] = "Must be a list of responsibility group codes."
    due_on: date | None = None
    if "due_on" not in problems:
        due_on, problem = date_problem(body.get("due_on"), "due_on")
        if problem:
            problems["due_on"] = problem
    if problems:
        raise ApiError.validation_failed(problems)
    user: User = g.api_user
    organisation = body.get("organisation")
    if organisation is None and body.get("authority") is None and organisation_scope(user) is not None:
        organisation = user.organisation.code if user.organisation else None
    return TargetValues(
        organisation_code=organisation,
        authority_code=body.get("authority"),
        group_codes=list(groups or []),
        course_code=body.get("course"),
        percent=body.get("percent"),
        due_on=due_on,
    )


def _storable(value: Any) -> bool:
    """Text the database can compare: a string without NUL and without a lone surrogate (which JSON can carry)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refusal(refused: TargetError) -> ApiError:
    if refused.missing:
        return ApiError.not_found("There is no such target.")
    if refused.forbidden:
        return ApiError(403, next(iter(refused.fields.values()), None), refused.fields)
    return ApiError.validation_failed(refused.fields)


def _with_progress(target: Target, on: date) -> dict[str, Any]:
    return target_json(target, target_progress([target], on)[target.id])


def target_json(target: Target, progress: TargetProgress) -> dict[str, Any]:
    """One target as SPEC 4.5 gives it: what was set, and its progress on the date asked."""
    return target_values(target) | {
        "in_post": progress.in_post,
        "current": progress.current,
        "progress_percent": progress.progress_percent,
        "status": progress.status.value,
    }


CODE = {"type": ["string", "null"], "minLength": 1, "maxLength": 40}
COUNT = {"type": "integer", "minimum": 0}
GROUPS_PROBLEM = "Choose at least one responsibility group."

OPENAPI = {
    "paths": {
        "/targets": {
            "get": {
                "operationId": "listTargets",
                "summary": "Targets in scope with their progress (coordinators all; a booker their organisation's; "
                "a workforce lead their authorities' and their organisations')",
                "parameters": [query_parameter("as_of", "Progress on this date; today when not given.", OPTIONAL_DATE)],
                "responses": {"200": json_response("The targets.", ref("TargetList")), **errors(403, 422)},
            },
            "post": {
                "operationId": "postTarget",
                "summary": "Set a target (coordinator, admin; a booker for their own organisation)",
                "requestBody": json_body(ref("TargetInput")),
                "responses": {
                    "201": json_response("The target was set.", ref("Target")),
                    **errors(400, 403, 422),
                },
            },
        },
        "/targets/{target_id}": {
            "put": {
                "operationId": "putTarget",
                "summary": "Change a target (the day it was set stays)",
                "parameters": [{"name": "target_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": json_body(ref("TargetInput")),
                "responses": {
                    "200": json_response("The target as changed.", ref("Target")),
                    **errors(400, 403, 404, 422),
                },
            }
        },
    },
    "schemas": {
        "TargetInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["groups", "percent", "due_on"],
            "description": "Exactly one of organisation and authority (a booker may leave both out: their own).",
            "examples": [{"organisation": "LE-SCH-001", "groups": ["3", "5"], "percent": 80, "due_on": "2027-03-31"}],
            "properties": {
                "organisation": {**CODE, "description": "The organisation's code."},
                "authority": {**CODE, "description": "The authority's code."},
                "groups": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": {"type": "string", "minLength": 1, "maxLength": 20},
                    "description": "Responsibility group codes.",
                    "x-messages": {"minItems": GROUPS_PROBLEM, "type": GROUPS_PROBLEM},
                },
                "course": {**CODE, "description": "The course's code; the counts-as-trained course when left out."},
                "percent": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "x-message": PERCENT_PROBLEM,
                },
                "due_on": {**DATE, "x-messages": {"type": "Must be a date written YYYY-MM-DD."}},
            },
        },
        "Target": {
            "type": "object",
            "required": [
                "id",
                "organisation",
                "authority",
                "groups",
                "course",
                "percent",
                "due_on",
                "set_on",
                "in_post",
                "current",
                "progress_percent",
                "status",
            ],
            "properties": {
                "id": {"type": "integer"},
                "organisation": {"type": ["string", "null"]},
                "authority": {"type": ["string", "null"]},
                "groups": {"type": "array", "items": {"type": "string"}},
                "course": {"type": "string"},
                "percent": {"type": "integer", "minimum": 1, "maximum": 100},
                "due_on": DATE,
                "set_on": DATE,
                "in_post": COUNT,
                "current": COUNT,
                "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "status": {"type": "string", "enum": [status.value for status in TargetStatus]},
            },
        },
        "TargetList": {
            "type": "object",
            "required": ["as_of", "targets"],
            "properties": {"as_of": DATE, "targets": {"type": "array", "items": ref("Target")}},
        },
    },
}
