"""PUT /api/v1/sessions/{code}/register (SPEC 4.5): attendance for the given days, all or nothing."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import MarkStatus, Role
from ..services.attendance.registers import MAX_ENTRIES, MAX_NOTES, NOT_MARKED, Entry, RegisterRefused, mark_register
from .auth import api_allow
from .bookings import _session
from .docs import DATE, STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .routes import bp
from .schemas import body_for

ENTRIES = "Give 'entries' as a non-empty list of {practitioner, day, status}."
# The register service checks these itself (a status it knows, HH:MM, the notes' length) and words them, so they
# reach it: it then names them together with the days and people it finds wrong, all in one answer.
SERVICE_CHECKS = frozenset({"enum", "pattern", "maxLength"})


@bp.put("/sessions/<code>/register")
@api_allow(Role)
def put_register(code: str):
    """Mark people on the session's register for the given days; every entry is checked before any is written."""
    body = body_for("RegisterEntries", brackets=True, left_to_service=SERVICE_CHECKS)
    entries = [_entry(item) for item in body["entries"]]
    session = _session(code)
    try:
        done = mark_register(session, entries, g.api_user)
    except RegisterRefused as refused:
        fields = {
            (f"entries[{p.index}].{p.field}" if p.index is not None else p.field): p.message for p in refused.problems
        }
        if refused.forbidden:
            raise ApiError(403, "You are not a trainer of this session.", fields) from None
        raise ApiError.validation_failed(fields) from None
    settled = done.settlement
    return jsonify(
        session=session.code,
        changed=done.changed,
        completed=[booking.practitioner.email for booking in settled.completed],
        no_shows=[booking.practitioner.email for booking in settled.no_shows],
        withdrawn=[booking.practitioner.email for booking in settled.withdrawn],
    )


def _entry(item: dict[str, Any]) -> Entry:
    return Entry(item["practitioner"], item["day"], item["status"], item.get("time") or "", item.get("notes") or "")


def _text(name: str) -> dict[str, Any]:
    return {**STRING, "x-message": f"Give '{name}' as text."}


OPENAPI: dict[str, Any] = {
    "paths": {
        "/sessions/{code}/register": {
            "put": {
                "operationId": "putRegister",
                "summary": "Mark attendance for the given days (the session's trainers, coordinators); all or nothing",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "requestBody": json_body(ref("RegisterEntries")),
                "responses": {
                    "200": json_response("Every entry written; the bookings it settled.", ref("RegisterMarked")),
                    **errors(400, 403, 404, 422),
                },
            }
        }
    },
    "schemas": {
        "RegisterEntries": {
            "type": "object",
            "additionalProperties": False,
            "required": ["entries"],
            "properties": {
                "entries": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ENTRIES,
                    "x-messages": {"maxItems": f"Give at most {MAX_ENTRIES} entries at once."},
                    "x-message": ENTRIES,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["practitioner", "day", "status"],
                        "x-message": "Each entry must be an object {practitioner, day, status}.",
                        "properties": {
                            "practitioner": {
                                **_text("practitioner"),
                                "minLength": 1,
                                "format": "email",
                                "examples": ["pat@example.org"],
                            },
                            "day": {
                                **_text("day"),
                                **DATE,
                                "minLength": 1,
                                "description": "One of the session's days, on or after its first.",
                            },
                            "status": {
                                **_text("status"),
                                "minLength": 1,
                                "enum": [*(status.value for status in MarkStatus), NOT_MARKED],
                                "description": "not_marked takes the day's mark away (refused for a day on a claim).",
                            },
                            "time": {
                                **_text("time"),
                                "type": ["string", "null"],
                                "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                "description": "Needed for a partial day: when they came or went, HH:MM London time.",
                            },
                            "notes": {**_text("notes"), "type": ["string", "null"], "maxLength": MAX_NOTES},
                        },
                    },
                }
            },
        },
        "RegisterMarked": {
            "type": "object",
            "required": ["session", "changed", "completed", "no_shows", "withdrawn"],
            "properties": {
                "session": STRING,
                "changed": {"type": "integer", "minimum": 0, "description": "Marks that changed."},
                "completed": {"type": "array", "items": STRING, "description": "Now complete, with a certificate."},
                "no_shows": {"type": "array", "items": STRING, "description": "Now no-shows, charged."},
                "withdrawn": {"type": "array", "items": STRING, "description": "No longer complete: revoked."},
            },
        },
    },
}
