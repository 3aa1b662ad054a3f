"""Reading API input strictly: a JSON object body, ISO dates, integer pence; problems collected per field."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from flask import request

from .errors import ApiError

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
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


def parse_date(text: str) -> date | None:
    """A real calendar date written YYYY-MM-DD, or None."""
    if not isinstance(text, str) or not DATE_PATTERN.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def date_field(body: dict[str, Any], name: str, problems: Problems, label: str | None = None) -> date | None:
    """A required date field; a problem is recorded when it is missing or not a real YYYY-MM-DD date."""
    if body.get(name) is None:
        problems[name] = "Enter a date as YYYY-MM-DD."
        return None
    value = parse_date(body[name])
    if value is None:
        problems[name] = f"{label or name} must be a real date written YYYY-MM-DD."
    return value


def integer_field(value: Any, name: str, problems: Problems) -> int | None:
    """A JSON integer (not a float, string or boolean); a problem is recorded otherwise."""
    if value is None:
        problems[name] = "Enter a whole number."
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems[name] = "Must be a whole number (integer pence), not text or a decimal."
        return None
    return value


def unknown_fields(body: dict[str, Any], known: set[str] | frozenset[str], prefix: str = "") -> Problems:
    """A problem for every field the API does not accept, so typos are not silently ignored."""
    return {f"{prefix}{name}": "Unknown field." for name in body if name not in known}
