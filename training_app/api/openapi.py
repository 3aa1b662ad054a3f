"""GET /api/v1/openapi.json: the OpenAPI 3.1 document, assembled from the fragment kept beside each API module."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..permissions import public
from . import (
    awareness,
    bookings,
    claim_json,
    claims,  # noqa: F401 (attaches the claims views; their paths and schemas are in claim_json)
    evaluations,
    funds,
    interest,
    practitioner_records,
    practitioners,
    registers,
    reports,
    routes,
    sessions,
    targets,
    webhooks,
)
from .docs import ERROR_SCHEMA, error_components, json_response
from .routes import bp

OPENAPI = {
    "paths": {
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "security": [],
                "responses": {"200": json_response("The OpenAPI document.", {"type": "object"})},
            }
        }
    },
    "schemas": {"Error": ERROR_SCHEMA},
}

# Each API module keeps its paths and schemas in an OPENAPI dict; a new module is added here.
FRAGMENTS: tuple[dict[str, Any], ...] = (
    OPENAPI,
    routes.OPENAPI,
    sessions.OPENAPI,
    funds.OPENAPI,
    reports.OPENAPI,
    practitioners.OPENAPI,
    practitioner_records.OPENAPI,
    bookings.OPENAPI,
    awareness.OPENAPI,
    claim_json.OPENAPI,
    registers.OPENAPI,
    evaluations.OPENAPI,
    targets.OPENAPI,
    interest.OPENAPI,
    webhooks.OPENAPI,
)


@bp.get("/openapi.json")
@public
def openapi_json():
    """The API's OpenAPI document; public, so clients can discover it before they have a token."""
    return jsonify(openapi_document())


def openapi_document() -> dict[str, Any]:
    """The whole document: info, bearer security, every path and schema, the shared error responses."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for fragment in FRAGMENTS:
        paths.update(fragment["paths"])
        schemas.update(fragment["schemas"])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Workforce training API",
            "version": "1.0.0",
            "description": "Sessions, bookings, registers, reports and supply-cover claims. "
            'Errors are JSON: {"error": {"code", "message", "fields"}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(schemas.items())),
            "responses": error_components(),
        },
    }
