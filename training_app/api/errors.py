"""JSON errors for the API: {"error": {"code", "message", "fields"}}, with one code per HTTP status."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, current_app, jsonify
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from ..extensions import db

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "server_error",
}

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token as 'Authorization: Bearer TOKEN'.",
    403: "Your role does not allow this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    409: "That change conflicts with data already held; reload it and try again.",
    413: "The request is too large.",
    422: "Some fields are not valid.",
    429: "Too many requests; wait and try again.",
    500: "Something went wrong on our side; the problem has been logged.",
}

# Headers of an HTTP error worth keeping on its JSON version.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiError(HTTPException):
    """An API failure with a status, a stable code, a message for people and per-field messages."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description=message or MESSAGES.get(status, ""))
        self.code = status
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        """404 for a resource that does not exist."""
        return cls(404, message)

    @classmethod
    def validation_failed(cls, fields: Mapping[str, str], message: str | None = None) -> ApiError:
        """422 naming every field that is wrong."""
        return cls(422, message, fields)


def json_error(
    status: int,
    code: str | None = None,
    message: str | None = None,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON error response with the given HTTP status."""
    response = jsonify(
        error={
            "code": code or CODES.get(status, "error"),
            "message": message or MESSAGES.get(status, "The request failed."),
            "fields": dict(fields or {}),
        }
    )
    response.status_code = status
    response.headers.update(headers or {})
    return response


def http_error_response(error: HTTPException) -> Response:
    """Any HTTP error (ours or Werkzeug's) as JSON, keeping headers such as Allow."""
    status = error.code or 500
    if isinstance(error, ApiError):
        return json_error(status, message=error.description, fields=error.fields, headers=error.headers)
    kept = {name: value for name, value in error.get_headers() if name in KEPT_HEADERS}
    return json_error(status, message=MESSAGES.get(status) or error.description, headers=kept)


def integrity_error_response(error: IntegrityError) -> Response:
    """409 when the database refuses a change (a unique key or a race lost); the session is rolled back."""
    db.session.rollback()
    current_app.logger.info("API conflict: %s", error.orig)
    return json_error(409)
