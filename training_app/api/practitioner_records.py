"""GET, POST and PUT /api/v1/practitioners: a practitioner's record with their workforce dates (SPEC 3.1, 4.5).

A record is checked by the practitioners import's reader (imports/single_row), as the staff pages check it, and its
dates set by services/workforce/leavers: someone added starts on the day added unless a date is given, a `left_on`
newly given marks them as left (their coming bookings cancelled free, their account off), one set to null with a
new `started_on` marks them back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify

from ..extensions import db
from ..imports.single_row import errors_by_column, import_one_row
from ..models import CoverCategory, Organisation, Practitioner, Role
from ..services.accounts.scope import can_see_practitioner, is_staff, organisation_scope
from ..services.catalogue.reference_data import record_row_to_change
from ..services.common.calendar import london_today
from ..services.common.lookups import practitioner_with_email
from ..services.workforce.in_post import is_in_post
from ..services.workforce.leavers import KEEP, Keep, LeavingRefused, change_dates, dates_problem, may_change_dates
from .auth import api_allow
from .docs import DATE, STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .parsing import Problems, date_problem
from .routes import bp
from .schemas import body_and_problems

READERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER)
WRITERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
TAKEN = "already a practitioner's email address"
TEXT_FIELDS = ("first_name", "last_name", "job_title", "organisation", "group", "cover_category")


@bp.get("/practitioners/<email>")
@api_allow(READERS)
def get_practitioner(email: str):
    """One practitioner's record, with when they started and left and whether they are in post today."""
    practitioner = _seen(email)
    return jsonify(practitioner_json(practitioner))


@bp.post("/practitioners")
@api_allow(WRITERS)
def post_practitioner():
    """Add a practitioner (a booker: to their own organisation): 201; 409 when the email is already someone's."""
    body, problems = body_and_problems("NewPractitioner")
    dates = _dates(body, problems)
    email = str(body.get("email", "")).strip().lower()
    if "email" not in problems and practitioner_with_email(email) is not None:
        raise ApiError(409, "There is already a practitioner with that email address.", {"email": "Already taken."})
    row = _row({"email": email}, body, problems)
    started_on = london_today() if dates[0] is KEEP or dates[0] is None else dates[0]
    practitioner = _save(row, problems, None)
    _set_dates(practitioner, started_on, None if dates[1] is KEEP else dates[1])
    return jsonify(practitioner_json(practitioner)), 201


@bp.put("/practitioners/<email>")
@api_allow(WRITERS)
def put_practitioner(email: str):
    """Change a practitioner's record; fields left out keep what they hold. A booker changes their own staff only."""
    body, problems = body_and_problems("PractitionerChanges")
    started_on, left_on = _dates(body, problems)
    if problems:
        raise ApiError.validation_failed(problems)
    practitioner = _seen(email)
    if not may_change_dates(g.api_user, practitioner):
        raise ApiError(403, "That practitioner is outside your organisation.")
    existing = record_row_to_change("practitioners", practitioner.email) or {}  # locked until saved
    practitioner = _save(_row(existing, body, problems), problems, practitioner)
    if started_on is not KEEP or left_on is not KEEP:
        _set_dates(practitioner, started_on, left_on)  # a date left out: what the locked row holds
    return jsonify(practitioner_json(practitioner))


def practitioner_json(practitioner: Practitioner) -> dict[str, Any]:
    """A practitioner as the API shows them."""
    started, left = practitioner.started_on, practitioner.left_on
    return {
        "email": practitioner.email,
        "first_name": practitioner.first_name,
        "last_name": practitioner.last_name,
        "job_title": practitioner.job_title,
        "organisation": practitioner.organisation.code if practitioner.organisation else None,
        "group": practitioner.group.code if practitioner.group else None,
        "authorities": [authority.code for authority in practitioner.authorities],
        "cover_category": practitioner.cover_category.value,
        "started_on": started.isoformat() if started else None,
        "left_on": left.isoformat() if left else None,
        "in_post": is_in_post(practitioner, london_today()),
    }


