"""Interest in a course in the API (SPEC 4.5, 3.4 Interest): register a practitioner's interest (themself, a booker's
staff, anyone for coordinators), withdraw it, and count it by authority and area."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import Course, Role
from ..services.accounts.scope import organisation_scope, report_scope
from ..services.booking.booking_checks import BookingRefused
from ..services.booking.interest import interest_by_area, register_interest, withdraw_interest
from ..services.catalogue.courses import course_with_code
from .auth import api_allow
from .bookings import _practitioner, _refusal
from .docs import NOT_BLANK, STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .routes import bp
from .schemas import body_for

WRITERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER)
READERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD)


def _course(code: str) -> Course:
    course = course_with_code(code)
    if course is None:
        raise ApiError.not_found("There is no course with that code.")
    return course


@bp.post("/courses/<code>/interest")
@api_allow(WRITERS)
def post_interest(code: str):
    """Register a practitioner's interest in a course: they are emailed once for each session scheduled."""
    body = body_for("NewInterest")
    course = _course(code)
    practitioner = _practitioner(body["practitioner"])
    try:
        interest = register_interest(course, practitioner, g.api_user)
    except BookingRefused as refused:
        raise _refusal(refused, "practitioner") from None
    return jsonify(id=interest.id, course=course.code, practitioner=practitioner.email), 201


@bp.delete("/courses/<code>/interest/<email>")
@api_allow(WRITERS)
def delete_interest(code: str, email: str):
    """Withdraw a practitioner's interest in a course."""
    course = _course(code)
    practitioner = _practitioner(email)
    try:
        withdraw_interest(course, practitioner, g.api_user)
    except BookingRefused as refused:
        raise _refusal(refused, "practitioner") from None
    return jsonify(course=course.code, practitioner=practitioner.email, withdrawn=True)


@bp.get("/courses/<code>/interest")
@api_allow(READERS)
def get_interest(code: str):
    """Who wants dates of a course, by the authority and area of their organisation: everyone for coordinators, a
    workforce lead's authorities, a booker's own staff."""
    course = _course(code)
    user = g.api_user
    counts = interest_by_area(course.id, report_scope(user), organisation_scope(user))
    rows = [{"authority": row.authority, "area": row.area, "count": row.count} for row in counts.rows]
    return jsonify(course=course.code, total=counts.total, rows=rows)


CODE = {"name": "code", "in": "path", "required": True, "schema": STRING}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/courses/{code}/interest": {
            "post": {
                "operationId": "registerInterest",
                "summary": "Ask to be told of a course's new dates (a practitioner for themself, a booker for their "
                "staff, coordinators for anyone)",
                "parameters": [CODE],
                "requestBody": json_body(ref("NewInterest")),
                "responses": {
                    "201": json_response("Registered.", ref("InterestRegistered")),
                    **errors(400, 403, 404, 409, 422),
                },
            },
            "get": {
                "operationId": "getInterest",
                "summary": "Who wants dates of a course, by authority and area (coordinators; workforce leads their "
                "authorities; bookers their staff)",
                "parameters": [CODE],
                "responses": {
                    "200": json_response("The total and the rows by authority and area.", ref("InterestCounts")),
                    **errors(403, 404),
                },
            },
        },
        "/courses/{code}/interest/{email}": {
            "delete": {
                "operationId": "withdrawInterest",
                "summary": "Withdraw a practitioner's interest in a course",
                "parameters": [CODE, {"name": "email", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    "200": json_response("Withdrawn.", {"type": "object"}),
                    **errors(403, 404, 409, 422),
                },
            }
        },
    },
    "schemas": {
        "NewInterest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["practitioner"],
            "properties": {
                "practitioner": {
                    **STRING,
                    "format": "email",
                    "pattern": NOT_BLANK,
                    "examples": ["pat@example.org"],
                    "x-message": "Enter the practitioner's email address.",
                }
            },
        },
        "InterestRegistered": {
            "type": "object",
            "required": ["id", "course", "practitioner"],
            "properties": {"id": {"type": "integer"}, "course": STRING, "practitioner": STRING},
        },
        "InterestCounts": {
            "type": "object",
            "required": ["course", "total", "rows"],
            "properties": {
                "course": STRING,
                "total": {"type": "integer"},
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["authority", "area", "count"],
                        "properties": {"authority": STRING, "area": STRING, "count": {"type": "integer"}},
                    },
                },
            },
        },
    },
}
