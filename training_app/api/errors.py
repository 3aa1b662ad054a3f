"""JSON errors: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify


def json_error(status: int, code: str, message: str, fields: dict[str, str] | None = None):
    """A JSON error response with the given HTTP status."""
    response = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    response.status_code = status
    return response