def _seen(email: str) -> Practitioner:
    """The practitioner with this email (any case) whom the user may see: 404, or 403 out of scope."""
    found = practitioner_with_email(email)
    if found is None:
        raise ApiError.not_found("There is no practitioner with that email address.")
    if not can_see_practitioner(g.api_user, found):
        raise ApiError(403, "That practitioner is outside your organisation or authorities.")
    return found


def _dates(body: dict[str, Any], problems: Problems) -> tuple[date | None | Keep, date | None | Keep]:
    """`started_on` and `left_on`: a date, None (null: cleared) or KEEP (left out); checked as a pair."""
    found: dict[str, date | None | Keep] = {}
    for name in ("started_on", "left_on"):
        value = body.get(name, KEEP)
        if name in problems or value is None or value is KEEP:
            found[name] = None if name in problems else value
            continue
        found[name], message = date_problem(value, name, "Started on" if name == "started_on" else "Left on")
        if message:
            problems[name] = message
    started, left = found["started_on"], found["left_on"]
    if not problems and (pair := dates_problem(_given(started), _given(left))):
        problems[pair[0]] = pair[1]
    return started, left


def _given(value: date | None | Keep) -> date | None:
    return None if isinstance(value, Keep) else value


def _row(base: dict[str, str], body: dict[str, Any], problems: Problems) -> dict[str, str]:
    """The practitioners CSV row: the record's cells (or only its email) overlaid with the body's fields; a booker's
    staff stay in their organisation."""
    row = dict(base)
    for name in TEXT_FIELDS:
        if name in body and body[name] is not None and name not in problems:
            if "\x00" in body[name] or not _encodable(body[name]):
                problems[name] = "Must be text without control characters."
            row[name] = str(body[name]).strip()
    if "authorities" in body and "authorities" not in problems:
        row["authorities"] = ";".join(str(code).strip() for code in body["authorities"])
    scope = organisation_scope(g.api_user)
    if not is_staff(g.api_user) and scope is not None:
        own = _organisation_code(scope)
        if row.get("organisation", own) != own:
            raise ApiError(403, "A booker adds and changes their own organisation's staff only.")
        row["organisation"] = own
    if problems:
        raise ApiError.validation_failed(problems)
    return row


def _save(row: dict[str, str], problems: Problems, practitioner: Practitioner | None) -> Practitioner:
    """Save the row through the practitioners reader; its messages become the fields' problems (422)."""
    still_new = None if practitioner is not None else lambda: TAKEN if practitioner_with_email(row["email"]) else None
    result = import_one_row("practitioners", row, actor=g.api_user, still_new=still_new)
    if not result.ok:
        if errors_by_column(result).get("email") == [TAKEN]:  # added a moment ago by a request at the same time
            raise ApiError(409, "There is already a practitioner with that email address.", {"email": "Already taken."})
        for column, messages in errors_by_column(result).items():
            problems[column or "email"] = _sentence("; ".join(messages))
        raise ApiError.validation_failed(problems)
    saved = practitioner_with_email(row["email"]) if practitioner is None else practitioner
    if saved is None:  # the reader has just written it
        raise ApiError.not_found("There is no practitioner with that email address.")
    return saved


def _set_dates(practitioner: Practitioner, started_on: date | None | Keep, left_on: date | None | Keep) -> None:
    try:
        change_dates(practitioner, started_on, left_on, g.api_user)
    except LeavingRefused as refused:
        raise ApiError.validation_failed({refused.field: _sentence(refused.message)}) from None


def _organisation_code(organisation_id: int) -> str:
    organisation = db.session.get(Organisation, organisation_id)
    return organisation.code if organisation else ""


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


