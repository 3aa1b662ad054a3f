"""GET and POST /api/v1/awareness/sign-offs: the awareness sign-off register (SPEC 3.8, 4.5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import OrganisationKind, Role
from ..models.awareness import SignOffStatus
from ..permissions import REPORT_READERS, STAFF
from ..services.accounts.scope import report_scope
from ..services.awareness import awareness
from ..services.awareness.awareness import SignOffError, SignOffValues
from ..services.common.calendar import DateProblem
from .auth import api_allow
from .docs import errors, json_body, json_response, query_parameter, ref
from .errors import ApiError
from .parsing import Problems, code_filter, query_args
from .routes import bp
from .schemas import body_and_problems

FILTERS = frozenset({"sector", "status", "authority"})
TEXT = {
    "service": 200,
    "contact_name": 200,
    "contact_role": 200,
    "package": 200,
    "version": 40,
    "signed_off_by": 200,
    "notes": 10_000,
    "organisation": 40,
}
REQUIRED = ("service", "sector", "authorities", "contact_name", "package", "completed_on")
MONTH_OR_DATE = "^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$"
COMPLETED_ON = "Must be a real date written YYYY-MM-DD, or a month written YYYY-MM, from 1900."
AUTHORITY_CODES = "Must be a list of authority codes, at least one."


@bp.get("/awareness/sign-offs")
@api_allow(REPORT_READERS)
def list_sign_offs():
    """The register by sector, status and authority; a workforce lead sees those covering their authorities."""
    args = query_args(FILTERS)
    problems: Problems = {}
    sector = _enum(args.get("sector"), OrganisationKind, "sector", problems)
    status = _enum(args.get("status"), SignOffStatus, "status", problems)
    authority_id = None
    if code := code_filter(args, "authority", problems):
        found = awareness.authority_ids_by_code([code])
        if code not in found:
            problems["authority"] = "No authority has that code."
        authority_id = found.get(code)
    if problems:
        raise ApiError.validation_failed(problems)
    found_sign_offs = awareness.sign_offs(report_scope(g.api_user), sector, status, authority_id)
    return jsonify(sign_offs=[awareness.sign_off_values(sign_off) for sign_off in found_sign_offs])


@bp.post("/awareness/sign-offs")
@api_allow(STAFF)
def post_sign_off():
    """Record a service's sign-off (coordinators, admins): 201; 409 when the service already has one."""
    values = sign_off_values(*body_and_problems("AwarenessSignOffInput"))
    try:
        sign_off = awareness.record_sign_off(values, actor=g.api_user)
    except SignOffError as error:
        if error.duplicate:
            raise ApiError(409, error.fields["service"], error.fields) from None
        raise ApiError.validation_failed(error.fields) from None
    return jsonify(awareness.sign_off_values(sign_off)), 201


def sign_off_values(body: dict[str, Any], problems: Problems) -> SignOffValues:
    """The body (already checked against its schema) as sign-off values, or a 422 naming every bad field."""
    text = {name: _storable(body, name, problems) for name in TEXT}
    codes = _codes(body, problems)
    completed = _completed(body, problems)
    if problems or completed is None:
        raise ApiError.validation_failed(problems)
    return SignOffValues(
        service=text["service"] or "",
        sector_kind=OrganisationKind(body["sector"]),
        authority_codes=codes,
        contact_name=text["contact_name"] or "",
        package=text["package"] or "",
        completed_on=completed[0],
        completed_month_only=completed[1],
        contact_role=text["contact_role"],
        package_version=text["version"],
        signed_off_by_name=text["signed_off_by"],
        evidence_notes=text["notes"] or "",
        status=SignOffStatus(body.get("status", SignOffStatus.SIGNED_OFF.value)),
        organisation_code=text["organisation"],
    )


def _storable(body: dict[str, Any], name: str, problems: Problems) -> str | None:
    """Text the database can hold: no NUL and no lone surrogate (which JSON escapes can carry)."""
    value = body.get(name)
    if value is None or name in problems:
        return None
    if "\x00" in value or not _encodable(value):
        problems[name] = "Must be text without control characters."
        return None
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _enum(value: Any, kind: type[OrganisationKind] | type[SignOffStatus], name: str, problems: Problems) -> Any:
    if value is None:
        return None
    try:
        return kind(value) if isinstance(value, str) else kind("\x00")
    except ValueError:
        problems[name] = _one_of(kind)
        return None


def _one_of(kind: type[OrganisationKind] | type[SignOffStatus]) -> str:
    return f"Must be one of {', '.join(member.value for member in kind)}."


