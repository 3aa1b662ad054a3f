"""GET /api/v1/practitioners/{email}/pathway: where a practitioner stands on their group's pathway (SPEC 4.5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import PathwayStatus, Practitioner, Requirement, Role
from ..services.accounts.scope import can_see_practitioner
from ..services.catalogue.pathways import CourseOnPathway, pathway_of
from ..services.common.calendar import london_today
from ..services.common.lookups import practitioner_with_email
from .auth import api_allow
from .docs import DATE, STRING, errors, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import query_args, query_date
from .routes import bp

PATHWAY_READERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER)
MAX_EMAIL_LENGTH = 254


@bp.get("/practitioners/<email>/pathway")
@api_allow(PATHWAY_READERS)
def practitioner_pathway(email: str):
    """Each course of the practitioner's pathway with its status as of `today` (the London date by default)."""
    args = query_args(frozenset({"today"}))
    problems: dict[str, str] = {}
    today = query_date(args, "today", problems) or london_today()
    if problems:
        raise ApiError.validation_failed(problems)
    practitioner = _practitioner(email)
    if not can_see_practitioner(g.api_user, practitioner):
        raise ApiError(403, "That practitioner is outside your organisation or authorities.")
    pathway = pathway_of(practitioner, today)
    return jsonify(
        practitioner=practitioner.email,
        group=pathway.group.code if pathway.group else None,
        courses=[course_json(course) for course in pathway.courses],
    )


def _practitioner(email: str) -> Practitioner:
    """The practitioner with this email (any case), or a 404."""
    found = practitioner_with_email(email)
    if found is None:
        raise ApiError.not_found("There is no practitioner with that email address.")
    return found


def course_json(course: CourseOnPathway) -> dict[str, Any]:
    """One course of a pathway as the API shows it."""
    return {
        "course": course.course.code,
        "requirement": course.requirement.value,
        "status": course.status.value,
        "completed_on": course.completed_on.isoformat() if course.completed_on else None,
        "expires_on": course.expires_on.isoformat() if course.expires_on else None,
        "session": course.session_code,
    }


NULLABLE_DATE = {**DATE, "type": ["string", "null"]}

OPENAPI = {
    "paths": {
        "/practitioners/{email}/pathway": {
            "get": {
                "operationId": "getPractitionerPathway",
                "summary": "A practitioner's pathway: each course's requirement and status (SPEC 3.2)",
                "description": "Staff see anyone; a booker their organisation's staff; a workforce lead people "
                "working for one of their authorities; a practitioner themself.",
                "parameters": [
                    {"name": "email", "in": "path", "required": True, "schema": STRING},
                    query_parameter("today", "The day statuses are worked out for; the London date by default.", DATE),
                ],
                "responses": {
                    "200": json_response("The pathway in order.", ref("PractitionerPathway")),
                    **errors(403, 404, 422),
                },
            }
        }
    },
    "schemas": {
        "PractitionerPathway": {
            "type": "object",
            "required": ["practitioner", "group", "courses"],
            "properties": {
                "practitioner": {**STRING, "description": "Email address."},
                "group": {"type": ["string", "null"], "description": "Responsibility group code."},
                "courses": {"type": "array", "items": ref("PathwayCourse")},
            },
        },
        "PathwayCourse": {
            "type": "object",
            "required": ["course", "requirement", "status", "completed_on", "expires_on", "session"],
            "properties": {
                "course": {**STRING, "description": "Course code."},
                "requirement": {"type": "string", "enum": [r.value for r in Requirement]},
                "status": {"type": "string", "enum": [s.value for s in PathwayStatus]},
                "completed_on": {**NULLABLE_DATE, "description": "The latest completion."},
                "expires_on": {**NULLABLE_DATE, "description": "When that completion expires; null if it never does."},
                "session": {"type": ["string", "null"], "description": "The session booked on, while booked."},
            },
        },
    },
}
