"""POST /api/v1/sessions/{code}/bookings and DELETE /api/v1/bookings/{id} (SPEC 4.5): booking and cancelling; and
GET /api/v1/sessions/{code}/needs, the answers to the booking questions for the session's trainers and coordinators;
POST /api/v1/bookings/{id}/offer/accept and /offer/decline: answering a waiting-list offer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify

from ..extensions import db
from ..models import NEEDS_MAX_LENGTH, Booking, BookingStatus, Practitioner, Role, TrainingSession
from ..permissions import SIGNED_IN
from ..services.accounts.scope import staff_in_organisation_scope
from ..services.booking.booking_checks import BookingRefused, Refusal
from ..services.booking.booking_needs import NeedsInvalid, may_see_needs, needs_of_session, read_needs
from ..services.booking.bookings import book_place, cancel_booking
from ..services.booking.offers import accept_offer, decline_offer, may_answer
from ..services.common.lookups import practitioner_with_email, session_with_code
from .auth import api_allow
from .docs import NOT_BLANK, STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .routes import bp
from .schemas import body_for

BOOKERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
STATUS_OF_REFUSAL = {Refusal.CONFLICT: 409, Refusal.FORBIDDEN: 403, Refusal.INVALID: 422}
MAX_TEXT = 400


@bp.post("/sessions/<code>/bookings")
@api_allow(BOOKERS)
def create_booking(code: str):
    """Book a practitioner onto the session: a place while any remain, else the next place on the waiting list."""
    body = body_for("NewBooking")
    email, override = body["practitioner"], body.get("prerequisite_override")
    answers = body.get("needs") or {}
    try:
        needs = read_needs(answers.get("access"), answers.get("dietary"))
    except NeedsInvalid as invalid:
        problems = {f"needs.{name}": f"{text}." for name, text in invalid.problems.items()}
        raise ApiError.validation_failed(problems) from None
    session = _session(code)
    practitioner = _practitioner(email)
    try:
        booking = book_place(session, practitioner, g.api_user, override_reason=override, needs=needs)
    except BookingRefused as refused:
        raise _refusal(refused, "practitioner") from None
    return jsonify(id=booking.id, status=booking.status.value, position=booking.waitlist_position), 201


@bp.get("/sessions/<code>/bookings")
@api_allow(BOOKERS)
def list_session_bookings(code: str):
    """The session's bookings and waiting list: everyone's for coordinators, a booker's own staff's for them."""
    session = _session(code)
    query = (
        sa.select(Booking.id, Practitioner.email, Booking.status, Booking.waitlist_position, Booking.created_at)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .where(Booking.session_id == session.id)
        .order_by(Booking.waitlist_position.is_not(None), Booking.waitlist_position, Booking.id)
    )
    if (own_staff := staff_in_organisation_scope(g.api_user)) is not None:
        query = query.where(own_staff)
    rows = db.session.execute(query).all()
    return jsonify(
        session=session.code,
        bookings=[
            {"id": row.id, "practitioner": row.email, "status": row.status.value, "position": row.waitlist_position}
            for row in rows
        ],
    )


@bp.get("/sessions/<code>/needs")
@api_allow(SIGNED_IN)
def session_needs(code: str):
    """The access and dietary needs of the people on a session who gave any: its trainers and coordinators only."""
    session = _session(code)
    if not may_see_needs(g.api_user, session):
        raise ApiError(403, "Only the session's trainers and coordinators may see the needs of the people on it.")
    rows = needs_of_session(session)
    return jsonify(
        session=session.code,
        needs=[
            {"practitioner": row.email, "status": row.status.value, "access": row.access, "dietary": row.dietary}
            for row in rows
        ],
    )


@bp.delete("/bookings/<number:booking_id>")
@api_allow(BOOKERS)
def delete_booking(booking_id: int):
    """Cancel a booking; the first person waiting takes the freed place."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise ApiError.not_found(f"There is no booking {booking_id}.")
    try:
        done = cancel_booking(booking, g.api_user)
    except BookingRefused as refused:
        raise _refusal(refused, "booking") from None
    promoted = done.promoted.id if done.promoted else None
    return jsonify(id=booking.id, status=done.booking.status.value, charge_pence=done.charge_pence, promoted=promoted)


