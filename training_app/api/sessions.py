"""GET /api/v1/sessions (paged) and GET /api/v1/sessions/{code}: sessions with their places (SPEC 4.5)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import jsonify

from ..models import SessionStatus
from ..permissions import SIGNED_IN
from ..services.common.calendar import to_london
from ..services.sessions import sessions_query
from ..services.sessions.sessions_query import SessionDetail, SessionFilters, SessionQueryError, SessionSummary
from .auth import api_allow
from .docs import DATE, DATE_TIME, OPTIONAL_DATE, STRING, errors, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import Problems, code_filter, query_args, query_date
from .routes import bp

FILTERS = frozenset({"course", "authority", "from", "to", "limit", "offset"})
DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET = 100, 500, 1_000_000
DIGITS = re.compile(r"[0-9]{1,7}")


@bp.get("/sessions")
@api_allow(SIGNED_IN)
def list_sessions():
    """Sessions filtered by course, host authority and dates, with their places, one page at a time."""
    args = query_args(FILTERS)
    problems: Problems = {}
    limit = _bounded(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems)
    offset = _bounded(args, "offset", 0, 0, MAX_OFFSET, problems)
    filters = session_filters(args, problems)
    try:
        sessions, total = sessions_query.session_page(filters, limit=limit, offset=offset)
    except SessionQueryError as error:
        raise ApiError.validation_failed(error.fields) from None
    return jsonify(sessions=[session_json(session) for session in sessions], total=total, limit=limit, offset=offset)


@bp.get("/sessions/<code>")
@api_allow(SIGNED_IN)
def show_session(code: str):
    """One session: its days, venue, trainers, capacity, booked, waitlisted and spaces."""
    query_args(frozenset())
    detail = sessions_query.find_session(code)
    if detail is None:
        raise ApiError.not_found("There is no session with that code.")
    return jsonify(detail_json(detail))


def detail_json(detail: SessionDetail) -> dict[str, Any]:
    """One session as GET /sessions/{code} shows it."""
    venue = detail.venue
    return session_json(detail.summary) | {
        "course_title": detail.summary.course_title,
        "host_area": detail.summary.host_area,
        "venue": None
        if venue is None
        else {
            "name": venue.name,
            "address": venue.address,
            "postcode": getattr(venue, "postcode", None),
            "capacity": venue.capacity,
        },
        "trainers": list(detail.trainers),
        "booking_closes_days": detail.booking_closes_days,
        "cancel_reason": detail.cancel_reason,
    }


def _bounded(args: Mapping[str, str], name: str, default: int, low: int, high: int, problems: Problems) -> int:
    """A whole number from the query string within [low, high]; the default when it is not given."""
    text = args.get(name, "")
    if text == "":
        return default
    if not DIGITS.fullmatch(text) or not low <= int(text) <= high:
        problems[name] = f"Must be a whole number from {low} to {high}."
        return default
    return int(text)


def session_filters(args: Mapping[str, str], problems: Problems | None = None) -> SessionFilters:
    """The query string as filters; every bad one (and any already found) reported at once as a 422."""
    problems = {} if problems is None else problems
    date_from, date_to = query_date(args, "from", problems), query_date(args, "to", problems)
    codes = {name: code_filter(args, name, problems) for name in ("course", "authority")}
    filters = SessionFilters(course=codes["course"], authority=codes["authority"], date_from=date_from, date_to=date_to)
    problems = sessions_query.filter_problems(filters) | problems
    if problems:
        raise ApiError.validation_failed(problems)
    return filters


def session_json(session: SessionSummary) -> dict[str, Any]:
    """One session as the API shows it; times in Europe/London with their offset."""
    return {
        "code": session.code,
        "course": session.course_code,
        "status": session.status.value,
        "host_authority": session.host_authority_code,
        "days": [
            {
                "date": day.date.isoformat(),
                "start": to_london(day.starts_at).isoformat(),
                "end": to_london(day.ends_at).isoformat(),
            }
            for day in session.days
        ],
        "capacity": session.capacity,
        "booked": session.booked,
        "waitlisted": session.waitlisted,
        "spaces": session.spaces,
    }


COUNT = {"type": "integer", "minimum": 0}
NULLABLE_STRING = {"type": ["string", "null"]}

OPENAPI = {
    "paths": {
        "/sessions": {
            "get": {
                "operationId": "listSessions",
                "summary": "Sessions with capacity, booked, waitlisted and spaces",
                "parameters": [
                    query_parameter("course", "Only sessions of the course with this code."),
                    query_parameter("authority", "Only sessions hosted by the authority with this code."),
                    query_parameter("from", "Only sessions with a day on or after this date.", OPTIONAL_DATE),
                    query_parameter("to", "Only sessions with a day on or before this date.", OPTIONAL_DATE),
                    query_parameter(
                        "limit",
                        f"How many sessions to return (default {DEFAULT_LIMIT}).",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                    ),
                    query_parameter(
                        "offset",
                        "How many matching sessions to skip, earliest first (default 0).",
                        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                    ),
                ],
                "responses": {
                    "200": json_response("Matching sessions, earliest first, one page of them.", ref("SessionList")),
                    **errors(422),
                },
            }
        },
        "/sessions/{code}": {
            "get": {
                "operationId": "showSession",
                "summary": "One session: its days, venue, trainers, capacity, booked, waitlisted and spaces",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": STRING, "description": "Session code."}
                ],
                "responses": {
                    "200": json_response("The session.", ref("SessionDetail")),
                    **errors(404, 422),
                },
            }
        },
    },
    "schemas": {
        "SessionList": {
            "type": "object",
            "required": ["sessions", "total", "limit", "offset"],
            "properties": {
                "sessions": {"type": "array", "items": ref("Session")},
                "total": {**COUNT, "description": "How many sessions match, on every page."},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "offset": COUNT,
            },
        },
        "SessionDetail": {
            "allOf": [
                ref("Session"),
                {
                    "type": "object",
                    "required": [
                        "course_title",
                        "host_area",
                        "venue",
                        "trainers",
                        "booking_closes_days",
                        "cancel_reason",
                    ],
                    "properties": {
                        "course_title": STRING,
                        "host_area": NULLABLE_STRING,
                        "venue": {
                            "anyOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "required": ["name", "address", "postcode", "capacity"],
                                    "properties": {
                                        "name": STRING,
                                        "address": NULLABLE_STRING,
                                        "postcode": NULLABLE_STRING,
                                        "capacity": {"type": "integer", "minimum": 1},
                                    },
                                },
                            ]
                        },
                        "trainers": {"type": "array", "items": STRING, "description": "Trainers' names."},
                        "booking_closes_days": {
                            **COUNT,
                            "description": "Booking closes this many working days before.",
                        },
                        "cancel_reason": {**NULLABLE_STRING, "description": "Why it was cancelled, when it was."},
                    },
                },
            ]
        },
        "Session": {
            "type": "object",
            "required": [
                "code",
                "course",
                "status",
                "host_authority",
                "days",
                "capacity",
                "booked",
                "waitlisted",
                "spaces",
            ],
            "properties": {
                "code": STRING,
                "course": {"type": "string", "description": "Course code."},
                "status": {"type": "string", "enum": [status.value for status in SessionStatus]},
                "host_authority": {"type": "string", "description": "Host authority code."},
                "days": {"type": "array", "items": ref("SessionDay")},
                "capacity": COUNT,
                "booked": {**COUNT, "description": "Places held (booked, or attended / absent / no-show afterwards)."},
                "waitlisted": COUNT,
                "spaces": {**COUNT, "description": "Capacity minus booked, never below 0."},
            },
        },
        "SessionDay": {
            "type": "object",
            "required": ["date", "start", "end"],
            "properties": {
                "date": DATE,
                "start": {**DATE_TIME, "description": "Europe/London time with its UTC offset."},
                "end": {**DATE_TIME, "description": "Europe/London time with its UTC offset."},
            },
        },
    },
}
