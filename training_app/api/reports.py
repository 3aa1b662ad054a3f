"""GET /api/v1/reports/trained-by-area: the SPEC 3.9 table as JSON (SPEC 4.5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..permissions import REPORT_READERS
from ..services.counting import AreaRow, trained_by_area
from ..services.scope import report_scope
from .auth import api_allow
from .docs import DATE, STRING, errors, json_response, ref
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
        }
    },
    "schemas": {
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
