"""GET /api/v1/sessions: sessions with capacity, booked, waitlisted and spaces (SPEC 4.5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import jsonify

from ..models import SessionStatus
from ..permissions import SIGNED_IN
from ..services import sessions_query
from ..services.calendar import to_london
from ..services.sessions_query import SessionFilters, SessionQueryError, SessionSummary
from .auth import api_allow
from .docs import DATE, DATE_TIME, OPTIONAL_DATE, STRING, errors, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import Problems, code_filter, query_args, query_date
from .routes import bp

FILTERS = frozenset({"course", "authority", "from", "to"})


@bp.get("/sessions")
@api_allow(SIGNED_IN)
def list_sessions():
    """Sessions filtered by course, host authority and dates, with their places."""
    filters = session_filters(query_args(FILTERS))
    try:
        sessions = sessions_query.list_sessions(filters)
    except SessionQueryError as error:
        raise ApiError.validation_failed(error.fields) from None
    return jsonify(sessions=[session_json(session) for session in sessions])


def session_filters(args: Mapping[str, str]) -> SessionFilters:
    """The query string as filters; every bad one reported at once as a 422."""
    problems: Problems = {}
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
                ],
                "responses": {
                    "200": json_response("Matching sessions, earliest first.", ref("SessionList")),
                    **errors(422),
                },
            }
        }
    },
    "schemas": {
        "SessionList": {
            "type": "object",
            "required": ["sessions"],
            "properties": {"sessions": {"type": "array", "items": ref("Session")}},
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
