"""GET /api/v1/reports/trained-by-area and /reports/attendance-by-authority: the SPEC 3.9 rows as JSON (SPEC 4.5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..permissions import REPORT_READERS
from ..services.accounts.scope import report_scope
from ..services.common.lookups import session_with_code
from ..services.reporting.attendance_counts import attendance_by_authority
from ..services.reporting.counting import AreaRow, trained_by_area
from .auth import api_allow
from .docs import DATE, OPTIONAL_DATE, STRING, errors, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import Problems, query_args, query_date
from .routes import bp


@bp.get("/reports/trained-by-area")
@api_allow(REPORT_READERS)
def trained_by_area_report():
    """The trained-by-area table as of a date; a workforce lead sees only rows touching their authorities."""
    problems: Problems = {}
    as_of = query_date(query_args(frozenset({"as_of"})), "as_of", problems, required=True)
    if as_of is None:
        raise ApiError.validation_failed(problems)
    rows = trained_by_area(as_of, report_scope(g.api_user))
    return jsonify(as_of=as_of.isoformat(), rows=[row_json(row) for row in rows])


@bp.get("/reports/attendance-by-authority")
@api_allow(REPORT_READERS)
def attendance_by_authority_report():
    """Attendees of a session and/or a period by exact set of authorities; a lead sees only their authorities."""
    args = query_args(frozenset({"from", "to", "session"}))
    problems: Problems = {}
    start, end = query_date(args, "from", problems), query_date(args, "to", problems)
    if start and end and start > end:
        problems["to"] = "'to' must be on or after 'from'."
    if problems:
        raise ApiError.validation_failed(problems)
    session_id = None
    if args.get("session"):
        session = session_with_code(args["session"])
        if session is None:
            raise ApiError.not_found("There is no session with that code.")
        session_id = session.id
    rows = attendance_by_authority(start, end, session_id, report_scope(g.api_user))
    return jsonify(rows=[{"label": row.label, "attended": row.attended} for row in rows])


def row_json(row: AreaRow) -> dict[str, Any]:
    """One row of the table; spaces are null where the table leaves them blank."""
    return {
        "label": row.label,
        "trained": row.trained,
        "spaces_to_end_of_year": row.spaces_to_end_of_year,
        "spaces_planned_next_year": row.spaces_planned_next_year,
    }


COUNT = {"type": "integer", "minimum": 0}
BLANK_OR_COUNT = {"type": ["integer", "null"], "minimum": 0}

OPENAPI = {
    "paths": {
        "/reports/trained-by-area": {
            "get": {
                "operationId": "getTrainedByArea",
                "summary": "Staff trained by the exact set of authorities they work for, with spaces (SPEC 3.9)",
                "description": "Admins and coordinators see every row; a workforce lead sees the rows of "
                "people who work for at least one of their authorities.",
                "parameters": [
                    {
                        "name": "as_of",
                        "in": "query",
                        "required": True,
                        "description": "Count training completed on or before this date.",
                        "schema": {**DATE, "examples": ["2008-08-31"]},
                    }
                ],
                "responses": {
                    "200": json_response("The table, its last row 'Total Number Trained'.", ref("TrainedByArea")),
                    **errors(403, 422),
                },
            }
        },
        "/reports/attendance-by-authority": {
            "get": {
                "operationId": "getAttendanceByAuthority",
                "summary": "Attendees of a session or a period by the exact set of authorities they work for",
                "description": "An attendee has at least one day marked attended or partial (within the period, on "
                "the session when given); each is counted once. A workforce lead sees only people who work for one "
                "of their authorities. The last row is 'Total Attended'.",
                "parameters": [
                    query_parameter("from", "Only session days on or after this date.", OPTIONAL_DATE),
                    query_parameter("to", "Only session days on or before this date.", OPTIONAL_DATE),
                    query_parameter("session", "Only this session (its code)."),
                ],
                "responses": {
                    "200": json_response("The rows, total last.", ref("AttendanceByAuthority")),
                    **errors(403, 404, 422),
                },
            }
        },
    },
    "schemas": {
        "AttendanceByAuthority": {
            "type": "object",
            "required": ["rows"],
            "properties": {"rows": {"type": "array", "items": ref("AttendanceByAuthorityRow")}},
        },
        "AttendanceByAuthorityRow": {
            "type": "object",
            "required": ["label", "attended"],
            "properties": {
                "label": {**STRING, "description": "A row of the 3.9 table, or the total."},
                "attended": COUNT,
            },
        },
        "TrainedByArea": {
            "type": "object",
            "required": ["as_of", "rows"],
            "properties": {"as_of": DATE, "rows": {"type": "array", "items": ref("TrainedByAreaRow")}},
        },
        "TrainedByAreaRow": {
            "type": "object",
            "required": ["label", "trained", "spaces_to_end_of_year", "spaces_planned_next_year"],
            "properties": {
                "label": {**STRING, "description": "An authority, a combination ('A and B') or 'Other – Name'."},
                "trained": COUNT,
                "spaces_to_end_of_year": {
                    **BLANK_OR_COUNT,
                    "description": "Free places to 31 December; null except on single partner rows.",
                },
                "spaces_planned_next_year": {
                    **BLANK_OR_COUNT,
                    "description": "Capacity of next year's sessions; null except on single partner rows.",
                },
            },
        },
    },
}