def _codes(body: dict[str, Any], problems: Problems) -> list[str]:
    codes = body.get("authorities")
    if codes is None or "authorities" in problems:
        return []
    if any("\x00" in code or not _encodable(code) for code in codes):
        problems["authorities"] = "No authority has that code."
        return []
    return list(dict.fromkeys(codes))


def _completed(body: dict[str, Any], problems: Problems) -> tuple[Any, bool] | None:
    value = body.get("completed_on")
    if value is None or "completed_on" in problems:
        return None
    try:
        return awareness.parse_completed(value)
    except DateProblem:
        problems["completed_on"] = COMPLETED_ON
        return None


def _role_note() -> str:
    return (
        f"{Role.COORDINATOR.value} and {Role.ADMIN.value} write; a {Role.WORKFORCE_LEAD.value} reads their authorities"
    )


TEXT_SCHEMA = {name: {"type": "string", "maxLength": limit} for name, limit in TEXT.items()}
SECTOR = {"type": "string", "enum": [kind.value for kind in OrganisationKind]}
STATUS = {"type": "string", "enum": [status.value for status in SignOffStatus]}
NULLABLE_TEXT = {"type": ["string", "null"]}

OPENAPI = {
    "paths": {
        "/awareness/sign-offs": {
            "get": {
                "operationId": "listAwarenessSignOffs",
                "summary": f"The awareness sign-off register ({_role_note()})",
                "parameters": [
                    query_parameter("sector", "Only sign-offs of this sector (an organisation kind).", SECTOR),
                    query_parameter("status", "Only sign-offs with this status.", STATUS),
                    query_parameter("authority", "Only sign-offs covering the authority with this code."),
                ],
                "responses": {
                    "200": json_response("The sign-offs, in order of completion.", ref("AwarenessSignOffList")),
                    **errors(403, 422),
                },
            },
            "post": {
                "operationId": "postAwarenessSignOff",
                "summary": "Record a service's awareness sign-off (coordinator, admin); one per service",
                "requestBody": json_body(ref("AwarenessSignOffInput")),
                "responses": {
                    "201": json_response("The sign-off was recorded.", ref("AwarenessSignOff")),
                    **errors(400, 403, 409, 422),
                },
            },
        }
    },
    "schemas": {
        "AwarenessSignOffInput": {
            "type": "object",
            "additionalProperties": False,
            "required": list(REQUIRED),
            "examples": [
                {
                    "service": "Adult Services Coalville",
                    "sector": "adult_services",
                    "authorities": ["LEICESTERSHIRE"],
                    "contact_name": "Jim Lawrenson",
                    "contact_role": "Team Manager",
                    "package": "Leicestershire Awareness Package",
                    "version": "2007.1",
                    "completed_on": "2008-07",
                }
            ],
            "properties": {
                **TEXT_SCHEMA,
                "sector": {**SECTOR, "x-messages": {"type": _one_of(OrganisationKind)}},
                "status": {
                    **STATUS,
                    "description": "Default signed_off.",
                    "x-messages": {"type": _one_of(SignOffStatus)},
                },
                "authorities": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 40,
                        "x-messages": {
                            "type": AUTHORITY_CODES,
                            "minLength": AUTHORITY_CODES,
                            "maxLength": "No authority has that code.",
                        },
                    },
                    "description": "Codes of the authorities the sign-off covers.",
                    "x-messages": {"type": AUTHORITY_CODES, "minItems": AUTHORITY_CODES},
                },
                "completed_on": {
                    "type": "string",
                    "pattern": MONTH_OR_DATE,
                    "description": "YYYY-MM-DD, or YYYY-MM when only the month is known.",
                    "x-messages": {"type": COMPLETED_ON, "pattern": COMPLETED_ON},
                },
            },
        },
        "AwarenessSignOff": {
            "type": "object",
            "required": ["id", "service", "sector", "authorities", "contact_name", "package", "completed_on", "status"],
            "properties": {
                "id": {"type": "integer"},
                "service": {"type": "string"},
                "sector": SECTOR,
                "authorities": {"type": "array", "items": {"type": "string"}},
                "organisation": NULLABLE_TEXT,
                "contact_name": {"type": "string"},
                "contact_role": NULLABLE_TEXT,
                "package": {"type": "string"},
                "version": NULLABLE_TEXT,
                "completed_on": {"type": "string", "pattern": MONTH_OR_DATE},
                "status": STATUS,
                "signed_off_by": NULLABLE_TEXT,
                "notes": {"type": "string"},
                "evidence_file": NULLABLE_TEXT,
            },
        },
        "AwarenessSignOffList": {
            "type": "object",
            "required": ["sign_offs"],
            "properties": {"sign_offs": {"type": "array", "items": ref("AwarenessSignOff")}},
        },
    },
}