@bp.post("/bookings/<number:booking_id>/offer/accept")
@api_allow(BOOKERS, Role.PRACTITIONER)
def accept_booking_offer(booking_id: int):
    """Accept the waiting-list offer open on a booking: the place is booked. 409 when no offer is open."""
    booking = _answerable(booking_id)
    try:
        done = accept_offer(booking, g.api_user)
    except BookingRefused as refused:
        raise _refusal(refused, "offer") from None
    return jsonify(id=booking.id, status=done.booking.status.value, passed_to=None)


@bp.post("/bookings/<number:booking_id>/offer/decline")
@api_allow(BOOKERS, Role.PRACTITIONER)
def decline_booking_offer(booking_id: int):
    """Decline the waiting-list offer open on a booking: it passes to the next person waiting. 409 when none is open."""
    booking = _answerable(booking_id)
    try:
        done = decline_offer(booking, g.api_user)
    except BookingRefused as refused:
        raise _refusal(refused, "offer") from None
    passed_to = done.passed_to.id if done.passed_to else None
    return jsonify(id=booking.id, status=done.booking.status.value, passed_to=passed_to)


def _answerable(booking_id: int) -> Booking:
    """The booking, once it exists (404) and the user is the person offered the place, their booker or staff (403)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise ApiError.not_found(f"There is no booking {booking_id}.")
    if not may_answer(g.api_user, booking):
        raise ApiError(403, "The booking is not yours or one of your organisation's staff's.")
    return booking


def _session(code: str) -> TrainingSession:
    session = session_with_code(code)
    if session is None:
        raise ApiError.not_found("There is no session with that code.")
    return session


def _practitioner(email: str) -> Practitioner:
    found = practitioner_with_email(email)
    if found is None:
        raise ApiError.validation_failed({"practitioner": "There is no practitioner with that email address."})
    return found


def _refusal(refused: BookingRefused, subject: str) -> ApiError:
    """A refused booking as the API answers it, naming the field and saying why."""
    status = STATUS_OF_REFUSAL[refused.kind]
    message = f"The {subject} {refused.message}." if refused.field == subject else f"{_sentence(refused.message)}."
    return ApiError(status, message, {refused.field: message})


def _sentence(text: str) -> str:
    """The text with its first letter in capitals and the rest as written: session codes and months keep their case."""
    return text[:1].upper() + text[1:]


STATUSES = [status.value for status in BookingStatus]
NEEDS_ANSWER = {
    "type": ["string", "null"],
    "maxLength": NEEDS_MAX_LENGTH,
    "description": "Free text; line breaks are kept, other control characters dropped.",
    "x-message": f"Give {{field}} as text of at most {NEEDS_MAX_LENGTH} characters.",
}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/sessions/{code}/bookings": {
            "get": {
                "operationId": "listSessionBookings",
                "summary": "A session's bookings and waiting list (a booker sees their own staff's)",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    "200": json_response("Bookings, places first, then the waiting list.", ref("SessionBookings")),
                    **errors(403, 404),
                },
            },
            "post": {
                "operationId": "createBooking",
                "summary": "Book a practitioner onto a session (coordinators, admins; bookers for their staff)",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "requestBody": json_body(ref("NewBooking")),
                "responses": {
                    "201": json_response("Booked, or placed on the waiting list.", ref("BookingMade")),
                    **errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/sessions/{code}/needs": {
            "get": {
                "operationId": "getSessionNeeds",
                "summary": "The access and dietary needs people gave for a session (its trainers and coordinators)",
                "description": "Only those who gave any are listed. Needs are erased 30 days after the session's last "
                "day; nobody but the session's trainers and coordinators may read them (403).",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    "200": json_response("Each person's needs, by name.", ref("SessionNeeds")),
                    **errors(403, 404),
                },
            }
        },
        "/bookings/{booking_id}": {
            "delete": {
                "operationId": "cancelBooking",
                "summary": "Cancel a booking; the first person waiting is promoted",
                "parameters": [
                    {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
                ],
                "responses": {
                    "200": json_response("Cancelled.", ref("BookingCancelled")),
                    **errors(403, 404, 409, 422),
                },
            }
        },
        "/bookings/{booking_id}/offer/accept": {
            "post": {
                "operationId": "acceptBookingOffer",
                "summary": "Accept a waiting-list offer (the person offered the place, their booker, or staff)",
                "description": "Books the place held for the booking. 409 when no offer is open: already answered, "
                "lapsed, or the session has started.",
                "parameters": [
                    {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
                ],
                "responses": {
                    "200": json_response("Accepted: the booking is booked.", ref("OfferAnswered")),
                    **errors(403, 404, 409),
                },
            }
        },
        "/bookings/{booking_id}/offer/decline": {
            "post": {
                "operationId": "declineBookingOffer",
                "summary": "Decline a waiting-list offer (the person offered the place, their booker, or staff)",
                "description": "The booking leaves as offer_declined and the place passes to the next person "
                "waiting. 409 when no offer is open.",
                "parameters": [
                    {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
                ],
                "responses": {
                    "200": json_response("Declined: the place has passed on.", ref("OfferAnswered")),
                    **errors(403, 404, 409),
                },
            }
        },
    },
    "schemas": {
        "NewBooking": {
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
                },
                "prerequisite_override": {
                    "type": ["string", "null"],
                    "maxLength": MAX_TEXT,
                    "description": "Coordinators only; null is the same as leaving it out.",
                    "x-message": f"Give the reason as text of at most {MAX_TEXT} characters.",
                },
                "needs": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "description": "The practitioner's answers to the booking questions (optional). Shown only to "
                    "the session's trainers and coordinators; erased 30 days after the session ends.",
                    "x-messages": {"type": "Give the needs as an object with 'access' and 'dietary' text."},
                    "properties": {"access": NEEDS_ANSWER, "dietary": NEEDS_ANSWER},
                },
            },
        },
        "SessionNeeds": {
            "type": "object",
            "required": ["session", "needs"],
            "properties": {
                "session": STRING,
                "needs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["practitioner", "status", "access", "dietary"],
                        "properties": {
                            "practitioner": {**STRING, "format": "email"},
                            "status": {"type": "string", "enum": STATUSES},
                            "access": {"type": ["string", "null"]},
                            "dietary": {"type": ["string", "null"]},
                        },
                    },
                },
            },
        },
        "BookingMade": {
            "type": "object",
            "required": ["id", "status", "position"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": ["booked", "waitlisted"]},
                "position": {"type": ["integer", "null"], "minimum": 1, "description": "On the waiting list."},
            },
        },
        "SessionBookings": {
            "type": "object",
            "required": ["session", "bookings"],
            "properties": {
                "session": STRING,
                "bookings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "practitioner", "status", "position"],
                        "properties": {
                            "id": {"type": "integer"},
                            "practitioner": STRING,
                            "status": {"type": "string", "enum": STATUSES},
                            "position": {"type": ["integer", "null"], "minimum": 1},
                        },
                    },
                },
            },
        },
        "BookingCancelled": {
            "type": "object",
            "required": ["id", "status", "charge_pence", "promoted"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": STATUSES},
                "charge_pence": {"type": ["integer", "null"], "description": "Charged for a late cancellation."},
                "promoted": {
                    "type": ["integer", "null"],
                    "description": "The booking given the freed place (booked, or offered it where the course holds "
                    "offers).",
                },
            },
        },
        "OfferAnswered": {
            "type": "object",
            "required": ["id", "status", "passed_to"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": ["booked", "offer_declined"]},
                "passed_to": {
                    "type": ["integer", "null"],
                    "description": "On a decline: the booking the place passed to (offered it, or booked).",
                },
            },
        },
    },
}
