"""The /api/v1 blueprint: its error handling, response headers and the signed-in user's own details."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BaseConverter

from ..models import Role
from ..permissions import SIGNED_IN
from .auth import api_allow
from .docs import STRING, errors, json_response, ref
from .errors import integrity_error_response


class NumberConverter(BaseConverter):
    """`<number:name>`: one to nine ASCII digits, so every value fits an INTEGER on SQLite and PostgreSQL.

    Werkzeug's `int` takes any length (SQLite then cannot bind it) and Unicode digits. Longer values fail the
    pattern rather than a ValidationError, which Werkzeug would answer 405 on the rule's other methods.
    """

    regex = r"[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Recorded first, so the converter is there before any API module's route that uses it is added.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("number", NumberConverter))
bp.register_error_handler(IntegrityError, integrity_error_response)


@bp.after_request
def _api_headers(response: Response) -> Response:
    """API answers are per-user data, never kept by shared caches; an empty OPTIONS answer claims no HTML."""
    response.headers.setdefault("Cache-Control", "no-store")
    if request.method == "OPTIONS" and not response.data:
        del response.headers["Content-Type"]
    return response


@bp.get("/me")
@api_allow(SIGNED_IN)
def me():
    """The token's user: email, role, organisation and authorities."""
    user = g.api_user
    return jsonify(
        email=user.email,
        name=user.name,
        role=user.role.value,
        organisation=user.organisation.code if user.organisation else None,
        authorities=sorted(authority.code for authority in user.authorities),
    )


OPENAPI = {
    "paths": {
        "/me": {
            "get": {
                "operationId": "getMe",
                "summary": "The user the token belongs to",
                "responses": {"200": json_response("The token's user.", ref("Me")), **errors()},
            }
        }
    },
    "schemas": {
        "Me": {
            "type": "object",
            "required": ["email", "name", "role", "organisation", "authorities"],
            "properties": {
                "email": STRING,
                "name": STRING,
                "role": {"type": "string", "enum": [role.value for role in Role]},
                "organisation": {"type": ["string", "null"], "description": "Organisation code (bookers)."},
                "authorities": {"type": "array", "items": STRING, "description": "Authority codes in scope."},
            },
        }
    },
}
