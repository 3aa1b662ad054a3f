"""Reading API input strictly: a JSON object body, ISO dates, integer pence; problems collected per field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import request

from ..services.common.calendar import EARLIEST_DATE, LATEST_DATE, DateProblem, DateProblemKind, parse_iso_date
from .errors import ApiError

Problems = dict[str, str]


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    if not request.is_json:
        raise ApiError(400, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def date_problem(text: Any, name: str, label: str | None = None) -> tuple[date | None, str | None]:
    """A date written YYYY-MM-DD within the supported years, or the API's message for field `name`."""
    try:
        return parse_iso_date(text), None
    except DateProblem as problem:
        what = label or f"'{name}'"
        if problem.kind is DateProblemKind.OUT_OF_RANGE:
            return None, f"{what} must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
        return None, f"{what} must be a real date written YYYY-MM-DD."


def parse_date(text: Any) -> date | None:
    """A real calendar date written YYYY-MM-DD within the supported years, or None."""
    return date_problem(text, "date")[0]


def query_date(args: Mapping[str, str], name: str, problems: Problems, required: bool = False) -> date | None:
    """A date from the query string; a problem is recorded when it is bad, or missing and required."""
    text = args.get(name) or None
    if text is None:
        if required:
            problems[name] = "Enter a date as YYYY-MM-DD."
        return None
    value, problem = date_problem(text, name)
    if problem:
        problems[name] = problem
    return value


def unknown_fields(body: Mapping[str, Any], known: set[str] | frozenset[str], prefix: str = "") -> Problems:
    """A problem for every field the API does not accept, so typos are not silently ignored."""
    return {f"{prefix}{name}": "Unknown field." for name in body if name not in known}


def query_args(known: frozenset[str]) -> Mapping[str, str]:
    """The query string, or a 422 naming every parameter the call does not take, so a typo filters nothing."""
    problems = unknown_fields(request.args, known)
    if problems:
        raise ApiError.validation_failed(problems)
    return request.args


def code_filter(args: Mapping[str, str], name: str, problems: Problems) -> str | None:
    """A code from the query string; one holding a NUL is refused here, as PostgreSQL cannot even compare it."""
    code = args.get(name) or None
    if code is not None and "\x00" in code:
        problems[name] = f"No {name} has that code."
        return None
    return code
