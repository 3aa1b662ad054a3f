"""The /api/v1 blueprint: its error handling, response headers and the signed-in user's own details."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..models import Role
from ..permissions import SIGNED_IN
from .auth import api_allow
from .docs import STRING, errors, json_response, ref
from .errors import integrity_error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
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