NULLABLE_TEXT = {"type": ["string", "null"], "maxLength": 200}
NULLABLE_DATE = {**DATE, "type": ["string", "null"]}
AUTHORITIES = {
    "type": "array",
    "items": {**STRING, "maxLength": 60},
    "minItems": 1,
    "maxItems": 3,
    "x-message": "Authorities must be a list of one to three authority codes.",
    "description": "Codes of the authorities they work for (one, two or three).",
}
FIELDS: dict[str, Any] = {
    "first_name": {**STRING, "maxLength": 100},
    "last_name": {**STRING, "maxLength": 100},
    "job_title": NULLABLE_TEXT,
    "organisation": {**NULLABLE_TEXT, "description": "Organisation code; a booker's own, whatever is sent."},
    "group": {**NULLABLE_TEXT, "description": "Responsibility group code, 1 to 8."},
    "authorities": AUTHORITIES,
    "cover_category": {"type": ["string", "null"], "enum": [c.value for c in CoverCategory] + [None]},
    "started_on": {
        **NULLABLE_DATE,
        "description": "Joined the workforce here; null: not known. Left out when adding: today.",
    },
    "left_on": {
        **NULLABLE_DATE,
        "description": "Their first day no longer in post; null while in post. Newly given, it marks them as "
        "left: their bookings on sessions running to it or later are cancelled without a charge and their account "
        "is switched off. Set to null (with a new started_on) to mark a leaver back.",
    },
}

OPENAPI = {
    "paths": {
        "/practitioners": {
            "post": {
                "operationId": "addPractitioner",
                "summary": "Add a practitioner (SPEC 3.1): they start today unless started_on is given",
                "description": "Coordinators and administrators add anyone; a booker their own organisation's staff.",
                "requestBody": json_body(ref("NewPractitioner")),
                "responses": {
                    "201": json_response("The practitioner was added.", ref("PractitionerRecord")),
                    **errors(400, 403, 409, 422),
                },
            }
        },
        "/practitioners/{email}": {
            "get": {
                "operationId": "getPractitioner",
                "summary": "A practitioner's record with when they started and left (SPEC 3.1)",
                "description": "Staff see anyone; a booker their organisation's staff; a workforce lead people "
                "working for one of their authorities; a practitioner themself.",
                "parameters": [{"name": "email", "in": "path", "required": True, "schema": STRING}],
                "responses": {"200": json_response("The record.", ref("PractitionerRecord")), **errors(403, 404)},
            },
            "put": {
                "operationId": "changePractitioner",
                "summary": "Change a practitioner's record; fields left out keep what they hold",
                "description": "Coordinators and administrators change anyone; a booker their own staff. A left_on "
                "newly given marks them as left; null with a new started_on marks them back.",
                "parameters": [{"name": "email", "in": "path", "required": True, "schema": STRING}],
                "requestBody": json_body(ref("PractitionerChanges")),
                "responses": {
                    "200": json_response("The record as changed.", ref("PractitionerRecord")),
                    **errors(400, 403, 404, 422),
                },
            },
        },
    },
    "schemas": {
        "NewPractitioner": {
            "type": "object",
            "additionalProperties": False,
            "required": ["email", "first_name", "last_name", "authorities"],
            "examples": [
                {
                    "email": "kim.shaw@oak.example",
                    "first_name": "Kim",
                    "last_name": "Shaw",
                    "organisation": "OAK",
                    "group": "3",
                    "authorities": ["LEICESTERSHIRE"],
                }
            ],
            "properties": {"email": {**STRING, "maxLength": 254}, **FIELDS},
        },
        "PractitionerChanges": {
            "type": "object",
            "additionalProperties": False,
            "examples": [{"left_on": "2027-08-31"}, {"started_on": "2028-01-04", "left_on": None}],
            "properties": FIELDS,
        },
        "PractitionerRecord": {
            "type": "object",
            "required": ["email", "first_name", "last_name", "authorities", "started_on", "left_on", "in_post"],
            "properties": {
                "email": STRING,
                "first_name": STRING,
                "last_name": STRING,
                "job_title": {"type": ["string", "null"]},
                "organisation": {"type": ["string", "null"]},
                "group": {"type": ["string", "null"]},
                "authorities": {"type": "array", "items": STRING},
                "cover_category": {"type": "string", "enum": [c.value for c in CoverCategory]},
                "started_on": NULLABLE_DATE,
                "left_on": NULLABLE_DATE,
                "in_post": {"type": "boolean", "description": "In post today (SPEC 3.1)."},
            },
        },
    },
}
