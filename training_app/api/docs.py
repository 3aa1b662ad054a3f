"""OpenAPI building blocks shared by every API module: references, the error schema and error responses."""

from __future__ import annotations

from typing import Any

from ..services.common.calendar import EARLIEST_DATE, LATEST_DATE
from .errors import CODES, MESSAGES

ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    422: "ValidationFailed",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "enum": sorted(set(CODES.values()))},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Field name (dotted for nested fields) to what is wrong with it.",
                    "additionalProperties": {"type": "string"},
                },
            },
        }
    },
}


def ref(name: str) -> dict[str, str]:
    """A reference to a schema in components."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response with a JSON body."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def errors(*statuses: int) -> dict[str, Any]:
    """The error responses an operation can give, always with 401 (every call but the document needs a token)."""
    every = sorted({401, *statuses})
    return {str(status): {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"} for status in every}


def error_components() -> dict[str, Any]:
    """The shared error responses, each a JSON error body."""
    return {name: json_response(MESSAGES[status], ref("Error")) for status, name in ERROR_RESPONSES.items()}


def query_parameter(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """An optional query-string parameter."""
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema or STRING}


STRING = {"type": "string"}
# A pattern for text that must hold more than spaces (JSON Schema patterns match anywhere in the string).
NOT_BLANK = "\\S"
DATE = {
    "type": "string",
    "format": "date",
    "description": f"YYYY-MM-DD, from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}.",
}
# A query-string date filter: an empty value, as an HTML form or a URL template sends it, means no filter.
OPTIONAL_DATE = {"type": "string", "anyOf": [{"format": "date"}, {"maxLength": 0}], "description": DATE["description"]}
DATE_TIME = {"type": "string", "format": "date-time"}
